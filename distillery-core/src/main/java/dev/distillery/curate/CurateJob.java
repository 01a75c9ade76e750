package dev.distillery.curate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.OnError;
import dev.distillery.data.ReadResult;
import dev.distillery.report.Plots;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.util.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The curate command as a library call: read, run the pipeline, write the kept records, record the funnel. */
public final class CurateJob {
    static final ObjectMapper JSON = new ObjectMapper();

    public record Outcome(Run run, Path output, long read, int skipped, Curator.Result result) {}

    private final RunStore runs;
    private final Consumer<String> log;

    public CurateJob(RunStore runs, Consumer<String> log) {
        this.runs = runs;
        this.log = log == null ? s -> {} : log;
    }

    /**
     * The recorded configuration of a curation, either engine.
     *
     * @param master     the Spark master, or null for the embedded engine
     * @param textColumn the key or column of the input (and of a decontamination test file) that holds the text
     */
    public record Settings(String input, String output, String engine, String master, String onError, String textColumn,
            List<CurateConfig.StepConfig> steps) {}

    /**
     * Curates {@code input}, its text under {@code textColumn}, into {@code output}; with {@code pairsOut}, also writes the
     * near-duplicate pairs found.
     */
    public Outcome run(Path input, String textColumn, Path output, CurateConfig config, OnError onError, Path pairsOut,
            List<String> args) {
        DocFiles.checkInput(input);
        Curator curator = new Curator(config, testTexts(onError, textColumn, log));
        Settings settings = new Settings(input.toString(), output.toString(), "embedded", null, onError.name(), textColumn,
                config.steps());
        return new StageRunner(runs).run(Stage.<Settings, Outcome>named("curate", settings)
                .reads(config.inputs(input))
                .does(run -> curate(run, curator, input, textColumn, output, onError, pairsOut))
                .reports(CurateJob::results, CurateJob::summary)
                .writes((run, o) -> pairsOut == null ? Map.of("data", output) : Map.of("data", output, "pairs", pairsOut)),
                args);
    }

    /**
     * The texts of a decontamination test file, read like the input (its text under {@code textColumn}, under the
     * command's bad-record policy): a bad record stops the run or, under skip, is left out and counted in {@code log}.
     */
    public static java.util.function.Function<String, List<String>> testTexts(OnError onError, String textColumn,
            Consumer<String> log) {
        return test -> {
            DocFiles.Read read = DocFiles.read(Path.of(test), onError, textColumn);
            ReadResult.skippedReport(read.skipped(), read.skipReasons(), test).forEach(log);
            return read.docs().stream().map(Doc::text).toList();
        };
    }

    private Outcome curate(Run run, Curator curator, Path input, String textColumn, Path output, OnError onError, Path pairsOut) {
        DocFiles.FileSource source = DocFiles.source(input, onError, textColumn);
        Curator.Result[] result = new Curator.Result[1];
        // An output named .gz is written gzip-compressed, as every reader takes a .jsonl.gz.
        boolean gzip = output.getFileName().toString().endsWith(".gz");
        // A CSV or TSV output (from a CSV or TSV input alone, CurateCommand checks): the input's columns, in its order.
        DocFiles.CsvSource csvIn = DocFiles.isCsv(output) ? (DocFiles.CsvSource) source : null;
        // JSON Lines from a semicolon or tab CSV: its numbers as that file reads them ("820,97" -> "820.97", "1.250,50 €"
        // -> "1250.50"), which a JSON file's reader, decimal points only, would otherwise not read as numbers
        boolean decimalComma = csvIn == null && source instanceof DocFiles.CsvSource csvSource && csvSource.separator() != ',';
        java.util.Set<String> pointDecimals = decimalComma ? dev.distillery.data.CsvFormat.pointDecimalColumns(input) : java.util.Set.of();
        AtomicFiles.write(output, file -> {
            java.io.OutputStream out = gzip ? new java.util.zip.GZIPOutputStream(file, 1 << 16) : file;
            CsvRows csv = csvIn == null ? null : new CsvRows(out, output, csvIn);
            result[0] = curator.run(source, d -> {
                try {
                    if (csv != null) {
                        csv.write(d, textColumn);
                    } else {
                        DocFiles.write(decimalComma ? DocFiles.withDecimalPoints(d, pointDecimals) : d, out, textColumn);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, log);
            if (csv != null) {
                csv.finish();
            }
            if (gzip) {
                out.close(); // the compressed stream's end; the file itself is closed again, harmlessly, by AtomicFiles
            }
        });
        ReadResult.skippedReport(source.skipped(), source.skipReasons(), input.toString()).forEach(log);
        if (pairsOut != null) {
            writePairs(curator, pairsOut);
        }
        Outcome o = new Outcome(run, output, result[0].in(), source.skipped(), result[0]);
        plot(o, run.plotsDir().resolve("funnel.png"));
        return o;
    }

    /**
     * The kept records as CSV rows, the header first: written when the first record is (the input's columns are known
     * once its first read began) or, where none was kept, at the end. Separated as the input is, or by tabs for a .tsv
     * name; a cell quoted only where it must be.
     */
    private static final class CsvRows {
        private final java.io.OutputStream out;
        private final Path output;
        private final DocFiles.CsvSource input;
        private com.fasterxml.jackson.dataformat.csv.CsvGenerator gen;

        CsvRows(java.io.OutputStream out, Path output, DocFiles.CsvSource input) {
            this.out = out;
            this.output = output;
            this.input = input;
        }

        void write(dev.distillery.curate.Doc d, String textColumn) throws java.io.IOException {
            DocFiles.writeCsvRow(d, started().columns(), textColumn, gen);
        }

        void finish() throws java.io.IOException {
            started();
            gen.flush();
        }

        private DocFiles.CsvSource started() throws java.io.IOException {
            if (gen == null) {
                boolean tabs = output.getFileName().toString().toLowerCase(java.util.Locale.ROOT).replaceFirst("\\.gz$", "")
                        .endsWith(".tsv");
                // a .csv keeps the input's separator (a semicolon file's decimal commas stay numbers), a .tsv takes tabs;
                // never closed here: the output stream is the caller's
                gen = dev.distillery.data.CsvFormat.generator(out, tabs ? '\t' : input.separator());
                gen.writeStartArray();
                for (String column : input.columns()) {
                    gen.writeString(column);
                }
                gen.writeEndArray();
            }
            return input;
        }
    }

    private static void writePairs(Curator curator, Path file) {
        NearDedup step = curator.steps().stream().filter(NearDedup.class::isInstance).map(NearDedup.class::cast).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--pairs needs a near-dedup step in the pipeline"));
        AtomicFiles.write(file, out -> {
            for (NearDedup.IdPair p : step.lastPairs()) {
                out.write(JSON.writeValueAsBytes(p));
                out.write('\n');
            }
        });
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("records_in", o.read());
        r.put("skipped_bad_lines", o.skipped());
        r.put("records_out", o.result().out());
        r.put("funnel", funnel(o.result().reports()));
        r.put("output", o.output().toString());
        return r;
    }

    /** One map per step: in, out, seconds, removals by reason, changes by kind, samples. */
    public static List<Map<String, Object>> funnel(List<StepReport> reports) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepReport s : reports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", s.step());
            m.put("in", s.in());
            m.put("out", s.out());
            m.put("seconds", s.seconds());
            m.put("removed", s.removed());
            m.put("changes", s.changes());
            m.put("samples", s.samples());
            steps.add(m);
        }
        return steps;
    }

    /** The funnel as an aligned table: one row per step, then each removal reason and change under it. */
    public static String table(Outcome o) {
        return table(o.result().reports(), o.read(), o.skipped(), o.result().out());
    }

    public static String table(List<StepReport> reports, long read, long skipped, long out) {
        StringBuilder sb = new StringBuilder(String.format("%-16s %10s %10s %10s%n", "step", "in", "out", "removed"));
        for (StepReport s : reports) {
            sb.append(String.format("%-16s %,10d %,10d %,10d%n", s.step(), s.in(), s.out(), s.in() - s.out()));
            s.removed().forEach((why, n) -> sb.append(String.format("    removed %,8d  %s%n", n, why)));
            s.changes().forEach((what, n) -> sb.append(String.format("    %-16s %,d%n", what, n)));
        }
        sb.append(String.format("%,d record%s in (%,d bad record%s skipped), %,d out%n", read, read == 1 ? "" : "s", skipped,
                skipped == 1 ? "" : "s", out));
        nothingLeft(reports, out).ifPresent(why -> sb.append(why).append('\n'));
        return sb.toString();
    }

    /**
     * Where no record is left, which step removed the most and why, and what to change: a file of short texts (words,
     * names, titles) met the quality rules written for documents, every record "fewer than 5 words", and the output was
     * empty with nothing said but the counts.
     */
    static java.util.Optional<String> nothingLeft(List<StepReport> reports, long out) {
        if (out > 0) {
            return java.util.Optional.empty();
        }
        return reports.stream().filter(s -> s.in() > s.out()).max(java.util.Comparator.comparingLong(s -> s.in() - s.out()))
                .map(s -> {
                    String why = s.removed().entrySet().stream().max(Map.Entry.comparingByValue())
                            .map(e -> String.format(", %,d of them for '%s'", e.getValue(), e.getKey())).orElse("");
                    return String.format("warning: no record is left: '%s' removed %,d%s. Its rules are written for documents;"
                            + " for short texts (words, names, titles, single sentences) give --config a pipeline whose '%s'"
                            + " step has looser options or leaves it out", s.step(), s.in() - s.out(), why, s.step());
                });
    }

    static String summary(Outcome o) {
        StringBuilder sb = new StringBuilder("# Curation " + o.run().id() + "\n\n```\n" + table(o) + "```\n\n## Samples of removed records\n");
        for (StepReport s : o.result().reports()) {
            s.samples().forEach((why, list) -> {
                sb.append("\n**").append(s.step()).append(": ").append(why).append("**\n\n");
                list.forEach(x -> sb.append("- ").append(x.replace("\n", " ")).append('\n'));
            });
        }
        return sb.append("\nFunnel plot: `plots/funnel.png`.\n").toString();
    }

    static void plot(Outcome o, Path png) {
        var chart = new org.knowm.xchart.CategoryChartBuilder().width(720).height(420).title("Curation funnel")
                .xAxisTitle("after step").yAxisTitle("records").build();
        chart.getStyler().setLegendVisible(false);
        List<String> names = new ArrayList<>(List.of("input"));
        List<Long> counts = new ArrayList<>(List.of(o.read()));
        for (StepReport s : o.result().reports()) {
            names.add(s.step());
            counts.add((long) s.out());
        }
        chart.addSeries("records", names, counts);
        Plots.save(chart, png);
    }
}
