package dev.distillery.cli;

import dev.distillery.data.ReadResult;
import dev.distillery.label.ActiveLearningJob;
import dev.distillery.label.ActiveLearningSimulation;
import dev.distillery.label.LabelIssuesJob;
import dev.distillery.label.Strategy;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "label", mixinStandardHelpOptions = true, description = "Spend labels well: find likely label errors, simulate active learning.",
        subcommands = {LabelCommand.Next.class, LabelCommand.Import.class, LabelCommand.Issues.class, LabelCommand.Simulate.class})
final class LabelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static List<String> args(picocli.CommandLine.Model.CommandSpec spec) {
        return List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new));
    }

    /** Prints a finished run's summary (without its title line) and where the run is. */
    static void printRun(dev.distillery.run.Run run) {
        System.out.println();
        System.out.print(run.summary().replaceFirst("^# .*\\n\\n", ""));
        System.out.println("run saved to " + run.dir());
    }

    @Command(name = "next", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Pick the next examples to label from a pool and write them for annotators: batch-NNN.csv (id,label,text or image: fill in the label column)," +
                            " batch-NNN.jsonl, and batch-NNN.labelstudio.json with label-studio-config.xml for Label Studio.",
                    "With answers in two or more classes, a model trained on them ranks the pool by --strategy; before " +
                            "that the pick is random. Labels already in the pool file are ignored: only imported answers count.",
                    "Examples of a batch whose answers have not come back are not picked again; once any answer of a batch " +
                            "is imported, the examples left blank in it return to the pool."},
            footer = {"", "Workflow:", "  distillery label next mail.jsonl --project lab --labels ham,spam --n 50",
                    "  (annotate lab/batch-001.csv, or import lab/batch-001.labelstudio.json into Label Studio and export JSON)",
                    "  distillery label import lab/batch-001.csv --project lab",
                    "  distillery label next mail.jsonl --project lab --n 50 --strategy margin"})
    static final class Next implements Callable<Integer> {
        @Mixin
        DataArgument poolArgument;

        @Option(names = "--project", required = true, paramLabel = "DIR", description = "The labeling project directory (created on first use).")
        java.nio.file.Path project;

        @Option(names = "--labels", split = ",", paramLabel = "L",
                description = "The label set, on first use (default: the pool's labels, if it has any).")
        List<String> labels;

        @Option(names = "--n", defaultValue = "50", paramLabel = "N", description = "Examples in the batch. Default: ${DEFAULT-VALUE}.")
        int n;

        @Option(names = "--strategy", defaultValue = "margin", paramLabel = "S",
                description = "random, least-confidence, margin, entropy, kcenter or diverse-margin. Default: ${DEFAULT-VALUE}.")
        String strategy;

        @Mixin
        ColumnOptions columns;

        @Mixin
        TrainOptions train;

        @Override
        public Integer call() {
            String pool = poolArgument.ref();
            Context ctx = Context.fromEnvironment();
            // the pool is read by the columns the project was started with, without the options given again
            var names = ctx.catalog().withLoneText(pool, dev.distillery.label.LabelingProject.columnsFor(project, columns.names()),
                    System.out::println);
            var read = ctx.catalog().withColumns(names).load(pool, train.optimizer.onError.policy, System.out::println);
            ReadResult.skippedReport(read.skipped(), read.skipReasons(), pool).forEach(System.out::println);
            List<String> labelSet = labels != null ? labels : read.dataset().schema().labels();
            var proj = dev.distillery.label.LabelingProject.openOrCreate(project, pool, labelSet, columns.names());
            ConsoleProgress progress = new ConsoleProgress(System.out);
            if (train.modelSpec() == null && !proj.answers().isEmpty()) {
                // as train does: a table's free-text column is read as the text where the answers say it is the better view
                var chosen = dev.distillery.train.TextColumnChoice.forAnswers(pool, names, ctx.catalog(), train.optimizer.onError.policy,
                        proj.config().labels(), proj.answers(), train.trainConfig().seed(), progress);
                if (!chosen.equals(names)) {
                    names = chosen;
                    read = ctx.catalog().withColumns(names).load(pool, train.optimizer.onError.policy, m -> { });
                }
            }
            // annotators see each record as the pool file holds it, not only the columns a model reads
            var records = ctx.catalog().isKnown(pool) ? null : dev.distillery.data.SourceRecords.of(java.nio.file.Path.of(pool), read, names);
            var batch = proj.next(read.dataset(), n, Strategy.parse(strategy), train.modelSpec(), train.trainConfig(),
                    progress, records);
            System.out.printf("batch %d: %d examples picked by %s (%d answers so far)%n", batch.number(), batch.ids().size(),
                    batch.strategy().label(), proj.answers().size());
            if (batch.stillOut() > 0) {
                System.out.printf("  (%d examples of earlier batches await answers and were not picked again)%n", batch.stillOut());
            }
            System.out.println("  annotate: " + batch.csv());
            System.out.println("  or Label Studio: import " + batch.labelStudio() + " with " + project.resolve("label-studio-config.xml"));
            System.out.println("  then:     distillery label import <answers> --project " + project);
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Read answers into a labeling project: a CSV whose first columns are id,label (a batch's CSV, filled in), JSON lines with id and label, or a Label " +
                            "Studio JSON export of tasks imported from a batch.",
                    "Rows without an answer are counted and skipped. Then writes labeled.jsonl in the project: the pool's answered " +
                            "examples with their labels, a data set to train on (distillery train --data DIR/labeled.jsonl)."})
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "The answers file.")
        java.nio.file.Path file;

        @Option(names = "--project", required = true, paramLabel = "DIR", description = "The labeling project directory.")
        java.nio.file.Path project;

        @Override
        public Integer call() {
            var proj = dev.distillery.label.LabelingProject.openOrCreate(project, null, null);
            var r = proj.importAnswers(file);
            System.out.printf("imported %s: %d new, %d changed, %d unchanged, %d without an answer (skipped); %d answers in total%n",
                    file, r.added(), r.changed(), r.unchanged(), r.skippedUnanswered(), proj.answers().size());
            // The answers as a data set: the pool's examples with their labels, ready to train on.
            String pool = proj.config().pool();
            dev.distillery.data.ReadResult read;
            try {
                read = Context.fromEnvironment().catalog().withColumns(proj.config().columns()).load(pool,
                        dev.distillery.data.OnError.SKIP, System.out::println);
            } catch (dev.distillery.data.DataFormatException | java.io.UncheckedIOException e) {
                // the answers are in; only the data set of labeled examples cannot be made without the pool
                System.out.println("labeled examples not written: the pool cannot be read (" + e.getMessage() + ")");
                return 0;
            }
            Context ctx = Context.fromEnvironment();
            var records = ctx.catalog().isKnown(pool) ? null
                    : dev.distillery.data.SourceRecords.of(java.nio.file.Path.of(pool), read, proj.config().columns());
            var labeled = proj.writeLabeled(read.dataset(), records);
            System.out.printf("wrote %s: %d labeled examples of %s%s%s%n", labeled.file(), labeled.examples(), pool,
                    labeled.notInPool() > 0 ? "; " + labeled.notInPool() + " answers name ids the pool does not hold" : "",
                    read.skipped() > 0 ? "; " + read.skipped() + " bad records of the pool skipped" : "");
            System.out.println("  train on them: distillery train --data " + labeled.file() + ColumnOptions.asOptions(proj.config().columns()));
            return 0;
        }
    }

    @Command(name = "issues", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Rank likely mislabeled examples (confident learning): out-of-sample probabilities by k-fold " +
                            "cross-validation, per-class confidence thresholds, and for each flagged example the suggested label.",
                    "Writes issues.jsonl in the run directory, most certain first."},
            footer = {"", "Examples:", "  distillery label issues my-labels.jsonl --model mlp",
                    "  distillery label issues fashion-mnist --model cnn --width 16 --epochs 4 --inject-noise 0.1   # measure it"})
    static final class Issues implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        DataArgument dataArgument;

        @Option(names = "--folds", defaultValue = "5", paramLabel = "K", description = "Cross-validation folds. Default: ${DEFAULT-VALUE}.")
        int folds;

        @Option(names = "--inject-noise", defaultValue = "0", paramLabel = "SHARE",
                description = "First flip this share of labels to a random other class (seeded) and score the flags against them.")
        double injectNoise;

        @Option(names = "--rule", defaultValue = "low-margin", paramLabel = "RULE",
                description = {"low-margin: as many flags as there are examples confidently in another class, those whose given "
                                + "label leads least (or trails most); noise-rate: per (given, likely) class pair, as many as the "
                                + "calibrated noise rate estimates; both: noise-rate flags where another class is confidently "
                                + "above its threshold. Default: ${DEFAULT-VALUE}."})
        String rule;

        @Mixin
        TrainOptions train;

        @Mixin
        ColumnOptions columns;

        @Override
        public Integer call() {
            String data = dataArgument.ref();
            Context ctx = Context.fromEnvironment();
            LabelIssuesJob.Outcome o = new LabelIssuesJob(ctx.catalog().withColumns(columns.names()), ctx.runs(), new ConsoleProgress(System.out))
                    .run(data, train.modelSpec(), train.trainConfig(), folds, injectNoise,
                            dev.distillery.label.ConfidentLearning.Rule.parse(rule), train.optimizer.onError.policy, args(spec));
            printRun(o.run());
            return 0;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Simulate active learning on a labeled pool whose labels stay hidden until bought: each strategy " +
                            "starts from the same random labels; each round trains a fresh model, tests it, and buys the " +
                            "strategy's next batch.",
                    "Writes the learning curves (JSON and PNG) and the labels each strategy needs to reach --target."},
            footer = {"", "Example:", "  distillery label simulate fashion-mnist --test fashion-mnist:test --model cnn --width 8 \\",
                    "      --initial 200 --batch 200 --budget 3000 --target 0.85"})
    static final class Simulate implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        DataArgument poolArgument;

        @Option(names = "--test", required = true, paramLabel = "DATA", description = "Labeled test data.")
        String test;

        @Option(names = "--strategies", split = ",", defaultValue = "random,least-confidence,margin,entropy,kcenter,diverse-margin",
                paramLabel = "S", description = "Strategies to compare. Default: ${DEFAULT-VALUE}.")
        List<String> strategies;

        @Option(names = "--initial", defaultValue = "200", paramLabel = "N", description = "Random labels to start from. Default: ${DEFAULT-VALUE}.")
        int initial;

        @Option(names = "--batch", defaultValue = "200", paramLabel = "N", description = "Labels bought per round. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--budget", defaultValue = "3000", paramLabel = "N", description = "Stop at this many labels. Default: ${DEFAULT-VALUE}.")
        int budget;

        @Option(names = "--steps", defaultValue = "400", paramLabel = "N",
                description = "Optimizer steps per round, at least (an epoch of a small set makes several passes over it)."
                        + " Default: ${DEFAULT-VALUE}.")
        int steps;

        @Option(names = "--target", defaultValue = "0.85", paramLabel = "ACC", description = "Test accuracy to reach. Default: ${DEFAULT-VALUE}.")
        double target;

        @Mixin
        TrainOptions train;

        @Mixin
        ColumnOptions columns;

        @Override
        public Integer call() {
            String pool = poolArgument.ref();
            Context ctx = Context.fromEnvironment();
            var settings = new ActiveLearningSimulation.Settings(initial, batch, budget, steps, target);
            ActiveLearningJob.Outcome o = new ActiveLearningJob(ctx.catalog().withColumns(columns.names()), ctx.runs(), new ConsoleProgress(System.out))
                    .run(pool, test, train.modelSpec(), train.trainConfig(), settings,
                            strategies.stream().map(Strategy::parse).toList(), train.optimizer.onError.policy, args(spec));
            printRun(o.run());
            return 0;
        }
    }
}
