package dev.distillery.cli;

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
        subcommands = {LabelCommand.Issues.class, LabelCommand.Simulate.class})
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

    @Command(name = "issues", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Rank likely mislabeled examples (confident learning): out-of-sample probabilities by k-fold",
                    "cross-validation, per-class confidence thresholds, and for each flagged example the suggested label.",
                    "Writes issues.jsonl in the run directory, most certain first."},
            footer = {"", "Examples:", "  distillery label issues my-labels.jsonl --model mlp",
                    "  distillery label issues fashion-mnist --model cnn --width 16 --epochs 4 --inject-noise 0.1   # measure it"})
    static final class Issues implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DATA", description = "Labeled data: a known data set or a file.")
        String data;

        @Option(names = "--folds", defaultValue = "5", paramLabel = "K", description = "Cross-validation folds. Default: ${DEFAULT-VALUE}.")
        int folds;

        @Option(names = "--inject-noise", defaultValue = "0", paramLabel = "SHARE",
                description = "First flip this share of labels to a random other class (seeded) and score the flags against them.")
        double injectNoise;

        @Mixin
        TrainOptions train;

        @Override
        public Integer call() {
            Context ctx = Context.fromEnvironment();
            LabelIssuesJob.Outcome o = new LabelIssuesJob(ctx.catalog(), ctx.runs(), new ConsoleProgress(System.out))
                    .run(data, train.modelSpec(), train.trainConfig(), folds, injectNoise, train.optimizer.onError.policy, args(spec));
            System.out.println();
            System.out.print(o.run().summary().replaceFirst("^# .*\\n\\n", ""));
            System.out.println("run saved to " + o.run().dir());
            return 0;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Simulate active learning on a labeled pool whose labels stay hidden until bought: each strategy starts",
                    "from the same random labels; each round trains a fresh model, tests it, and buys the strategy's next batch.",
                    "Writes the learning curves (JSON and PNG) and the labels each strategy needs to reach --target."},
            footer = {"", "Example:", "  distillery label simulate fashion-mnist --test fashion-mnist:test --model cnn --width 8 \\",
                    "      --initial 200 --batch 200 --budget 3000 --target 0.85"})
    static final class Simulate implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool: labeled data whose labels are hidden until bought.")
        String pool;

        @Option(names = "--test", required = true, paramLabel = "DATA", description = "Labeled test data.")
        String test;

        @Option(names = "--strategies", split = ",", defaultValue = "random,least-confidence,margin,entropy,kcenter",
                paramLabel = "S", description = "Strategies to compare. Default: ${DEFAULT-VALUE}.")
        List<String> strategies;

        @Option(names = "--initial", defaultValue = "200", paramLabel = "N", description = "Random labels to start from. Default: ${DEFAULT-VALUE}.")
        int initial;

        @Option(names = "--batch", defaultValue = "200", paramLabel = "N", description = "Labels bought per round. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--budget", defaultValue = "3000", paramLabel = "N", description = "Stop at this many labels. Default: ${DEFAULT-VALUE}.")
        int budget;

        @Option(names = "--steps", defaultValue = "400", paramLabel = "N",
                description = "Optimizer steps per round, at least (small sets get more epochs). Default: ${DEFAULT-VALUE}.")
        int steps;

        @Option(names = "--target", defaultValue = "0.85", paramLabel = "ACC", description = "Test accuracy to reach. Default: ${DEFAULT-VALUE}.")
        double target;

        @Mixin
        TrainOptions train;

        @Override
        public Integer call() {
            Context ctx = Context.fromEnvironment();
            var settings = new ActiveLearningSimulation.Settings(initial, batch, budget, steps, target);
            ActiveLearningJob.Outcome o = new ActiveLearningJob(ctx.catalog(), ctx.runs(), new ConsoleProgress(System.out))
                    .run(pool, test, train.modelSpec(), train.trainConfig(), settings,
                            strategies.stream().map(Strategy::parse).toList(), train.optimizer.onError.policy, args(spec));
            System.out.println();
            System.out.print(o.run().summary().replaceFirst("^# .*\\n\\n", ""));
            System.out.println("run saved to " + o.run().dir());
            return 0;
        }
    }
}
