package dev.distillery.cli;

import dev.distillery.data.MissingValues;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.InputCheck;
import dev.distillery.curate.SplitJob;
import dev.distillery.data.ReadResult;
import dev.distillery.data.sources.FetchReport;
import dev.distillery.data.sources.KnownDataset;
import dev.distillery.data.sources.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "data", mixinStandardHelpOptions = true, description = "Fetch, list and inspect data sets.",
        subcommands = {DataCommand.Fetch.class, DataCommand.ListCached.class, DataCommand.Inspect.class, DataCommand.Split.class})
final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Download, verify and cache known data sets: fashion-mnist, spamassassin, digits, wine, breast-cancer, sotu-era, sotu-party.",
                    "Already cached and verified sets are not downloaded again."})
    static final class Fetch implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "fashion-mnist, spamassassin, digits, wine, breast-cancer, sotu-era, sotu-party, or all")
        List<String> names;

        @Override
        public Integer call() {
            Context ctx = Context.fromEnvironment();
            List<KnownDataset> targets = names.contains("all") ? ctx.catalog().known()
                    : names.stream().map(ctx.catalog()::require).toList();
            for (KnownDataset ds : targets) {
                System.out.println("== " + ds.name());
                FetchReport r = ds.fetch(line -> System.out.println("  " + line));
                System.out.println("  origin:  " + r.origin());
                r.counts().forEach((k, v) -> System.out.printf("  %-8s %,d%n", k + ":", v));
                if (r.skipped() > 0 || !r.notes().isEmpty()) {
                    System.out.println("  skipped: " + r.skipped() + "; notes:");
                    r.notes().stream().limit(10).forEach(n -> System.out.println("    " + n));
                }
                System.out.println("  cached in " + ds.directory());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show known data sets, whether cached, sizes and counts.")
    static final class ListCached implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            Context ctx = Context.fromEnvironment();
            System.out.printf("%-14s %-8s %10s  %-40s %s%n", "name", "cached", "size", "counts", "description");
            for (KnownDataset ds : ctx.catalog().known()) {
                boolean cached = ds.isCached();
                long bytes = 0;
                String counts = "";
                if (cached) {
                    try (var files = Files.walk(ds.directory())) {
                        bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                    }
                    Object c = Manifest.read(ds.directory()).get("counts");
                    counts = c instanceof Map<?, ?> m ? m.toString() : "";
                }
                System.out.printf("%-14s %-8s %10s  %-40s %s%n", ds.name(), cached ? "yes" : "no",
                        cached ? String.format("%.1f MB", bytes / 1e6) : "-", counts, ds.description());
            }
            System.out.println("\ncache: " + ctx.home().datasets());
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Read a data set or file and show its schema, label counts and first examples (a text's start, personal data masked).")
    static final class Inspect implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataArgument data;

        @picocli.CommandLine.Mixin
        OnErrorOption onError;

        @Option(names = "--head", paramLabel = "N", defaultValue = "3", description = "Examples to show. Default: ${DEFAULT-VALUE}.")
        int head;

        @picocli.CommandLine.Mixin
        ColumnOptions columns;

        @Override
        public Integer call() {
            String ref = data.ref();
            Context ctx = Context.fromEnvironment();
            ReadResult r = ctx.catalog().withColumns(columns.names()).load(ref, onError.policy, System.out::println);
            Dataset d = r.dataset();
            System.out.println("data:     " + d.name());
            System.out.printf("examples: %,d (%,d labeled)%n", d.size(), d.labeledCount());
            if (d.labeledCount() == 0) {
                String hint = dev.distillery.data.LikelyLabels.hint(d, "inspect");
                System.out.println("warning: no record has a label, so this data can be predicted on or used as --unlabeled, not trained on"
                        + (hint.isEmpty() ? " (IDX images take their labels from a labels file beside them, e.g. train-labels-idx1-ubyte)"
                        : hint));
            }
            System.out.println("kind:     " + d.schema().kind() + (d.schema().kind() == dev.distillery.data.Schema.Kind.DENSE
                    ? ", feature shape " + d.schema().featureShape() : ""));
            if (!d.schema().featureNames().isEmpty()) {
                System.out.println("columns:  " + dev.distillery.data.Schema.describeColumns(d.schema().featureNames(), ""));
            }
            List<dev.distillery.data.ColumnSummary> summaries = dev.distillery.data.ColumnSummary.of(d);
            if (!summaries.isEmpty() && summaries.size() <= 60) {
                System.out.print(dev.distillery.data.ColumnSummary.table(summaries));
            }
            if (!MissingValues.byFeature(d).isEmpty()) {
                System.out.println("missing numbers are filled with the column's median over the data a model is trained on");
            }
            System.out.println("labels:");
            d.labelCounts().forEach((k, v) -> System.out.printf("  %-14s %,8d%n", k, v));
            InputCheck.lookAlikeLabels(d.labelCounts().keySet()).ifPresent(System.out::println);
            dev.distillery.curate.DuplicateGroups.describe(d).ifPresent(System.out::println);
            r.skippedReport().forEach(System.out::println);
            for (Example e : d.examples().subList(0, Math.min(head, d.size()))) {
                System.out.println("- " + e.id() + " [" + e.label().orElse("unlabeled") + "] "
                        + (e.isText() ? dev.distillery.data.PersonalData.excerpt(e.text(), 120) : d.schema().featureShape().size() == 1
                        ? dev.distillery.data.Schema.describeRow(d.schema().featureNames(), e.features(), 12)
                        : e.featureLength() + " features"));
            }
            return 0;
        }

    }

    @Command(name = "split", mixinStandardHelpOptions = true,
            description = {"Write a seeded, stratified train/test split of a data set or file as two files (a CSV, TSV or JSON Lines file's " +
                            "own records; JSONL for other data), so that " +
                            "several commands (train a teacher, distill a student) test on the same examples.",
                    "Exact and near duplicates (texts: the same normalized content, or word 5-gram Jaccard >= 0.8, as " +
                            "curate's near-dedup finds them; images: identical pixels) stay on one side, so the test " +
                            "set measures generalization, not memory; the count is printed and checked afresh."})
    static final class Split implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataArgument data;

        @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.3", description = "Share held out for testing. Default: ${DEFAULT-VALUE}.")
        double testFraction;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the two parts: train.jsonl"
                + " and test.jsonl, or train.csv and test.csv (.tsv) for such a file.")
        java.nio.file.Path out;

        @Option(names = "--format", paramLabel = "FORMAT",
                description = "jsonl or csv, written from the examples read (a table by the columns a model reads; a text"
                        + " set as id,label,text). Default: a CSV, TSV or JSON Lines file's parts are its own records, every"
                        + " column kept (those no model reads too); other data JSONL.")
        SplitJob.Format format;

        @picocli.CommandLine.Mixin
        ColumnOptions columns;

        @picocli.CommandLine.Mixin
        OnErrorOption onError;

        @Override
        public Integer call() {
            String ref = data.ref();
            Context ctx = Context.fromEnvironment();
            List<String> args = new java.util.ArrayList<>(List.of(ref, "--test-fraction", Double.toString(testFraction),
                    "--seed", Long.toString(seed), "--out", out.toString()));
            if (format != null) {
                args.addAll(List.of("--format", format.name().toLowerCase(java.util.Locale.ROOT)));
            }
            if (!columns.names().isDefault()) {
                args.addAll(List.of("--label-column", columns.names().label(), "--text-column", columns.names().text()));
            }
            SplitJob.Outcome o = new SplitJob(ctx.catalog().withColumns(columns.names()), ctx.runs(), System.out::println)
                    .run(ref, testFraction, seed, out, format, onError.policy, args);
            System.out.printf("wrote %,d training and %,d test examples to %s (seed %d%s)%s%n", o.train(), o.test(), out, seed,
                    o.skipped() > 0 ? ", " + o.skipped() + " bad records skipped" : "",
                    o.copiedFrom() == null ? "" : ", as the records of " + o.copiedFrom().getFileName() + " with all their columns"
                            + (o.leftOut().isEmpty() ? "" : " but " + String.join(", ", o.leftOut().stream().map(c -> "'" + c + "'").toList())
                            + " (personal data)"));
            System.out.println(o.description() + "; test examples with a duplicate in training: " + o.testDuplicatedInTraining());
            System.out.println("run saved to " + o.run().dir());
            return 0;
        }
    }
}
