package dev.distillery.ui;

import static dev.distillery.ui.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.label.LabelingProject;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.util.AtomicFiles;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The human steps of the workflow, each writing a file the CLI reads back: the review of likely label errors (a
 * corrections file for {@code train --corrections}), the next active-learning batch of a labeling project (the answers
 * file {@code label import} reads), and what curation removed and synthesis rejected, per reason (redacted).
 */
final class ReviewPages {
    static final String CORRECTIONS = "corrections.jsonl";
    /** Suspects shown on the review page, best first. */
    static final int SHOWN = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunStore runs;
    private final DataCatalog catalog;
    private final Path projectsRoot;
    /** Data sets read for reviews, by reference: a review page is opened many times. */
    private final Map<String, Map<String, Example>> examplesByRef = new ConcurrentHashMap<>();
    /** The schema of each data set in {@link #examplesByRef}: a table's rows are shown by column, images as thumbnails. */
    private final Map<String, dev.distillery.data.Schema> schemaByRef = new ConcurrentHashMap<>();

    ReviewPages(RunStore runs, DataCatalog catalog, Path projectsRoot) {
        this.runs = runs;
        this.catalog = catalog;
        this.projectsRoot = projectsRoot;
    }

    // ---- likely label errors -> corrections file

    void issues(Context ctx) {
        Run run = issuesRun(ctx);
        String dataRef = String.valueOf(run.config().get("data"));
        Map<String, Example> examples = examples(dataRef);
        List<String> labels = labelsOf(examples);
        Map<String, JsonNode> decided = decisions(run.dir().resolve(CORRECTIONS));
        List<JsonNode> issues = lines(run.dir().resolve("issues.jsonl"));
        StringBuilder b = new StringBuilder("<p>").append(issues.size()).append(" likely label errors in <code>").append(esc(dataRef))
                .append("</code>, most likely first").append(issues.size() > SHOWN ? " (the first " + SHOWN + " shown)" : "")
                .append(". Decisions are saved to <code>").append(esc(run.dir().resolve(CORRECTIONS))).append("</code>; then: ")
                .append("<code>distillery train --data ").append(esc(dataRef)).append(" --corrections ")
                .append(esc(run.dir().resolve(CORRECTIONS))).append("</code></p>");
        b.append("<form method=\"post\" action=\"/runs/").append(esc(run.id())).append("/issues\">").append(UiServer.CSRF_FIELD);
        List<List<String>> rows = new ArrayList<>();
        int rank = 0;
        for (JsonNode issue : issues.subList(0, Math.min(SHOWN, issues.size()))) {
            String id = issue.path("id").asText();
            String given = issue.path("given").asText();
            String suggested = issue.path("suggested").asText();
            JsonNode d = decided.get(id);
            String current = d == null ? "" : d.path("action").asText() + ":" + d.path("label").asText("");
            String field = "d_" + rank;
            StringBuilder choice = new StringBuilder("<input type=\"hidden\" name=\"id_" + rank + "\" value=\"" + esc(id) + "\">")
                    .append("<select name=\"").append(field).append("\" data-id=\"").append(esc(id)).append("\">")
                    .append(option("", "undecided", current))
                    .append(option("relabel:" + suggested, "accept: " + suggested, current))
                    .append(option("keep:", "keep: " + given, current))
                    .append(option("remove:", "remove the record", current));
            for (String l : labels) {
                if (!l.equals(suggested) && !l.equals(given)) {
                    choice.append(option("relabel:" + l, "relabel: " + l, current));
                }
            }
            choice.append("</select>");
            rows.add(List.of(String.valueOf(++rank), esc(id), preview(examples.get(id), schemaByRef.get(dataRef)), esc(given), esc(suggested),
                    String.format("%.2f", issue.path("given_probability").asDouble()), choice.toString()));
        }
        b.append(Html.table("issues", List.of("#", "id", "example", "given", "suggested", "p(given)", "decision"), rows))
                .append("<button id=\"save-corrections\">Save decisions</button></form>");
        ctx.html(Html.page("Label issues of " + run.id(), b.toString()));
    }

    void saveIssues(Context ctx) {
        Run run = issuesRun(ctx);
        Map<String, Example> examples = examples(String.valueOf(run.config().get("data")));
        List<String> labels = labelsOf(examples);
        Map<String, JsonNode> decided = new LinkedHashMap<>(decisions(run.dir().resolve(CORRECTIONS)));
        for (int i = 0; ctx.formParam("id_" + i) != null; i++) {
            String id = ctx.formParam("id_" + i);
            String value = ctx.formParam("d_" + i);
            if (!examples.containsKey(id)) {
                throw new BadRequestResponse("no record '" + id + "' in the run's data");
            }
            if (value == null || value.isEmpty()) {
                decided.remove(id);
                continue;
            }
            String[] parts = value.split(":", 2);
            var node = JSON.createObjectNode().put("id", id).put("action", parts[0]);
            switch (parts[0]) {
                case "relabel" -> {
                    if (parts.length < 2 || !labels.contains(parts[1])) {
                        throw new BadRequestResponse("unknown label in '" + value + "'");
                    }
                    node.put("label", parts[1]);
                }
                case "keep", "remove" -> { }
                default -> throw new BadRequestResponse("unknown decision '" + value + "'");
            }
            decided.put(id, node);
        }
        StringBuilder out = new StringBuilder();
        decided.values().forEach(n -> out.append(n).append('\n'));
        AtomicFiles.writeString(run.dir().resolve(CORRECTIONS), out.toString());
        ctx.redirect("/runs/" + run.id() + "/issues", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private Run issuesRun(Context ctx) {
        Run run = UiServer.run(runs, ctx.pathParam("id"));
        if (!Files.isRegularFile(run.dir().resolve("issues.jsonl"))) {
            throw new NotFoundResponse("run " + run.id() + " is not a finished label-issues run");
        }
        return run;
    }

    // ---- active learning: the next batch -> answers file

    void projects(Context ctx) {
        List<List<String>> rows = new ArrayList<>();
        for (Path dir : projectDirs()) {
            LabelingProject p = LabelingProject.openOrCreate(dir, null, null);
            rows.add(List.of("<a href=\"/projects/" + esc(dir.getFileName()) + "\">" + esc(dir.getFileName()) + "</a>", esc(p.config().pool()),
                    esc(String.join(", ", p.config().labels())), String.valueOf(p.answers().size())));
        }
        ctx.html(Html.page("Labeling projects", "<p>Projects under <code>" + esc(projectsRoot) + "</code> (start one with "
                + "<code>distillery label next POOL --project " + esc(projectsRoot.resolve("NAME")) + " --labels A,B</code>).</p>"
                + (rows.isEmpty() ? "<p>None yet.</p>" : Html.table("projects", List.of("project", "pool", "labels", "answers"), rows))));
    }

    void project(Context ctx) {
        Path dir = project(ctx.pathParam("name"));
        LabelingProject p = LabelingProject.openOrCreate(dir, null, null);
        Path batch = latestBatch(dir);
        if (batch == null) {
            ctx.html(Html.page("Project " + dir.getFileName(), "<p>No batch yet: <code>distillery label next " + esc(p.config().pool())
                    + " --project " + esc(dir) + "</code></p>"));
            return;
        }
        Path answersFile = answersFileOf(batch);
        Map<String, JsonNode> given = decisions(answersFile);
        Map<String, String> known = p.answers();
        StringBuilder b = new StringBuilder("<p>Batch <code>").append(esc(batch.getFileName())).append("</code>. Answers are saved to <code>")
                .append(esc(answersFile)).append("</code>; then: <code>distillery label import ").append(esc(answersFile)).append(" --project ")
                .append(esc(dir)).append("</code></p><form method=\"post\" action=\"/projects/").append(esc(dir.getFileName())).append("\">")
                .append(UiServer.CSRF_FIELD);
        List<List<String>> rows = new ArrayList<>();
        int i = 0;
        for (JsonNode item : lines(batch)) {
            String id = item.path("id").asText();
            String current = given.containsKey(id) ? given.get(id).path("label").asText() : known.getOrDefault(id, "");
            StringBuilder select = new StringBuilder("<input type=\"hidden\" name=\"id_" + i + "\" value=\"" + esc(id) + "\">")
                    .append("<select name=\"label_").append(i).append("\" data-id=\"").append(esc(id)).append("\">").append(option("", "unanswered", current));
            p.config().labels().forEach(l -> select.append(option(l, l, current)));
            String shown = item.has("text") ? "<div class=\"text\">" + esc(dev.distillery.data.PersonalData.redacted(item.get("text").asText())) + "</div>"
                    : item.has("image") ? "<img class=\"thumb\" alt=\"" + esc(id) + "\" src=\"" + esc(imageUri(dir, item.get("image").asText())) + "\">"
                    : item.path("item").isObject() ? tableRow(item.get("item")) : "";
            rows.add(List.of(esc(id), shown, select.append("</select>").toString()));
            i++;
        }
        b.append(Html.table("batch", List.of("id", "example", "label"), rows)).append("<button id=\"save-answers\">Save answers</button></form>");
        ctx.html(Html.page("Project " + dir.getFileName(), b.toString()));
    }

    void saveAnswers(Context ctx) {
        Path dir = project(ctx.pathParam("name"));
        LabelingProject p = LabelingProject.openOrCreate(dir, null, null);
        Path batch = latestBatch(dir);
        if (batch == null) {
            throw new BadRequestResponse("the project has no batch to answer");
        }
        java.util.Set<String> inBatch = new java.util.HashSet<>();
        lines(batch).forEach(n -> inBatch.add(n.path("id").asText()));
        Map<String, JsonNode> answers = new LinkedHashMap<>(decisions(answersFileOf(batch)));
        for (int i = 0; ctx.formParam("id_" + i) != null; i++) {
            String id = ctx.formParam("id_" + i);
            String label = ctx.formParam("label_" + i);
            if (!inBatch.contains(id)) {
                throw new BadRequestResponse("'" + id + "' is not in " + batch.getFileName());
            }
            if (label == null || label.isEmpty()) {
                answers.remove(id);
            } else if (!p.config().labels().contains(label)) {
                throw new BadRequestResponse("'" + label + "' is not one of the project's labels " + p.config().labels());
            } else {
                answers.put(id, JSON.createObjectNode().put("id", id).put("label", label));
            }
        }
        StringBuilder out = new StringBuilder();
        answers.values().forEach(n -> out.append(n).append('\n'));
        AtomicFiles.writeString(answersFileOf(batch), out.toString());
        ctx.redirect("/projects/" + dir.getFileName(), io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private static Path answersFileOf(Path batchJsonl) {
        return batchJsonl.resolveSibling(batchJsonl.getFileName().toString().replace(".jsonl", "-answers.jsonl"));
    }

    private static Path latestBatch(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("batch-\\d{3}\\.jsonl")).sorted().reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> projectDirs() {
        if (!Files.isDirectory(projectsRoot)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(projectsRoot)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(LabelingProject.CONFIG))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private Path project(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}") || !Files.isRegularFile(projectsRoot.resolve(name).resolve(LabelingProject.CONFIG))) {
            throw new NotFoundResponse("no labeling project '" + name + "' in " + projectsRoot);
        }
        return projectsRoot.resolve(name);
    }

    /** A batch file's table row, {@code {column: value}} as label next writes it, as "column value" pairs. */
    private static String tableRow(JsonNode item) {
        List<String> parts = new ArrayList<>();
        item.fields().forEachRemaining(f -> {
            if (!f.getValue().asText().isEmpty()) {
                parts.add(f.getKey() + " " + dev.distillery.data.PersonalData.redacted(f.getValue().asText()));
            }
        });
        return "<div class=\"text\">" + esc(String.join(" · ", parts)) + "</div>";
    }

    /** A batch image as a data URI; the path comes from the batch file and must stay inside the project. */
    private static String imageUri(Path dir, String relative) {
        Path f = dir.resolve(relative).normalize();
        try {
            return f.startsWith(dir) && Files.isRegularFile(f) ? "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(f)) : "";
        } catch (IOException e) {
            return "";
        }
    }

    // ---- curation removals and synthesis rejections

    @SuppressWarnings("unchecked")
    void removed(Context ctx) {
        Run run = UiServer.run(runs, ctx.pathParam("id"));
        StringBuilder b = new StringBuilder();
        Map<String, Object> results = run.results();
        if (results.get("funnel") instanceof List<?> funnel) {
            b.append("<h2>Removed by curation, per step and reason</h2><p>Samples as the run recorded them: already redacted.</p>");
            for (Object o : funnel) {
                Map<String, Object> step = (Map<String, Object>) o;
                Map<String, Object> removed = (Map<String, Object>) step.getOrDefault("removed", Map.of());
                Map<String, Object> samples = (Map<String, Object>) step.getOrDefault("samples", Map.of());
                removed.forEach((why, n) -> {
                    b.append("<h3>").append(esc(step.get("step"))).append(": ").append(esc(why)).append(" (").append(Html.number(n)).append(")</h3><ul>");
                    for (Object s : (List<Object>) samples.getOrDefault(why, List.of())) {
                        b.append("<li class=\"text\">").append(esc(dev.distillery.data.PersonalData.redacted(String.valueOf(s)))).append("</li>");
                    }
                    b.append("</ul>");
                });
            }
        }
        Path verdicts = run.dir().resolve("verdicts.jsonl");
        if (Files.isRegularFile(verdicts)) {
            Map<String, List<JsonNode>> byReason = new TreeMap<>();
            for (JsonNode v : lines(verdicts)) {
                if (!v.path("accepted").asBoolean()) {
                    byReason.computeIfAbsent(v.path("rejected_by").asText("?"), k -> new ArrayList<>()).add(v);
                }
            }
            b.append("<h2>Rejected synthetic candidates, per verifier</h2>");
            byReason.forEach((why, list) -> {
                b.append("<h3>").append(esc(why)).append(" (").append(list.size()).append(")</h3><ul>");
                list.stream().limit(20).forEach(v -> b.append("<li><span class=\"text\">").append(esc(dev.distillery.data.PersonalData.redacted(v.path("text").asText("(image)"))))
                        .append("</span> — intended ").append(esc(v.path("label").asText())).append(": ").append(esc(v.path("reason").asText()))
                        .append("</li>"));
                b.append("</ul>");
            });
        }
        ctx.html(Html.page("Removed and rejected in " + run.id(), b.isEmpty() ? "<p>This run removed and rejected nothing, or is not a curate or "
                + "synth run.</p>" : b.toString()));
    }

    // ---- shared

    private Map<String, Example> examples(String dataRef) {
        return examplesByRef.computeIfAbsent(dataRef, ref -> {
            Dataset d = catalog.loadDataset(ref, OnError.SKIP, s -> {});
            schemaByRef.put(ref, d.schema());
            Map<String, Example> byId = new LinkedHashMap<>();
            d.examples().forEach(e -> byId.put(e.id(), e));
            return byId;
        });
    }

    private static List<String> labelsOf(Map<String, Example> examples) {
        return examples.values().stream().flatMap(e -> e.label().stream()).distinct().sorted().toList();
    }

    /** The text (redacted, shortened), a table row's values by column, or a thumbnail of an image of {@code schema}. */
    static String preview(Example e, dev.distillery.data.Schema schema) {
        if (e == null) {
            return "(not in the data any more)";
        }
        if (e.isText()) {
            String t = dev.distillery.data.PersonalData.redacted(e.text());
            return "<div class=\"text\">" + esc(t.length() > 400 ? t.substring(0, 400) + "…" : t) + "</div>";
        }
        if (schema != null && schema.featureShape().size() == 1) { // a table's row: four numbers were a 2x2-pixel image
            return row(schema.featureNames(), e.features());
        }
        byte[] png = dev.distillery.transform.ImageTransforms.png(e.features());
        return png == null ? esc(e.features().length + " features") : "<img class=\"thumb\" alt=\"" + esc(e.id())
                + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\">";
    }

    /** A table row as "name value" pairs (f1, f2, ... where the file named no columns), the first 20 of them. */
    static String row(List<String> names, float[] values) {
        return "<div class=\"text\">" + esc(dev.distillery.data.Schema.describeRow(names, values, 20)) + "</div>";
    }

    private static String option(String value, String text, String current) {
        return "<option value=\"" + esc(value) + "\"" + (value.equals(current) ? " selected" : "") + ">" + esc(text) + "</option>";
    }

    /** The decisions or answers saved in a JSON-lines file, by id. */
    private static Map<String, JsonNode> decisions(Path f) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        lines(f).forEach(n -> out.put(n.path("id").asText(), n));
        return out;
    }

    private static List<JsonNode> lines(Path f) {
        if (!Files.isRegularFile(f)) {
            return List.of();
        }
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(f)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + f, e);
        }
    }
}
