package dev.distillery.cli;

import dev.distillery.compress.CompressJob;
import dev.distillery.compress.DomainShift;
import dev.distillery.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The compression commands: prune, quantize, factorize, lora, compress. Each works on a model a training run saved. */
final class CompressCommands {
    private CompressCommands() {}

    /** Fine-tuning options whose defaults depend on the command, so none are given here. */
    static final class FineTuneOptions {
        @Option(names = "--epochs", paramLabel = "N", description = "Fine-tuning epochs (per pruning step for unstructured pruning).")
        Integer epochs;

        @Option(names = "--lr", paramLabel = "RATE", description = "Peak fine-tuning learning rate (Adam, cosine decay).")
        Float learningRate;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "Examples per step. Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        TrainConfig config(int defaultEpochs, float defaultLr) {
            return new TrainConfig(epochs == null ? defaultEpochs : epochs, batchSize,
                    learningRate == null ? defaultLr : learningRate, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE,
                    0f, 0, seed);
        }
    }

    /** Shared: the model argument, the job, and printing the outcome. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        ModelArgument modelArgument;

        @Mixin
        FineTuneOptions fineTune;

        Context ctx;
        CompressJob job;
        Path modelDir;

        abstract CompressJob.Outcome run(CompressJob.Data data, List<String> args);

        /** The data the command works on: by default the splits of the run that made the model. */
        CompressJob.Data data() {
            return job.dataOf(modelDir);
        }

        /** A line after the table, or null. */
        String footnote() {
            return null;
        }

        /** The catalog files are read through: by default by the model's own columns. */
        dev.distillery.data.sources.DataCatalog catalog(dev.distillery.data.sources.DataCatalog catalog) {
            return catalog;
        }

        /** Whether the command changes a network's layers (all but quantize): a solved model is refused before its data is read. */
        boolean changesLayers() {
            return true;
        }

        @Override
        public Integer call() {
            ctx = Context.fromEnvironment();
            job = new CompressJob(catalog(ctx.catalog()), ctx.runs(), new ConsoleProgress(System.out));
            modelDir = ModelRef.resolve(ctx, modelArgument.ref());
            if (changesLayers()) {
                CompressJob.requireNetwork(modelDir);
            }
            CompressJob.Data data = data();
            CompressJob.Outcome o = run(data, List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
            System.out.println();
            System.out.print(CompressJob.table(o));
            if (o.chosen() != null && o.variants().size() > 1) {
                System.out.println("\nchosen (*): " + o.chosen().name());
            }
            String footnote = footnote();
            if (footnote != null) {
                System.out.println("\n" + footnote);
            }
            System.out.println();
            System.out.println("run saved to " + o.run().dir());
            System.out.println("  summary: " + o.run().dir().resolve("summary.md"));
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Prune a trained model and fine-tune it; report accuracy, size, FLOPs and speed beside the original.",
                    "Unstructured (default): global magnitude pruning to --sparsity along a cubic schedule of --steps " +
                            "steps, fine-tuning --epochs (default 1) after each with pruned weights held at zero.",
                    "Structured (--structured): removes whole channels and hidden units, keeping --keep of each layer, " +
                            "and rebuilds smaller layers so the model really runs faster; then fine-tunes --epochs (default 3)."},
            footer = {"", "Examples:", "  distillery prune <run> --sparsity 0.9", "  distillery prune <run> --structured --keep 0.5"})
    static final class Prune extends Base {
        @Option(names = "--sparsity", defaultValue = "0.9", paramLabel = "S", description = "Share of weights to zero. Default: ${DEFAULT-VALUE}.")
        double sparsity;

        @Option(names = "--steps", defaultValue = "4", paramLabel = "N", description = "Pruning steps. Default: ${DEFAULT-VALUE}.")
        int steps;

        @Option(names = "--structured", description = "Remove whole channels and units instead of single weights.")
        boolean structured;

        @Option(names = "--keep", defaultValue = "0.5", paramLabel = "K",
                description = "With --structured: share of each layer's channels and units to keep. Default: ${DEFAULT-VALUE}.")
        double keep;

        @Override
        CompressJob.Outcome run(CompressJob.Data data, List<String> args) {
            return structured ? job.structured(modelDir, data, keep, fineTune.config(3, 3e-4f), args)
                    : job.prune(modelDir, data, sparsity, steps, fineTune.config(1, 3e-4f), args);
        }
    }

    @Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Quantize a trained model's weights to 8 (or 4) bits with one scale per output channel (per input column for the " +
                            "linear model of a table, whose weights carry each feature's scale), save the " +
                            "packed artifact, load it back and report its real file size and accuracy beside the original.",
                    "Activations stay float: the PyTorch engine behind DJL exposes no int8 kernels for these layers."},
            footer = {"", "Example:", "  distillery quantize <run> --bits 8"})
    static final class Quantize extends Base {
        @Option(names = "--bits", defaultValue = "8", paramLabel = "B", description = "8 or 4. Default: ${DEFAULT-VALUE}.")
        int bits;

        @Override
        CompressJob.Outcome run(CompressJob.Data data, List<String> args) {
            return job.quantize(modelDir, data, bits, args);
        }

        @Override
        boolean changesLayers() {
            return false; // every family's weights can be stored in fewer bits
        }
    }

    @Command(name = "lora", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Adapt a trained network to a new domain with LoRA adapters on its dense layers (batch-norm scales " +
                            "and shifts train too; everything else, an n-gram model's table included, stays frozen).",
                    "The new domain is your own labeled examples (--data: texts of another kind, images from another " +
                            "camera, read as the model reads its files), tested on --test or on a stratified --test-fraction " +
                            "of them; or, for an image model, its own data shifted (--shift). The base model is measured on " +
                            "the new domain first. The adapter is saved apart from the base; the merged model is saved as the " +
                            "run's model. --full also fine-tunes every weight, for comparison."},
            footer = {"", "Examples:", "  distillery lora <run> --data support-tickets.csv --text-column body --full",
                    "  distillery lora <run> --shift invert --rank 8 --full"})
    static final class Lora extends Base {
        @Option(names = "--data", paramLabel = "DATA",
                description = "The new domain's labeled examples: a data set or file, with the model's labels.")
        String target;

        @Mixin
        TestSetOptions testSet;

        @Option(names = "--shift", paramLabel = "NAME",
                description = "Without --data, an image model's own data shifted: invert (1 - x) or rotate90. Default: invert.")
        String shift;

        @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "Adapter rank. Default: ${DEFAULT-VALUE}.")
        int rank;

        @Option(names = "--alpha", defaultValue = "16", paramLabel = "A", description = "Adapter scale numerator (update * A / R). Default: ${DEFAULT-VALUE}.")
        float alpha;

        @Option(names = "--full", description = "Also fine-tune all weights on the same data and compare.")
        boolean full;

        @Mixin
        ColumnOptions columns;

        @Mixin
        OnErrorOption onError;

        @Override
        dev.distillery.data.sources.DataCatalog catalog(dev.distillery.data.sources.DataCatalog catalog) {
            return columns.applyTo(catalog);
        }

        @Override
        CompressJob.Data data() {
            if (target == null) {
                if (testSet.test != null) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--test is the new domain's test"
                            + " data: give the new domain's examples with --data too");
                }
                return super.data();
            }
            if (shift != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--data and --shift are two ways to name"
                        + " the new domain: give one");
            }
            testSet.check();
            return job.targetData(modelDir, target, testSet.test, testSet.fraction, fineTune.seed, onError.policy);
        }

        /**
         * Adapting is worth it only where it beats starting afresh: on State of the Union passages from 1970 on, an
         * n-gram model of the 193 new examples alone beat the older model fully fine-tuned on them (0.655 against 0.647).
         */
        @Override
        String footnote() {
            if (target == null) {
                return null;
            }
            return "to see whether adapting beats starting afresh, train on the new examples alone: distillery train --data "
                    + target + (testSet.test != null ? " --test " + testSet.test : " --test-fraction " + testSet.fraction)
                    + ColumnOptions.asOptions(columns.names());
        }

        @Override
        CompressJob.Outcome run(CompressJob.Data data, List<String> args) {
            if (target != null) { // the model's own learning rate (an n-gram table's 1e-2 moved nothing at 1e-3 in 200 steps)
                return job.lora(modelDir, data, target, testSet.test, rank, alpha, fineTune.config(3, TrainConfig.MODEL_DEFAULT),
                        full, args);
            }
            return job.lora(modelDir, data, DomainShift.parse(shift == null ? "invert" : shift), rank, alpha,
                    fineTune.config(3, 1e-3f), full, args);
        }
    }

    @Command(name = "factorize", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Factorize a CNN's hidden dense layer by truncated SVD at --rank (the best rank-r approximation), " +
                            "then fine-tune --epochs (default 2); reports the model before and after fine-tuning beside the " +
                            "original."},
            footer = {"", "Example:", "  distillery factorize <run> --rank 64"})
    static final class Factorize extends Base {
        @Option(names = "--rank", required = true, paramLabel = "R", description = "Rank of the factorized layer.")
        int rank;

        @Override
        CompressJob.Outcome run(CompressJob.Data data, List<String> args) {
            return job.factorize(modelDir, data, rank, fineTune.config(2, 3e-4f), args);
        }
    }

    @Command(name = "compress", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Search structured-pruning levels, low-rank (SVD) factorizations of the hidden dense layer and weight" +
                            " precisions (32, 8, 4 bits) for the smallest (or fastest) model whose validation accuracy is within " +
                            "--max-drop points of the original.",
                    "Every candidate is measured; the frontier is written as a table and plots (accuracy against size and" +
                            " against latency)."},
            footer = {"", "Example:", "  distillery compress <run> --max-drop 1.0 --target size"})
    static final class Compress extends Base {
        @Option(names = "--max-drop", defaultValue = "1.0", paramLabel = "POINTS",
                description = "Largest validation-accuracy loss allowed, in points. Default: ${DEFAULT-VALUE}.")
        double maxDrop;

        @Option(names = "--target", defaultValue = "size", paramLabel = "WHAT", description = "size or latency. Default: ${DEFAULT-VALUE}.")
        String target;

        @Option(names = "--keeps", split = ",", defaultValue = "0.75,0.5,0.35", paramLabel = "K",
                description = "Structured-pruning levels to try (share of channels kept). Default: ${DEFAULT-VALUE}.")
        List<Double> keeps;

        @Option(names = "--ranks", split = ",", defaultValue = "96,48", paramLabel = "R",
                description = "Ranks to try for the hidden dense layer's SVD factorization. Default: ${DEFAULT-VALUE}.")
        List<Integer> ranks;

        @Override
        CompressJob.Outcome run(CompressJob.Data data, List<String> args) {
            return job.auto(modelDir, data, maxDrop, target, keeps, ranks, fineTune.config(2, 3e-4f), args);
        }
    }
}
