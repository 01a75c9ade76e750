package dev.distillery.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code report.html} of a recipe run: one self-contained file (styles and plots inline, no network) with the DAG, each
 * stage's action, status, estimated beside actual time and memory, its key results and summary, its plots, and the
 * model card of any export. Summaries come from the runs, which already hold only redacted samples. Plots larger
 * than {@link #MAX_PLOT_BYTES} are linked instead of embedded, so the file stays a few MB at most.
 */
final class RecipeReport {
    static final int MAX_PLOT_BYTES = 400_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KEY_RESULTS = List.of("test_accuracy", "test_macro_f1", "accuracy", "macro_f1", "parameters",
            "bytes_on_disk", "latency_p50_ms", "max_abs_diff", "argmax_agreement", "kept", "removed", "accepted");

    private RecipeReport() {}

    static void write(RecipeRunner.Outcome o, RunStore runs) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Recipe ").append(esc(o.recipe().name())).append("</title>")
                .append("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
                        + "pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}.failed{color:#b00}"
                        + ".cached{color:#666}img{max-width:520px;margin:4px}</style></head><body>");
        h.append("<h1>Recipe ").append(esc(o.recipe().name())).append("</h1><p>").append(esc(o.recipe().file().toString()))
                .append(" &middot; ").append(java.time.Instant.now()).append(o.failedStage() == null ? " &middot; all stages finished"
                        : " &middot; <span class=\"failed\">stage " + esc(o.failedStage()) + " failed: "
                                + esc(o.states().get(o.failedStage()).status()) + "</span>").append("</p>");
        h.append("<h2>Stages</h2><table><tr><th>stage</th><th>after</th><th>command</th><th>this run</th><th>status</th>"
                + "<th>estimate s</th><th>actual s</th><th>est. peak MiB</th><th>peak MiB</th><th>results</th></tr>");
        for (Recipe.Stage s : o.dag().order()) {
            StageState st = o.states().get(s.name());
            String action = o.actions().getOrDefault(s.name(), "?");
            h.append("<tr class=\"").append(action.equals("cached") ? "cached" : st != null && !st.finished() ? "failed" : "").append("\"><td>")
                    .append(esc(s.name())).append("</td><td>").append(esc(String.join(", ", o.dag().dependsOn().get(s.name()))))
                    .append("</td><td><code>").append(esc(s.commandLine())).append("</code></td><td>").append(esc(action))
                    .append("</td><td>").append(st == null ? "" : esc(st.status())).append("</td><td>")
                    .append(st == null || st.estimateSeconds() < 0 ? "n/a" : String.format("%.1f", st.estimateSeconds())).append("</td><td>")
                    .append(st == null || action.equals("cached") || action.equals("not run") ? "" : String.format("%.1f", st.seconds()))
                    .append("</td><td>").append(st == null || st.estimatePeakMb() <= 0 ? "n/a" : String.format("%.0f", st.estimatePeakMb()))
                    .append("</td><td>").append(st == null || st.peakRssMb() <= 0 ? "" : String.format("%.0f", st.peakRssMb()))
                    .append("</td><td>").append(st == null || st.run() == null ? "" : keyResults(Path.of(st.run()))).append("</td></tr>");
        }
        h.append("</table>");
        modelCard(o, runs, h);
        lineage(o, h);
        for (Recipe.Stage s : o.dag().order()) {
            StageState st = o.states().get(s.name());
            if (st == null || st.run() == null || !Files.isDirectory(Path.of(st.run()))) {
                continue;
            }
            Path dir = Path.of(st.run());
            h.append("<h2>").append(esc(s.name())).append(": <code>").append(esc(s.commandLine())).append("</code></h2><p>run <code>")
                    .append(esc(dir.toString())).append("</code></p>");
            String summary = read(dir.resolve(Run.SUMMARY));
            if (summary != null) {
                h.append("<pre>").append(esc(summary)).append("</pre>");
            }
            plots(dir.resolve("plots"), h);
            for (Path card : List.of(dir.resolve("export/MODEL_CARD.md"))) {
                String text = read(card);
                if (text != null) {
                    h.append("<h3>Model card</h3><pre>").append(esc(text)).append("</pre>");
                }
            }
        }
        h.append("</body></html>\n");
        AtomicFiles.writeString(o.report(), h.toString());
    }

    /**
     * The card of the recipe's final model (the last stage, in order, that saved one): what it is for (the recipe's
     * {@code intended_use}), its checksum, the data it descends from with checksums, the chain of stages, and its
     * measured accuracy, size and latency (from an eval stage of that model if there is one, else from its own run).
     */
    private static void modelCard(RecipeRunner.Outcome o, RunStore runs, StringBuilder h) {
        Recipe.Stage last = null;
        for (Recipe.Stage s : o.dag().order()) {
            StageState st = o.states().get(s.name());
            if (st != null && st.finished() && st.run() != null && Files.isDirectory(Path.of(st.run()).resolve("model"))) {
                last = s;
            }
        }
        h.append("<h2>Final model</h2>");
        if (last == null) {
            h.append("<p>No stage saved a model.</p>");
            return;
        }
        Path run = Path.of(o.states().get(last.name()).run());
        Path model = run.resolve("model");
        h.append("<table><tr><th>model</th><td><code>").append(esc(model.toString())).append("</code> (stage ").append(esc(last.name()))
                .append(")</td></tr><tr><th>sha256 of model/</th><td><code>").append(dev.distillery.util.Hashing.sha256Tree(model))
                .append("</code></td></tr><tr><th>intended use</th><td>").append(o.recipe().intendedUse() == null
                        ? "not stated: add <code>intended_use:</code> to the recipe" : esc(o.recipe().intendedUse()))
                .append("</td></tr>");
        java.util.List<String> chain = new java.util.ArrayList<>();
        java.util.Map<String, String> data = new java.util.TreeMap<>();
        for (Recipe.Stage s : o.dag().order()) {
            if (s == last || ancestors(o.dag(), last.name()).contains(s.name())) {
                chain.add(s.name() + " (" + s.commandLine() + ")");
                StageState st = o.states().get(s.name());
                if (st != null && st.run() != null) {
                    provenanceInputs(Path.of(st.run())).forEach((file, sum) -> {
                        if (!Path.of(file).startsWith(runs.root())) { // a run's own output is traced through its stage
                            data.put(file, sum);
                        }
                    });
                }
            }
        }
        h.append("<tr><th>made by</th><td>").append(String.join(" &rarr; ", chain.stream().map(RecipeReport::esc).toList())).append("</td></tr>");
        h.append("<tr><th>data (sha256)</th><td>");
        data.forEach((file, sum) -> h.append(esc(file)).append(" <code>").append(esc(sum)).append("</code><br>"));
        h.append("</td></tr>");
        Measured m = measured(o, run, model);
        h.append("<tr><th>measured</th><td>").append(m == null ? "no accuracy recorded for this model" : esc(m.describe())).append("</td></tr></table>");
    }

    /** Accuracy, macro-F1, bytes on disk and p50 latency of one model, and where they were measured. */
    record Measured(double accuracy, double macroF1, double bytes, double latencyP50Ms, String where) {
        String describe() {
            return String.format("accuracy %.4f, macro-F1 %.4f, %,.0f bytes on disk, latency p50 %.2f ms (%s)", accuracy, macroF1, bytes,
                    latencyP50Ms, where);
        }
    }

    private static Measured measured(RecipeRunner.Outcome o, Path run, Path model) {
        for (Recipe.Stage s : o.dag().order()) {
            StageState st = o.states().get(s.name());
            if (s.commandLine().equals("eval") && st != null && st.finished() && st.run() != null) {
                JsonNode cfg = readJson(Path.of(st.run()).resolve(Run.CONFIG));
                if (cfg != null && Path.of(cfg.path("model").asText()).normalize().equals(model.normalize())) {
                    JsonNode r = readJson(Path.of(st.run()).resolve(Run.RESULTS));
                    return r == null ? null : new Measured(r.path("accuracy").asDouble(), r.path("macro_f1").asDouble(),
                            r.path("bytes_on_disk").asDouble(), r.path("latency_p50_ms").asDouble(), "stage " + s.name() + " on "
                                    + cfg.path("data").asText());
                }
            }
        }
        JsonNode r = readJson(run.resolve(Run.RESULTS));
        if (r == null) {
            return null;
        }
        if (r.has("test_accuracy") && r.has("bytes_on_disk")) { // train
            return new Measured(r.get("test_accuracy").asDouble(), r.path("test_macro_f1").asDouble(Double.NaN),
                    r.get("bytes_on_disk").asDouble(), r.path("latency_p50_ms").asDouble(Double.NaN), "its run's test set");
        }
        if (r.path("students").isArray() && !r.get("students").isEmpty()) { // distill
            JsonNode s = r.get("students").get(0);
            return new Measured(s.path("accuracy").asDouble(), s.path("macro_f1").asDouble(Double.NaN), s.path("bytes_on_disk").asDouble(),
                    s.path("latency_p50_ms").asDouble(Double.NaN), "its run's test set");
        }
        for (JsonNode v : r.path("variants")) { // prune, quantize, factorize, lora, compress: the variant saved as model/
            if (v.path("name").asText().equals(r.path("chosen").asText())) {
                return new Measured(v.path("test_accuracy").asDouble(), Double.NaN, v.path("bytes_on_disk").asDouble(),
                        v.path("latency_p50_ms").asDouble(Double.NaN), "its run's test set");
            }
        }
        return null;
    }

    private static java.util.Set<String> ancestors(Dag dag, String stage) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(dag.dependsOn().get(stage));
        while (!todo.isEmpty()) {
            String s = todo.pop();
            if (seen.add(s)) {
                todo.addAll(dag.dependsOn().get(s));
            }
        }
        return seen;
    }

    /** The input files a run recorded, with their SHA-256. */
    private static java.util.Map<String, String> provenanceInputs(Path run) {
        java.util.Map<String, String> inputs = new java.util.LinkedHashMap<>();
        JsonNode prov = readJson(run.resolve(Run.PROVENANCE));
        if (prov != null) {
            prov.path("inputs").fields().forEachRemaining(e -> inputs.put(e.getKey(), e.getValue().asText()));
        }
        return inputs;
    }

    private static JsonNode readJson(Path f) {
        try {
            return Files.isRegularFile(f) ? JSON.readTree(f.toFile()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Where every result came from: each stage's input files with their checksums as its run recorded them, the stages
     * it took outputs from, and the checksum of the model it saved; read bottom-up, the chain from the final model back
     * to the raw input.
     */
    private static void lineage(RecipeRunner.Outcome o, StringBuilder h) {
        h.append("<h2>Lineage</h2><table><tr><th>stage</th><th>from stages</th><th>input files (sha256)</th>"
                + "<th>saved model (sha256 of model/)</th></tr>");
        for (Recipe.Stage s : o.dag().order()) {
            StageState st = o.states().get(s.name());
            if (st == null || st.run() == null || !Files.isDirectory(Path.of(st.run()))) {
                continue;
            }
            Path run = Path.of(st.run());
            StringBuilder inputs = new StringBuilder();
            try {
                JsonNode prov = JSON.readTree(run.resolve(Run.PROVENANCE).toFile());
                prov.path("inputs").fields().forEachRemaining(e -> inputs.append(esc(e.getKey())).append(" <code>")
                        .append(esc(e.getValue().asText().substring(0, Math.min(12, e.getValue().asText().length()))))
                        .append("</code><br>"));
            } catch (IOException | RuntimeException e) {
                inputs.append("provenance unreadable");
            }
            Path model = run.resolve("model");
            String modelSum = Files.isDirectory(model) ? dev.distillery.util.Hashing.sha256Tree(model).substring(0, 12) : "";
            h.append("<tr><td>").append(esc(s.name())).append("</td><td>").append(esc(String.join(", ", o.dag().dependsOn().get(s.name()))))
                    .append("</td><td>").append(inputs).append("</td><td><code>").append(modelSum).append("</code></td></tr>");
        }
        h.append("</table>");
    }

    private static void plots(Path dir, StringBuilder h) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path png : files.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                long size = Files.size(png);
                if (size <= MAX_PLOT_BYTES) {
                    h.append("<img alt=\"").append(esc(png.getFileName().toString())).append("\" src=\"data:image/png;base64,")
                            .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png))).append("\">");
                } else {
                    h.append("<p>plot too large to embed: <code>").append(esc(png.toString())).append("</code></p>");
                }
            }
        } catch (IOException e) {
            h.append("<p>plots unreadable: ").append(esc(e.getMessage())).append("</p>");
        }
    }

    private static String keyResults(Path runDir) {
        try {
            Path f = runDir.resolve(Run.RESULTS);
            if (!Files.isRegularFile(f)) {
                return "";
            }
            JsonNode r = JSON.readTree(f.toFile());
            StringBuilder sb = new StringBuilder();
            for (String k : KEY_RESULTS) {
                if (r.path(k).isNumber()) {
                    double v = r.get(k).asDouble();
                    sb.append(esc(k)).append(" ").append(v == Math.rint(v) && Math.abs(v) > 1 ? String.format("%,.0f", v) : String.format("%.4g", v))
                            .append("<br>");
                }
            }
            return sb.toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static String read(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readString(f) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
