package dev.distillery.ui;

import static dev.distillery.ui.Html.esc;

import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The runs list (filter, sort, pick runs to compare), one run's page, and the comparison of several runs. */
final class RunPages {
    /** Results shown in lists and comparisons, in this order, where a run has them. */
    static final List<String> KEY_METRICS = List.of("test_accuracy", "test_macro_f1", "accuracy", "macro_f1", "parameters", "bytes_on_disk",
            "latency_p50_ms", "throughput_per_s", "training_seconds", "records_out", "accepted", "issues");
    private static final List<String> CURVES = List.of("loss", "val_loss", "train_loss", "accuracy", "val_accuracy", "train_accuracy",
            "test_accuracy", "learning_rate");

    private final RunStore runs;

    RunPages(RunStore runs) {
        this.runs = runs;
    }

    /** What the list shows of one run. */
    record Row(String id, String command, String started, String status, String data, Map<String, Object> metrics) {
        double metric(String key) {
            return metrics.get(key) instanceof Number n ? n.doubleValue() : Double.NEGATIVE_INFINITY;
        }
    }

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Path dir : runs.list()) {
            Run run = runs.open(dir.toString());
            Map<String, Object> p = safe(run::provenance);
            String input = String.valueOf(safe(() -> Map.of("input", run.input())).getOrDefault("input", ""));
            rows.add(new Row(run.id(), String.valueOf(p.getOrDefault("command", "?")), String.valueOf(p.getOrDefault("started", "")),
                    run.status(), input, keyMetrics(safe(run::results))));
        }
        return rows;
    }

    private static Map<String, Object> safe(java.util.function.Supplier<Map<String, Object>> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /** The key figures of a run's results; a distillation's are its first student's, a compression's its chosen variant's. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> keyMetrics(Map<String, Object> results) {
        Map<String, Object> flat = new LinkedHashMap<>(results);
        if (results.get("students") instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> s) {
            flat.putAll((Map<String, Object>) s);
        }
        if (results.get("variants") instanceof List<?> variants) {
            for (Object v : variants) {
                if (v instanceof Map<?, ?> m && m.get("name") != null && m.get("name").equals(results.get("chosen"))) {
                    flat.putAll((Map<String, Object>) m);
                }
            }
        }
        Map<String, Object> key = new LinkedHashMap<>();
        for (String k : KEY_METRICS) {
            if (flat.get(k) instanceof Number n) {
                key.put(k, n);
            }
        }
        return key;
    }

    /** The home page: every run, filtered by {@code q} (id, command, data, status) and sorted by {@code sort}. */
    void list(Context ctx) {
        String q = ctx.queryParam("q") == null ? "" : ctx.queryParam("q").trim();
        String sort = ctx.queryParam("sort") == null ? "started" : ctx.queryParam("sort");
        List<Row> rows = rows().stream().filter(r -> q.isEmpty() || Stream.of(r.id(), r.command(), r.data(), r.status())
                .anyMatch(s -> s.toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT)))).toList();
        Comparator<Row> order = switch (sort) {
            case "command" -> Comparator.comparing(Row::command);
            case "status" -> Comparator.comparing(Row::status);
            case "started" -> Comparator.comparing(Row::started).reversed();
            default -> KEY_METRICS.contains(sort) ? Comparator.comparingDouble((Row r) -> r.metric(sort)).reversed()
                    : Comparator.comparing(Row::started).reversed();
        };
        rows = rows.stream().sorted(order).toList();
        Set<String> shown = new LinkedHashSet<>();
        rows.forEach(r -> shown.addAll(r.metrics().keySet()));
        List<String> header = new ArrayList<>(List.of("", "run", "command", "started", "status", "data"));
        header.addAll(shown);
        List<List<String>> cells = new ArrayList<>();
        for (Row r : rows) {
            List<String> row = new ArrayList<>(List.of("<input type=\"checkbox\" name=\"run\" value=\"" + esc(r.id()) + "\">",
                    "<a href=\"/runs/" + esc(r.id()) + "\">" + esc(r.id()) + "</a>", esc(r.command()), esc(r.started()),
                    "<span class=\"status\">" + esc(r.status()) + "</span>", esc(r.data())));
            shown.forEach(k -> row.add(Html.number(r.metrics().get(k))));
            cells.add(row);
        }
        StringBuilder sorts = new StringBuilder("sort by: ");
        List<String> keys = new ArrayList<>(List.of("started", "command", "status"));
        keys.addAll(shown);
        keys.forEach(k -> sorts.append("<a href=\"/?sort=").append(esc(k)).append("&amp;q=").append(esc(q)).append("\">").append(esc(k)).append("</a> "));
        String body = "<form method=\"get\" action=\"/\"><input name=\"q\" value=\"" + esc(q) + "\" placeholder=\"filter: id, command, data, status\">"
                + "<input type=\"hidden\" name=\"sort\" value=\"" + esc(sort) + "\"><button>Filter</button></form><p>" + sorts + "</p>"
                + (rows.isEmpty() ? "<p>No runs in " + esc(runs.root()) + " yet (try: distillery quickstart).</p>"
                        : "<form method=\"get\" action=\"/compare\">" + Html.table("runs", header, cells)
                                + "<button>Compare the checked runs</button></form>");
        ctx.html(Html.page("Runs", body));
    }

    /** A run: status, results, curves from metrics.jsonl, configuration, provenance, plots and files. */
    void show(Context ctx) {
        Run run = UiServer.run(runs, ctx.pathParam("id"));
        StringBuilder b = new StringBuilder("<p>status <span class=\"status\">" + esc(run.status()) + "</span></p>");
        Map<String, Object> results = safe(run::results);
        b.append(curves(List.of(run), "curves"));
        b.append("<h2>Results</h2>").append(keyValueTable("results", flatten("", results)));
        String command = String.valueOf(safe(run::provenance).getOrDefault("command", ""));
        if (command.equals("label issues")) {
            b.append("<p><a href=\"/runs/").append(esc(run.id())).append("/issues\">Review the likely label errors</a></p>");
        }
        if (command.equals("curate") || command.equals("synth")) {
            b.append("<p><a href=\"/runs/").append(esc(run.id())).append("/removed\">Review what was removed or rejected</a></p>");
        }
        b.append("<h2>Configuration</h2><pre>").append(esc(pretty(safe(run::config)))).append("</pre>");
        b.append("<h2>Provenance</h2><pre>").append(esc(pretty(safe(run::provenance)))).append("</pre>");
        b.append("<h2>Plots</h2>");
        for (Path png : files(run.plotsDir()).stream().filter(p -> p.toString().endsWith(".png")).toList()) {
            String rel = run.dir().relativize(png).toString();
            b.append("<img alt=\"").append(esc(rel)).append("\" src=\"/runs/").append(esc(run.id())).append("/files/").append(esc(rel)).append("\">");
        }
        b.append("<h2>Files</h2><ul>");
        for (Path f : files(run.dir())) {
            String rel = run.dir().relativize(f).toString();
            b.append("<li><a href=\"/runs/").append(esc(run.id())).append("/files/").append(esc(rel)).append("\">").append(esc(rel)).append("</a></li>");
        }
        ctx.html(Html.page("Run " + run.id(), b.append("</ul>").toString()));
    }

    /** A file of a run, never one outside its directory. */
    void file(Context ctx) throws IOException {
        Run run = UiServer.run(runs, ctx.pathParam("id"));
        Path f = run.dir().resolve(ctx.pathParam("path")).normalize();
        if (!f.startsWith(run.dir()) || !Files.isRegularFile(f)) {
            throw new io.javalin.http.NotFoundResponse("no such file in run " + run.id());
        }
        String name = f.getFileName().toString();
        ctx.contentType(name.endsWith(".png") ? "image/png" : name.endsWith(".html") ? "text/html" : "text/plain; charset=utf-8");
        ctx.result(Files.readAllBytes(f));
    }

    /** Two or more runs side by side: the configuration keys that differ, the key results, overlaid curves, their tables. */
    void compare(Context ctx) {
        List<String> ids = ctx.queryParams("run");
        if (ids.size() < 2) {
            ctx.html(Html.page("Compare", "<p>Check two or more runs on the <a href=\"/\">runs page</a> to compare them.</p>"));
            return;
        }
        List<Run> chosen = ids.stream().map(id -> UiServer.run(runs, id)).toList();
        List<Map<String, Object>> configs = chosen.stream().map(r -> flatten("", safe(r::config))).toList();
        Set<String> keys = new java.util.TreeSet<>();
        configs.forEach(c -> keys.addAll(c.keySet()));
        List<String> header = new ArrayList<>(List.of(""));
        chosen.forEach(r -> header.add(r.id()));
        List<List<String>> diff = new ArrayList<>();
        for (String k : keys) {
            Set<String> values = new LinkedHashSet<>();
            configs.forEach(c -> values.add(String.valueOf(c.get(k))));
            if (values.size() > 1) {
                List<String> row = new ArrayList<>(List.of(esc(k)));
                configs.forEach(c -> row.add(esc(c.getOrDefault(k, ""))));
                diff.add(row);
            }
        }
        List<List<String>> metrics = new ArrayList<>();
        List<Map<String, Object>> key = chosen.stream().map(r -> keyMetrics(safe(r::results))).toList();
        for (String k : KEY_METRICS) {
            if (key.stream().anyMatch(m -> m.containsKey(k))) {
                List<String> row = new ArrayList<>(List.of(esc(k)));
                key.forEach(m -> row.add(Html.number(m.get(k))));
                metrics.add(row);
            }
        }
        StringBuilder b = new StringBuilder("<h2>Results</h2>").append(Html.table("compare-metrics", header, metrics))
                .append("<h2>Configuration differences</h2>")
                .append(diff.isEmpty() ? "<p>The configurations are the same.</p>" : Html.table("compare-config", header, diff))
                .append(curves(chosen, "compare-curves"));
        for (Run r : chosen) {
            String tables = tables(safe(r::results));
            if (!tables.isEmpty()) {
                b.append("<h2>").append(esc(r.id())).append("</h2>").append(tables);
            }
        }
        ctx.html(Html.page("Compare " + chosen.size() + " runs", b.toString()));
    }

    /** The teacher/student table of a distillation and the variants table of a compression, where a run has them. */
    private static String tables(Map<String, Object> results) {
        StringBuilder b = new StringBuilder();
        List<Map<?, ?>> rows = new ArrayList<>();
        if (results.get("teacher") instanceof Map<?, ?> t && results.get("students") instanceof List<?> s) {
            rows.add(t);
            s.forEach(x -> rows.add((Map<?, ?>) x));
        } else if (results.get("base") instanceof Map<?, ?> base && results.get("variants") instanceof List<?> v) {
            rows.add(base);
            v.forEach(x -> rows.add((Map<?, ?>) x));
        }
        if (!rows.isEmpty()) {
            List<String> header = rows.get(0).keySet().stream().map(String::valueOf).toList();
            List<List<String>> cells = rows.stream().map(r -> header.stream().map(h -> Html.number(r.get(h))).toList()).toList();
            b.append(Html.table(null, header, cells));
        }
        return b.toString();
    }

    /** One chart per curve name found in the runs' metrics.jsonl, a series per run (or per run and name). */
    private static String curves(List<Run> chosen, String idPrefix) {
        StringBuilder b = new StringBuilder();
        Map<String, Map<String, double[]>> byCurve = new LinkedHashMap<>();
        int longest = 0;
        boolean epochs = true;
        for (Run r : chosen) {
            List<Map<String, Object>> lines;
            try {
                lines = r.metrics();
            } catch (RuntimeException e) {
                continue;
            }
            longest = Math.max(longest, lines.size());
            epochs &= lines.stream().allMatch(l -> l.get("epoch") instanceof Number);
            for (String curve : CURVES) {
                if (lines.stream().anyMatch(l -> l.get(curve) instanceof Number)) {
                    double[] y = lines.stream().mapToDouble(l -> l.get(curve) instanceof Number n ? n.doubleValue() : Double.NaN).toArray();
                    String family = curve.contains("loss") ? "loss" : curve.equals("learning_rate") ? "learning rate" : "accuracy";
                    byCurve.computeIfAbsent(family, k -> new LinkedHashMap<>()).put(chosen.size() > 1 ? r.id() + " " + curve : curve, y);
                }
            }
        }
        if (byCurve.isEmpty()) {
            return "";
        }
        b.append("<h2>Curves</h2>");
        int n = longest;
        int i = 0;
        for (var e : byCurve.entrySet()) {
            double[] x = new double[n];
            for (int k = 0; k < n; k++) {
                x[k] = k + 1;
            }
            Map<String, double[]> padded = new TreeMap<>();
            e.getValue().forEach((name, y) -> {
                double[] p = new double[n];
                java.util.Arrays.fill(p, Double.NaN);
                System.arraycopy(y, 0, p, 0, y.length);
                padded.put(name, p);
            });
            b.append(Html.chart(idPrefix + "-" + i++, e.getKey(), epochs ? "epoch" : "metrics line", x, padded));
        }
        return b.toString();
    }

    static Map<String, Object> flatten(String prefix, Map<?, ?> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> {
            String key = prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k;
            if (v instanceof Map<?, ?> inner) {
                out.putAll(flatten(key, inner));
            } else if (v instanceof List<?> list && list.size() > 20) {
                out.put(key, "[" + list.size() + " items]");
            } else {
                out.put(key, v);
            }
        });
        return out;
    }

    private static String keyValueTable(String id, Map<String, Object> values) {
        List<List<String>> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(List.of(esc(k), Html.number(v))));
        return Html.table(id, List.of("key", "value"), rows);
    }

    private static String pretty(Map<String, Object> m) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m);
        } catch (IOException e) {
            return String.valueOf(m);
        }
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir, 3)) {
            return walk.filter(Files::isRegularFile).filter(p -> !dir.relativize(p).toString().startsWith("checkpoints")).sorted().limit(200).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
