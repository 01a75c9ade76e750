package dev.distillery.compress;

import dev.distillery.eval.Evaluation;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.curate.DuplicateGroups;
import dev.distillery.data.Dataset;
import dev.distillery.data.InputCheck;
import dev.distillery.data.OnError;
import dev.distillery.data.Schema;
import dev.distillery.data.Splits;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.eval.SpeedReport;
import dev.distillery.model.Classifier;
import dev.distillery.model.Flops;
import dev.distillery.model.ModelSpec;
import dev.distillery.report.Plots;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.train.ClassifierTrainer;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainJob;
import dev.distillery.train.SmallData;
import dev.distillery.train.TrainListener;
import dev.distillery.train.TrainSpec;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The compression commands as library calls. Each starts from a saved model, makes one or more
 * compressed variants, and measures every variant the same way on the same machine and threads:
 * validation and test accuracy, parameters (and non-zero ones), bytes on disk, multiply-accumulates,
 * single-example latency and batch-256 throughput. Choices (which variant is "best") use the
 * validation split; the test set is only reported.
 */
public final class CompressJob {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int THROUGHPUT_BATCH = 256;

    /** The splits a model was trained and is judged on. */
    public record Data(Dataset train, Dataset validation, Dataset test) {}

    /** One measured model. */
    public record Variant(String name, double validationAccuracy, double testAccuracy, long parameters, long nonzero,
            long bytesOnDisk, long flops, SpeedReport speed) {}

    /** What a compression run produced: the base first, then the variants, and the one chosen (or null). */
    public record Outcome(Run run, Variant base, List<Variant> variants, Variant chosen, Map<String, Object> extra) {}

    private final DataCatalog catalog;
    private final RunStore runs;
    private final TrainListener listener;

    public CompressJob(DataCatalog catalog, RunStore runs, TrainListener listener) {
        this.catalog = catalog;
        this.runs = runs;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /**
     * The train, validation and test splits of the run that made the model in {@code modelDir}, rebuilt from its recorded
     * configuration (same data, same seed, same splits). A training run that held out no validation split (too few
     * labels, or a model chosen by cross-validation) gives none; a distillation run gives its test data only (its student
     * learned from the teacher on the transfer set, with no hold-out). {@link #quantize} needs only test data; the
     * commands that fine-tune or choose need a validation split and say so.
     */
    public Data dataOf(Path modelDir) {
        Path config = modelDir.getParent() == null ? null : modelDir.getParent().resolve(Run.CONFIG);
        if (config == null || !Files.isRegularFile(config)) {
            throw new IllegalArgumentException(modelDir + " is not inside a training run (no " + Run.CONFIG
                    + " next to it); compress a model that 'distillery train' or 'distillery distill' saved");
        }
        try {
            com.fasterxml.jackson.databind.JsonNode c = JSON.readTree(config.toFile());
            if (c.path("teacher").isTextual() && c.path("transfer").isTextual() && c.path("test").isTextual()) {
                try (Classifier model = Classifier.load(modelDir)) {
                    Dataset test = InputCheck.conform(catalog.loadDatasetFor(c.get("test").asText(),
                            model.schema(), OnError.SKIP, listener::onMessage), model.schema(),
                            InputCheck.Labels.MUST_BE_KNOWN);
                    return new Data(null, null, InputCheck.labeledOnly(test, "scored", listener::onMessage));
                }
            }
            TrainSpec spec = TrainJob.specOf(modelDir);
            if (spec == null) {
                throw new IllegalArgumentException(modelDir + " was not saved by a training or distillation run; compress a"
                        + " model that 'distillery train' or 'distillery distill' saved");
            }
            TrainJob.Splits3 s = new TrainJob(catalog, runs, listener).prepare(spec);
            Dataset test = s.test().filter(s.test().name(), e -> e.hasLabel());
            return new Data(s.trainWithExtra(), s.validation(), test); // what the model trained on
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + config, e);
        }
    }

    /**
     * Fails with the reason when the model in {@code modelDir} is of a family solved in one go (linear, SVM), which has
     * no layers to prune, factorize or adapt by gradient steps: checked before its data is read, so the answer comes first.
     */
    public static void requireNetwork(Path modelDir) {
        String family = solvedFamily(modelDir);
        if (family != null) {
            throw new IllegalArgumentException("the model in " + modelDir.getParent() + " is " + family + ", solved rather than "
                    + "trained by gradient steps: pruning, factorizing, LoRA and the compression search work on networks "
                    + "(mlp, cnn, ngram); quantize stores this model in fewer bits");
        }
    }

    /** Fails with the reason when {@code data} has no validation split to fine-tune against and choose on. */
    private static void requireValidation(Data data, Path modelDir) {
        requireNetwork(modelDir);
        if (data.validation() == null || data.train() == null) {
            throw new IllegalArgumentException("the run in " + modelDir.getParent() + " held out no validation split (a training run "
                    + "with too few labels to hold some out or whose model chose by cross-validation, or a distillation run); "
                    + "this command fine-tunes and chooses on one: use a model trained with one (quantize needs none)");
        }
    }

    /** "a linear model" or "an RBF-kernel SVM" for the families these commands cannot work on, else null. */
    private static String solvedFamily(Path modelDir) {
        Path spec = modelDir.resolve(Classifier.SPEC_FILE);
        try {
            if (!Files.isRegularFile(spec)) {
                return null;
            }
            ModelSpec saved = JSON.treeToValue(JSON.readTree(spec.toFile()).get("spec"), ModelSpec.class);
            return saved instanceof dev.distillery.model.LinearSpec ? "a linear model"
                    : saved instanceof dev.distillery.model.SvmSpec ? "an RBF-kernel SVM" : null;
        } catch (IOException | IllegalArgumentException e) {
            return null; // unreadable: loading the model says why
        }
    }

    /** Gradual magnitude pruning to {@code sparsity}, fine-tuning {@code fineTune.epochs()} epochs per step. */
    public Outcome prune(Path modelDir, Data data, double sparsity, int steps, TrainConfig fineTune, List<String> args) {
        requireValidation(data, modelDir);
        Map<String, Object> config = config(modelDir, "sparsity", sparsity, "steps", steps, "fine_tune", fineTune);
        return inRun("prune", config, fineTune.seed(), args, run -> {
            try (Classifier model = Classifier.load(modelDir)) {
                Variant base = measure("base", model, modelDir, data);
                List<MagnitudePruner.Step> history = new MagnitudePruner(fineTune, steps, listener)
                        .prune(model, data.train(), data.validation(), sparsity, run.checkpointDir());
                model.save(run.modelDir(), Map.of("pruned_from", modelDir.toString(), "sparsity", sparsity));
                Variant pruned = measure(String.format("sparse %.0f%%", 100 * sparsity), model, run.modelDir(), data);
                return new Outcome(run, base, List.of(pruned), pruned, Map.of("steps", history,
                        "sparsity", WeightMasks.sparsity(model.block())));
            }
        });
    }

    /** Structured pruning keeping {@code keep} of each layer's channels and units, then fine-tuning. */
    public Outcome structured(Path modelDir, Data data, double keep, TrainConfig fineTune, List<String> args) {
        requireValidation(data, modelDir);
        Map<String, Object> config = config(modelDir, "keep", keep, "fine_tune", fineTune);
        return inRun("prune", config, fineTune.seed(), args, run -> {
            try (Classifier model = Classifier.load(modelDir)) {
                Variant base = measure("base", model, modelDir, data);
                try (Classifier pruned = ChannelPruner.apply(model, ChannelPruner.plan(model, keep))) {
                    listener.onMessage("pruned to " + pruned.spec() + "; fine-tuning");
                    new ClassifierTrainer(fineTune, listener, run.checkpointDir("fine-tune")).train(pruned, data.train(), data.validation());
                    pruned.save(run.modelDir(), Map.of("pruned_from", modelDir.toString(), "keep", keep));
                    Variant v = measure(String.format("channels %.0f%%", 100 * keep), pruned, run.modelDir(), data);
                    return new Outcome(run, base, List.of(v), v, Map.of("flops_ratio", v.flops() / (double) base.flops(),
                            "throughput_speedup", v.speed().throughputPerSecond() / base.speed().throughputPerSecond()));
                }
            }
        });
    }

    /** Low-rank (truncated SVD) factorization of the hidden dense layer at {@code rank}, then fine-tuning. */
    public Outcome factorize(Path modelDir, Data data, int rank, TrainConfig fineTune, List<String> args) {
        requireValidation(data, modelDir);
        Map<String, Object> config = config(modelDir, "rank", rank, "fine_tune", fineTune);
        return inRun("factorize", config, fineTune.seed(), args, run -> {
            try (Classifier model = Classifier.load(modelDir)) {
                Variant base = measure("base", model, modelDir, data);
                try (Classifier low = LowRank.factorize(model, rank)) {
                    Variant before = measure("rank " + rank + ", no fine-tuning", low, null, data);
                    listener.onMessage("factorized to " + low.spec() + "; fine-tuning");
                    new ClassifierTrainer(fineTune, listener, run.checkpointDir("fine-tune")).train(low, data.train(), data.validation());
                    low.save(run.modelDir(), Map.of("factorized_from", modelDir.toString(), "rank", rank));
                    Variant v = measure("rank " + rank, low, run.modelDir(), data);
                    return new Outcome(run, base, List.of(before, v), v, Map.of("flops_ratio", v.flops() / (double) base.flops()));
                }
            }
        });
    }

    /** Post-training quantization of the weights to {@code bits} (8 or 4), saved as a packed artifact. */
    public Outcome quantize(Path modelDir, Data data, int bits, List<String> args) {
        return inRun("quantize", config(modelDir, "bits", bits), 0, args, run -> {
            try (Classifier model = Classifier.load(modelDir)) {
                Variant base = measure("base", model, modelDir, data);
                model.save(run.modelDir(), Map.of("quantized_from", modelDir.toString()), bits);
                try (Classifier quantized = Classifier.load(run.modelDir())) {
                    Variant v = measure("int" + bits, quantized, run.modelDir(), data);
                    return new Outcome(run, base, List.of(v), v, Map.of("size_ratio", base.bytesOnDisk() / (double) v.bytesOnDisk()));
                }
            }
        });
    }

    /**
     * Adapts the model to {@code shift} with LoRA adapters of {@code rank}, and (when {@code fullToo}) fine-tunes a copy
     * of all its weights on the same data for comparison. The adapter is saved under the run's {@code adapter/}.
     */
    public Outcome lora(Path modelDir, Data data, DomainShift shift, int rank, float alpha, TrainConfig train, boolean fullToo,
            List<String> args) {
        Schema schema = data.test().schema();
        if (schema.kind() != Schema.Kind.DENSE || schema.featureShape().size() != 3) {
            // a shift turns images; a text or table model was told only "needs square images shaped []"
            throw new IllegalArgumentException("this model reads " + InputCheck.describe(schema) + ": a shift turns an image"
                    + " model's own images; adapt it to labeled examples of the new domain instead (--data)");
        }
        requireValidation(data, modelDir);
        Data shifted = new Data(shift.apply(data.train()), shift.apply(data.validation()), shift.apply(data.test()));
        Map<String, Object> config = config(modelDir, "shift", shift, "rank", rank, "alpha", alpha, "train", train,
                "full_fine_tune", fullToo);
        return adapt(modelDir, shifted, "shifted data", shift.name(), config, List.of(), rank, alpha, train, fullToo, args);
    }

    /**
     * Adapts the model to a new domain's labeled examples ({@link #targetData}) with LoRA adapters, and (when
     * {@code fullToo}) compares with fine-tuning every weight: a model trained where labels were plenty, carried to
     * where they are few (a text model to another kind of document, an image model to another camera).
     */
    public Outcome lora(Path modelDir, Data target, String targetRef, String targetTestRef, int rank, float alpha,
            TrainConfig train, boolean fullToo, List<String> args) {
        requireNetwork(modelDir);
        // A new domain's labels are few, as any small training set's: batches capped by their number and at least
        // SmallData.MIN_STEPS optimizer steps (3 epochs of 128 were 6 steps on 200 examples, and changed nothing).
        train = SmallData.capBatch(train.withMinSteps(Math.max(train.minSteps(), SmallData.MIN_STEPS)), target.train().size());
        if (!train.hasLearningRate()) { // the model's own, resolved here so that the run records the rate it trained at
            try (Classifier model = Classifier.load(modelDir)) {
                train = train.withLearningRate(model.spec().defaultLearningRate());
            }
        }
        Map<String, Object> config = config(modelDir, "data", targetRef, "test", targetTestRef, "rank", rank, "alpha", alpha,
                "train", train, "full_fine_tune", fullToo);
        List<Path> inputs = new ArrayList<>(catalog.inputFiles(targetRef, listener::onMessage));
        if (targetTestRef != null) {
            inputs.addAll(catalog.inputFiles(targetTestRef, listener::onMessage));
        }
        return adapt(modelDir, target, "the new data", targetRef, config, inputs, rank, alpha, train, fullToo, args);
    }

    /**
     * The new domain's data for {@link #lora(Path, Data, String, String, int, float, TrainConfig, boolean, List)}, read
     * as the model reads its files (its columns, its labels): the labeled examples of {@code ref}, tested on
     * {@code testRef} or on a stratified {@code testFraction} of them (duplicates kept on one side), with a validation
     * hold-out for early stopping where the examples left allow one ({@link SmallData#holdsOut}), else none.
     */
    public Data targetData(Path modelDir, String ref, String testRef, double testFraction, long seed, OnError onError) {
        try (Classifier model = Classifier.load(modelDir)) {
            Schema schema = model.schema();
            Dataset all = labeledFor(ref, schema, onError);
            Dataset train = all;
            Dataset test;
            if (testRef != null) {
                test = labeledFor(testRef, schema, onError);
            } else {
                Splits.Pair parts = TrainJob.splitOffTest(new DuplicateGroups(), all, testFraction, seed, "test split of " + ref,
                        listener::onMessage).parts();
                train = parts.first();
                test = parts.second();
            }
            if (train.isEmpty() || test.isEmpty()) {
                throw new IllegalArgumentException(ref + " holds " + all.size() + " labeled examples, too few to adapt on and"
                        + " test on both" + (testRef == null ? "; give more, or a test set of its own with --test" : ""));
            }
            Dataset validation = null;
            if (SmallData.holdsOut(train.size(), schema.numClasses(), VALIDATION_FRACTION)) {
                Splits.Pair parts = DuplicateGroups.split(train, VALIDATION_FRACTION, seed + 1, "train", "validation").parts();
                train = parts.first();
                validation = parts.second();
            } else {
                listener.onMessage(String.format("no validation hold-out: %,d labeled examples are too few to hold some out;"
                        + " adapting for the whole schedule", train.size()));
            }
            return new Data(train, validation, test);
        }
    }

    /** Share of a new domain's training examples held out for early stopping, where enough are left. */
    private static final double VALIDATION_FRACTION = 0.1;

    /** The labeled examples of {@code ref}, read as a file for the model is, with labels the model knows. */
    private Dataset labeledFor(String ref, Schema schema, OnError onError) {
        Dataset read = InputCheck.conform(catalog.loadDatasetFor(ref, schema, onError, listener::onMessage), schema,
                InputCheck.Labels.MUST_BE_KNOWN);
        return InputCheck.labeledOnly(read, "adapted on", listener::onMessage);
    }

    /** LoRA on {@code domain} (the base measured on it first), then, when {@code fullToo}, full fine-tuning beside it. */
    private Outcome adapt(Path modelDir, Data domain, String domainName, String domainLabel, Map<String, Object> config,
            List<Path> inputs, int rank, float alpha, TrainConfig train, boolean fullToo, List<String> args) {
        return inRun("lora", config, train.seed(), inputs, args, run -> {
            List<Variant> variants = new ArrayList<>();
            Map<String, Object> extra = new LinkedHashMap<>();
            Variant base;
            try (Classifier model = Classifier.load(modelDir)) {
                base = measure("base on " + domainName, model, modelDir, domain);
                LoraAdapter adapter = LoraAdapter.attach(model, rank, alpha, train.seed(), modelDir);
                extra.put("trainable_parameters", adapter.trainableParameters());
                extra.put("base_parameters", adapter.baseParameters());
                extra.put("trainable_fraction", adapter.trainableFraction());
                listener.onMessage(String.format("LoRA rank %d: %,d of %,d parameters trainable (%.2f%%)", rank,
                        adapter.trainableParameters(), adapter.baseParameters(), 100 * adapter.trainableFraction()));
                new ClassifierTrainer(train, listener, run.checkpointDir("lora")).train(model, domain.train(), domain.validation());
                Path adapterDir = run.dir().resolve("adapter");
                adapter.save(adapterDir);
                Classifier merged = adapter.merge();
                merged.save(run.modelDir(), Map.of("adapted_from", modelDir.toString(), "domain", domainLabel));
                variants.add(measure("lora rank " + rank, merged, run.modelDir(), domain));
                extra.put("adapter_bytes", AtomicFiles.sizeOf(adapterDir));
            }
            if (fullToo) {
                try (Classifier model = Classifier.load(modelDir)) {
                    listener.onMessage("full fine-tuning, for comparison");
                    new ClassifierTrainer(train, listener, run.checkpointDir("full-fine-tune"))
                            .train(model, domain.train(), domain.validation());
                    Path dir = run.dir().resolve("full-fine-tune");
                    model.save(dir, Map.of("adapted_from", modelDir.toString(), "domain", domainLabel));
                    variants.add(measure("full fine-tune", model, dir, domain));
                }
                Variant lora = variants.get(0);
                Variant full = variants.get(1);
                if (full.validationAccuracy() > lora.validationAccuracy()) { // NaN (no validation) compares false: no claim
                    listener.onMessage(String.format("full fine-tuning did better on the validation examples (%.4f against"
                            + " LoRA's %.4f); its model is in %s", full.validationAccuracy(), lora.validationAccuracy(),
                            run.dir().resolve("full-fine-tune")));
                }
            }
            return new Outcome(run, base, variants, variants.get(0), extra);
        });
    }

    /**
     * Searches structured-pruning levels, low-rank factorizations and weight precisions and returns the smallest (or fastest) variant whose
     * validation accuracy is within {@code maxDropPoints} of the base's, with the whole frontier plotted.
     */
    public Outcome auto(Path modelDir, Data data, double maxDropPoints, String target, List<Double> keeps, List<Integer> ranks,
            TrainConfig fineTune, List<String> args) {
        requireValidation(data, modelDir);
        if (!target.equals("size") && !target.equals("latency")) {
            throw new IllegalArgumentException("target must be size or latency, got: " + target);
        }
        Map<String, Object> config = config(modelDir, "max_drop_points", maxDropPoints, "target", target, "keeps", keeps,
                "ranks", ranks, "fine_tune", fineTune);
        return inRun("compress", config, fineTune.seed(), args, run -> {
            List<Variant> variants = new ArrayList<>();
            Variant base;
            Path candidates = run.dir().resolve("candidates");
            try (Classifier model = Classifier.load(modelDir)) {
                base = measure("base", model, modelDir, data);
                variants.addAll(precisions(model, "", candidates, data));
                // Channel pruning and factorization rebuild a CNN's layers; another network is searched over precisions
                // alone, and said so, rather than failing after its precisions were measured.
                boolean rebuildable = model.spec() instanceof dev.distillery.model.CnnSpec cnn && cnn.hiddenRank() == null;
                if (!rebuildable) {
                    listener.onMessage("structured pruning and factorization rebuild cnn layers; " + model.spec().describe(model.schema())
                            + " is searched over weight precisions only");
                }
                for (double keep : rebuildable ? keeps : List.<Double>of()) {
                    if (keep < 1) {
                        try (Classifier pruned = ChannelPruner.apply(model, ChannelPruner.plan(model, keep))) {
                            variants.addAll(candidate(run, String.format("channels %.0f%%", 100 * keep), pruned, fineTune,
                                    candidates, data, Map.of("pruned_from", modelDir.toString(), "keep", keep)));
                        }
                    }
                }
                for (int rank : rebuildable ? ranks : List.<Integer>of()) {
                    try (Classifier low = LowRank.factorize(model, rank)) {
                        variants.addAll(candidate(run, "rank " + rank, low, fineTune, candidates, data,
                                Map.of("factorized_from", modelDir.toString(), "rank", rank)));
                    }
                }
            }
            double floor = base.validationAccuracy() - maxDropPoints / 100.0;
            Comparator<Variant> order = target.equals("size") ? Comparator.comparingLong(Variant::bytesOnDisk)
                    : Comparator.comparingDouble(v -> v.speed().latencyP50Ms());
            Variant chosen = variants.stream().filter(v -> v.validationAccuracy() >= floor).min(order).orElse(null);
            if (chosen != null) {
                copyDirectory(candidates.resolve(slug(chosen.name())), run.modelDir());
            }
            plotFrontier(base, variants, chosen, run.plotsDir());
            return new Outcome(run, base, variants, chosen, Map.of("validation_floor", floor, "target", target));
        });
    }

    /** Fine-tunes a rebuilt model, saves and measures it, then its 8- and 4-bit versions. */
    private List<Variant> candidate(Run run, String name, Classifier model, TrainConfig fineTune, Path candidates, Data data,
            Map<String, Object> meta) {
        listener.onMessage(name + ": " + model.spec() + "; fine-tuning");
        new ClassifierTrainer(fineTune, listener, run.checkpointDir(slug(name))).train(model, data.train(), data.validation());
        Path dir = candidates.resolve(slug(name));
        model.save(dir, meta);
        List<Variant> out = new ArrayList<>();
        out.add(measure(name, model, dir, data));
        out.addAll(precisions(model, name + " + ", candidates, data));
        return out;
    }

    private List<Variant> precisions(Classifier model, String prefix, Path candidates, Data data) {
        List<Variant> out = new ArrayList<>();
        for (int bits : new int[] {8, 4}) {
            String name = prefix + "int" + bits;
            Path dir = candidates.resolve(slug(name));
            model.save(dir, Map.of("bits", bits), bits);
            try (Classifier q = Classifier.load(dir)) {
                out.add(measure(name, q, dir, data));
            }
        }
        return out;
    }

    static String slug(String name) {
        return name.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    private static void copyDirectory(Path from, Path to) {
        AtomicFiles.writeDirectory(to, tmp -> {
            try (var files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Files.copy(f, tmp.resolve(f.getFileName()));
                }
            }
        });
    }

    /** Accuracy on validation and test, size, work and speed of {@code model} saved in {@code savedDir}. */
    Variant measure(String name, Classifier model, Path savedDir, Data data) {
        listener.onMessage("measuring " + name);
        double val = data.validation() == null ? Double.NaN : Evaluation.of(model, data.validation()).accuracy();
        double test = Evaluation.of(model, data.test()).accuracy();
        long nonzero = 0;
        for (var p : model.block().getParameters()) {
            for (float x : p.getValue().getArray().toFloatArray()) {
                nonzero += x != 0f ? 1 : 0;
            }
        }
        long bytes = savedDir == null ? model.sizeIfSaved() : Classifier.sizeOnDisk(savedDir);
        List<dev.distillery.data.Example> sample = data.test().examples().subList(0, Math.min(THROUGHPUT_BATCH, data.test().size()));
        // Evaluation above already warmed the network at large batches; one more pass at the timed size levels the field
        // between the first variant measured and the rest.
        model.predict(sample, THROUGHPUT_BATCH);
        SpeedReport speed = SpeedReport.measure(model, sample, 200, THROUGHPUT_BATCH, 20, bytes);
        return new Variant(name, val, test, model.parameterCount(), nonzero, bytes, Flops.of(model.spec(), model.schema()),
                speed);
    }

    private Outcome inRun(String command, Map<String, Object> config, long seed, List<String> args, Function<Run, Outcome> work) {
        return inRun(command, config, seed, List.of(), args, work);
    }

    /** {@link #inRun} for a run that reads {@code moreInputs} beside the source model (a new domain's data). */
    private Outcome inRun(String command, Map<String, Object> config, long seed, List<Path> moreInputs, List<String> args,
            Function<Run, Outcome> work) {
        // The source model is the input: its run's provenance names the data it was trained and tested on.
        List<Path> inputs = new ArrayList<>(List.of(Path.of(String.valueOf(config.get("model")))));
        inputs.addAll(moreInputs);
        return new StageRunner(runs).run(Stage.<Map<String, Object>, Outcome>named(command, config)
                .seeded(seed)
                .reads(inputs)
                .does(work)
                .reports(CompressJob::results, CompressJob::summary), args);
    }

    private static Map<String, Object> config(Path modelDir, Object... pairs) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model", modelDir.toString());
        for (int i = 0; i < pairs.length; i += 2) {
            c.put((String) pairs[i], pairs[i + 1] instanceof TrainConfig || pairs[i + 1] instanceof Enum<?>
                    ? JSON.convertValue(pairs[i + 1], Object.class) : pairs[i + 1]);
        }
        return c;
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("base", row(o.base(), o.base()));
        r.put("variants", o.variants().stream().map(v -> row(v, o.base())).toList());
        r.put("chosen", o.chosen() == null ? null : o.chosen().name());
        r.putAll(o.extra());
        return r;
    }

    static Map<String, Object> row(Variant v, Variant base) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", v.name());
        r.put("validation_accuracy", v.validationAccuracy());
        r.put("test_accuracy", v.testAccuracy());
        r.put("test_drop_points", 100 * (base.testAccuracy() - v.testAccuracy()));
        r.put("parameters", v.parameters());
        r.put("nonzero_parameters", v.nonzero());
        r.put("bytes_on_disk", v.bytesOnDisk());
        r.put("size_ratio", base.bytesOnDisk() / (double) v.bytesOnDisk());
        r.put("flops", v.flops() < 0 ? null : v.flops()); // null: not modeled for this family
        r.put("flops_ratio", v.flops() < 0 ? null : v.flops() / (double) base.flops());
        r.put("latency_p50_ms", v.speed().latencyP50Ms());
        r.put("latency_p99_ms", v.speed().latencyP99Ms());
        r.put("throughput_per_s", v.speed().throughputPerSecond());
        r.put("throughput_batch", v.speed().batchSize());
        r.put("throughput_speedup", v.speed().throughputPerSecond() / base.speed().throughputPerSecond());
        r.put("threads", v.speed().threads());
        return r;
    }

    /** The variants as an aligned table, base first, the chosen one marked. */
    public static String table(Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %9s %9s %8s %12s %12s %10s %10s %9s %12s%n", "model", "val acc", "test acc", "drop pt",
                "parameters", "non-zero", "size KiB", "MFLOPs", "p50 ms", "ex/s @256"));
        List<Variant> all = new ArrayList<>();
        all.add(o.base());
        all.addAll(o.variants());
        for (Variant v : all) {
            String mark = v == o.chosen() && o.variants().size() > 1 ? " *" : "";
            // -1 FLOPs: not modeled for this family (printed as -0.00 before)
            String mflops = v.flops() < 0 ? "n/a" : String.format("%.2f", v.flops() / 1e6);
            // NaN: no validation split (a linear or SVM model chose its C by cross-validation on all labels)
            String val = Double.isNaN(v.validationAccuracy()) ? "n/a" : String.format("%.4f", v.validationAccuracy());
            sb.append(String.format("%-24s %9s %9.4f %8.2f %,12d %,12d %,10.1f %10s %9.3f %,12.0f%s%n", v.name(),
                    val, v.testAccuracy(), 100 * (o.base().testAccuracy() - v.testAccuracy()), v.parameters(),
                    v.nonzero(), v.bytesOnDisk() / 1024.0, mflops, v.speed().latencyP50Ms(),
                    v.speed().throughputPerSecond(), mark));
        }
        return sb.toString();
    }

    static String summary(Outcome o) {
        return "# Compression " + o.run().id() + "\n\nAccuracy drop is in test-accuracy points against the base; FLOPs are "
                + "multiply-accumulates per example; throughput at batch " + THROUGHPUT_BATCH + " on "
                + o.base().speed().threads() + " threads.\n\n```\n" + table(o) + "```\n"
                + (o.chosen() == null ? "" : "\nChosen: **" + o.chosen().name() + "**\n");
    }

    private static void plotFrontier(Variant base, List<Variant> variants, Variant chosen, Path plots) {
        plot(base, variants, chosen, "size on disk (KiB, log scale)", v -> v.bytesOnDisk() / 1024.0,
                plots.resolve("accuracy-vs-size.png"));
        plot(base, variants, chosen, "latency p50, one example (ms, log scale)", v -> v.speed().latencyP50Ms(),
                plots.resolve("accuracy-vs-latency.png"));
    }

    private static void plot(Variant base, List<Variant> variants, Variant chosen, String xTitle,
            java.util.function.ToDoubleFunction<Variant> x, Path png) {
        var chart = new org.knowm.xchart.XYChartBuilder().width(720).height(460).title("Compression frontier")
                .xAxisTitle(xTitle).yAxisTitle("validation accuracy").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(9);
        chart.addSeries("base", new double[] {x.applyAsDouble(base)}, new double[] {base.validationAccuracy()});
        chart.addSeries("variants", variants.stream().mapToDouble(x).toArray(),
                variants.stream().mapToDouble(Variant::validationAccuracy).toArray());
        if (chosen != null) {
            chart.addSeries("chosen", new double[] {x.applyAsDouble(chosen)}, new double[] {chosen.validationAccuracy()});
        }
        Plots.save(chart, png);
    }
}
