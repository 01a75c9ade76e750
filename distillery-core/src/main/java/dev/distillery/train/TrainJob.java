package dev.distillery.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.curate.DuplicateGroups;
import dev.distillery.data.Corrections;
import dev.distillery.data.DataFormatException;
import dev.distillery.data.Dataset;
import dev.distillery.data.OnError;
import dev.distillery.data.Example;
import dev.distillery.data.InputCheck;
import dev.distillery.data.LikelyLabels;
import dev.distillery.data.MissingValues;
import dev.distillery.data.ReadResult;
import dev.distillery.data.Splits;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.eval.Evaluation;
import dev.distillery.eval.PrecisionRecall;
import dev.distillery.eval.SpeedReport;
import dev.distillery.model.Classifier;
import dev.distillery.model.ModelSpec;
import dev.distillery.report.Plots;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The train command as a library call: read and split the data, train with checkpoints, evaluate
 * on the test set, time inference, save the model, and record it all in a run directory.
 */
public final class TrainJob {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A test split smaller than this gets a warning: one example is more than 5 points of its accuracy. */
    private static final int FIRM_TEST_SIZE = 20;

    /**
     * The data a job trains and tests on, after splitting, with counts of skipped records. {@code extra}: the labeled
     * examples of {@code --extra} (synthetic ones, say), or null; they join only the final fit ({@link #trainWithExtra}).
     * Every choice (the family, C, the spreading check, the validation duel) is made on {@code train} alone: an extra
     * example derived from a held-out one would be scored from memory.
     */
    public record Splits3(Dataset train, Dataset validation, Dataset test, int skipped, List<String> skipReasons,
            Dataset unlabeled, int duplicatesKeptTogether, int trainTestDuplicates, Unread unread, Dataset extra) {
        Splits3 withTrain(Dataset newTrain) {
            return new Splits3(newTrain, validation, test, skipped, skipReasons, unlabeled, duplicatesKeptTogether, trainTestDuplicates,
                    unread, extra);
        }

        /** What the final model trains on: the training labels and the extra examples. */
        public Dataset trainWithExtra() {
            return train.plus(train.name() + "+extra", extra);
        }

        /** The same data with the extra examples in {@code train}: what the final model trained on, for the record. */
        Splits3 extraJoined() {
            return extra == null ? this : new Splits3(trainWithExtra(), validation, test, skipped, skipReasons, unlabeled,
                    duplicatesKeptTogether, trainTestDuplicates, unread, null);
        }
    }

    /**
     * Records that were read but not trained or tested on, counted so that nothing disappears silently: records
     * without a label in the training data ({@code --data}) and in the test data, and empty texts among the training
     * records (kept, since an empty message is a message, but worth a warning).
     */
    public record Unread(int unlabeledTrain, int unlabeledTest, int emptyTexts) {
        static final Unread NONE = new Unread(0, 0, 0);
    }

    /**
     * The outcome of a finished job. {@code labeledRound}: with self-training, the test evaluation of the model when
     * its labeled round ended (the supervised-only model of the same run); otherwise null. {@code unlabeledCheck}: with
     * self-training and a validation split, what the unlabeled rounds did to validation accuracy; otherwise null.
     * {@code modelSelection}: how settings were chosen by cross-validation (a linear model's C), or null.
     */
    public record Outcome(Run run, TrainSpec spec, Splits3 data, TrainResult training, Evaluation test, SpeedReport speed,
            long parameters, long bytesOnDisk, Evaluation labeledRound, UnlabeledCheck unlabeledCheck,
            Map<String, Object> modelSelection, PrecisionRecall hardest) {}

    /**
     * Validation accuracy when the labeled round ended and when the unlabeled rounds ended. The validation examples
     * are labeled and never trained on, so a user can see, without the test set, whether the unlabeled data helped.
     */
    public record UnlabeledCheck(double labeledRoundAccuracy, double finalAccuracy, int examples) {
        /** Whether the unlabeled rounds lowered validation accuracy. */
        public boolean lowered() {
            return finalAccuracy < labeledRoundAccuracy;
        }

        /** The warning to print when {@link #lowered()}. */
        public String warning() {
            return String.format("warning: the unlabeled rounds lowered validation accuracy from %.4f to %.4f (%,d examples);"
                    + " the labeled round alone may be the better model (train without --unlabeled, or try a higher"
                    + " --ssl-threshold or a lower --ssl-lr)", labeledRoundAccuracy, finalAccuracy, examples);
        }
    }

    private final DataCatalog catalog;
    private final RunStore runs;
    private final TrainListener listener;

    public TrainJob(DataCatalog catalog, RunStore runs, TrainListener listener) {
        this.catalog = catalog;
        this.runs = runs;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /**
     * Starts a new run of {@code given} under {@code command} (e.g. "train", "quickstart"), a table's free-text column read
     * as the text where {@link TextColumnChoice} finds it the better view (the run records the columns it read).
     */
    public Outcome run(TrainSpec given, String command, List<String> args) {
        TrainSpec spec = TextColumnChoice.resolve(given, catalog, new TrainJob(catalog, runs, TrainListener.NONE)::prepare, listener);
        List<Path> inputs = new ArrayList<>(catalog.inputFiles(spec.data(), listener::onMessage));
        if (spec.test() != null) {
            inputs.addAll(catalog.inputFiles(spec.test(), listener::onMessage));
        }
        if (spec.extra() != null) {
            inputs.addAll(catalog.inputFiles(spec.extra(), listener::onMessage));
        }
        if (spec.corrections() != null) {
            inputs.add(Path.of(spec.corrections()));
        }
        Splits3 data = prepare(spec);
        TrainSpec resolved = resolveDefaults(spec, data);
        return new StageRunner(runs).run(Stage.<TrainSpec, Outcome>named(command, resolved)
                .seeded(resolved.train().seed())
                .reads(inputs)
                .does(run -> trainAndEvaluate(run, resolved, data))
                .reports(TrainJob::results, TrainJob::summary), args);
    }

    /** Whether {@code spec} leaves the model to {@code auto} and has few enough labels for it to cross-validate. */
    private static boolean autoByCrossValidation(TrainSpec spec, Dataset train) {
        return spec.model() == null && (spec.selfTraining() == null || spreads(spec, train.schema()))
                && AutoSelect.choosesByCrossValidation(train.size());
    }

    /** Whether the unlabeled data teaches by label spreading ({@link SelfTraining#methodFor}). */
    private static boolean spreads(TrainSpec spec, dev.distillery.data.Schema schema) {
        return spec.selfTraining() != null
                && spec.selfTraining().methodFor(schema, spec.model() == null) == SelfTraining.Method.SPREADING;
    }

    /**
     * Fills in what the user left to the data: the batch size for small data, and with self-training the network (by data
     * kind) and its learning rate. Without self-training a missing model stays open ({@code auto}): the job chooses it
     * ({@link AutoSelect}) and each candidate uses its own learning rate.
     */
    private TrainSpec resolveDefaults(TrainSpec spec, Splits3 data) {
        ModelSpec model = spec.model() != null || spec.selfTraining() == null || spreads(spec, data.train().schema()) ? spec.model()
                : ModelSpec.defaultFor(data.train().schema());
        TrainConfig train = spec.train().hasLearningRate() || model == null ? spec.train()
                : spec.train().withLearningRate(model.defaultLearningRate());
        TrainConfig capped = SmallData.capBatch(train, data.trainWithExtra().size());
        if (capped != train) {
            listener.onMessage(String.format("small data: batch %d for %,d training examples", capped.batchSize(),
                    data.trainWithExtra().size()));
            train = capped;
        }
        if (spec.model() == null && model != null) {
            listener.onMessage("model: " + model + " (picked for " + data.train().schema().kind() + " data, to self-train)");
        }
        return spec.withModel(model).withTrain(train);
    }

    /**
     * The recorded configuration of the training run that saved {@code modelDir}, or null when no training run did (a
     * distillation, a quantization, a directory outside any run). With {@link #prepare} it gives the run's own splits
     * again: what the model trained on and was tested on.
     */
    public static TrainSpec specOf(Path modelDir) {
        Path dir = modelDir.toAbsolutePath().getParent();
        Path config = dir == null ? null : dir.resolve(Run.CONFIG);
        if (config == null || !java.nio.file.Files.isRegularFile(config)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode c = JSON.readTree(config.toFile());
            // a training run's configuration: its data and the share it held out for testing (its model a spec, or none
            // where --model auto chose it)
            return c.path("data").isTextual() && c.has("testFraction") ? JSON.treeToValue(c, TrainSpec.class) : null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not read " + config, e);
        }
    }

    /**
     * A warning when a test part cut from the data holds fewer than {@link #FIRM_TEST_SIZE} examples: each then moves
     * the test accuracy by whole points, which a figure to the fourth decimal hides.
     */
    private static java.util.Optional<String> smallTestPart(int examples) {
        return examples >= FIRM_TEST_SIZE || examples == 0 ? java.util.Optional.empty()
                : java.util.Optional.of(String.format("warning: the test part holds %d example%s, so each moves test accuracy"
                        + " by %.0f points; give a test set of its own (--test) for a firmer figure", examples,
                        examples == 1 ? "" : "s", 100.0 / examples));
    }

    /** A data set's training part and the test part held out of it, with the split that made them (null: a test set of its own). */
    public record HeldOut(Dataset train, Dataset test, DuplicateGroups.Split split) {}

    /**
     * The test part a command holds out of its data when it is given no test set: a stratified {@code fraction}, each
     * group of duplicates on one side ({@code duplicates} remembers the examples' keys for later groupings), missing
     * values filled with medians over the training part alone, which the model keeps for all it reads later; the test
     * part gets the model's values, as any data read for the model does. Says what it kept together, and warns of a
     * small test part.
     */
    public static HeldOut holdOutTest(DuplicateGroups duplicates, Dataset data, double fraction, long seed, Consumer<String> log) {
        DuplicateGroups.Split parts = splitOffTest(duplicates, data, fraction, seed, "test split", log);
        Dataset train = MissingValues.learn(parts.parts().first(), log);
        Dataset test = InputCheck.conform(MissingValues.fill(parts.parts().second(), train.schema(), log), train.schema(),
                InputCheck.Labels.MUST_BE_KNOWN);
        return new HeldOut(train, test, parts);
    }

    /**
     * The split of {@link #holdOutTest} alone, for data a model has already conformed (compress's new domain): a
     * stratified {@code fraction} as the test part, each group of duplicates on one side; says under {@code heading}
     * what it kept together and warns of a small test part.
     */
    public static DuplicateGroups.Split splitOffTest(DuplicateGroups duplicates, Dataset data, double fraction, long seed,
            String heading, Consumer<String> log) {
        DuplicateGroups.Split parts = duplicates.splitOf(data, fraction, seed, "train", "test");
        log.accept(heading + ": " + parts.describe());
        smallTestPart(parts.parts().second().size()).ifPresent(log);
        return parts;
    }

    /** Reads and splits the data exactly as {@code spec} says; same spec, same splits. */
    public Splits3 prepare(TrainSpec spec) {
        Consumer<String> log = listener::onMessage;
        DataCatalog catalog = this.catalog.withColumns(spec.columns()); // every file of the run by the same columns
        OnError onError = spec.onError();
        ReadResult read = catalog.load(spec.data(), onError, log);
        if (spec.corrections() != null) {
            Corrections.Applied applied = Corrections.read(Path.of(spec.corrections())).apply(read.dataset());
            log.accept(applied.describe());
            read = new ReadResult(applied.data(), read.skipped(), read.skipReasons(), read.warnings());
        }
        if (read.dataset().labeledCount() == 0) {
            // A table's labels under another header were read as a feature column: name the likely ones.
            String label = spec.columns().label();
            throw new DataFormatException(spec.data(), "none of its " + read.dataset().size() + " records has a label"
                    + LikelyLabels.hint(read.dataset(), "train"),
                    "a label on the records to train on, in the column or key '" + label + "' (--label-column names another);"
                            + " IDX images: a labels file beside them, e.g. train-labels-idx1-ubyte for"
                            + " train-images-idx3-ubyte; unlabeled records go to --unlabeled");
        }
        if (read.dataset().schema().numClasses() < 2) {
            throw new DataFormatException(spec.data(), "all " + read.dataset().labeledCount() + " labeled records have the label '"
                    + read.dataset().schema().labels().get(0) + "'", "at least two labels to tell apart");
        }
        InputCheck.notClasses(read.dataset(), spec.data(), spec.columns().label());
        int skipped = read.skipped();
        List<String> reasons = new ArrayList<>(read.skipReasons());
        long seed = spec.train().seed();
        int keptTogether = 0;
        DuplicateGroups duplicates = new DuplicateGroups(); // the splits and the leak check share their examples' keys
        Dataset train;
        Dataset test;
        // Missing values are filled with medians over the training part alone (see holdOutTest).
        if (spec.test() != null) {
            train = MissingValues.learn(read.dataset(), log);
            ReadResult t = catalog.loadFor(spec.test(), train.schema(), onError, log);
            skipped += t.skipped();
            reasons.addAll(t.skipReasons());
            test = InputCheck.conform(t.dataset(), train.schema(), InputCheck.Labels.MUST_BE_KNOWN, log);
        } else {
            HeldOut parts = holdOutTest(duplicates, read.dataset(), spec.testFraction(), seed, log);
            keptTogether += parts.split().examplesInGroups();
            train = parts.train();
            test = parts.test();
        }
        InputCheck.lookAlikeLabels(read.dataset().schema().labels()).ifPresent(log);
        InputCheck.imbalance(read.dataset()).ifPresent(log);
        InputCheck.labelLists(read.dataset().labelCounts()).ifPresent(log);
        // The training part's records without a label: --unlabeled rest learns from them (and from labels --labeled sets aside).
        Dataset withoutLabels = train.filter(train.name() + ":without labels", e -> !e.hasLabel());
        if (!withoutLabels.isEmpty()) {
            log.accept(String.format("%,d of %,d records of %s have no label%s", withoutLabels.size(), train.size(), spec.data(),
                    spec.selfTraining() != null && SelfTraining.REST.equals(spec.selfTraining().unlabeled())
                            ? ": --unlabeled rest learns from them" : " and are not trained on (--unlabeled rest learns from them)"));
        }
        train = train.filter(train.name(), e -> e.hasLabel());
        int emptyTexts = InputCheck.blankTexts(train.examples());
        if (emptyTexts > 0) {
            log.accept(String.format("warning: %,d of %,d labeled training texts are empty or blank; they are trained on as they are",
                    emptyTexts, train.size()));
        }
        if (spec.model() instanceof dev.distillery.model.NgramBagSpec) {
            InputCheck.wholeWordsWarning(train.examples()).ifPresent(log);
        }
        int unlabeledTest = test.size() - InputCheck.scored(test, spec.test() != null ? spec.test() : "the test part of " + spec.data(),
                train.schema(), log).size(); // counted and said by the one check
        Dataset setAside = withoutLabels.isEmpty() ? null : withoutLabels;
        if (spec.labeled() != null) {
            int count = Splits.parseAmount(spec.labeled(), train.size());
            if (count < train.size()) {
                Splits.Pair parts = Splits.labeledSubset(train, count, seed);
                train = parts.first();
                setAside = parts.second().plus(parts.second().name(), setAside);
            }
        }
        Dataset unlabeled = null;
        if (spec.selfTraining() != null) {
            unlabeled = unlabeledFor(spec.selfTraining(), setAside, train, onError, log);
        }
        Dataset validation = null;
        if (spec.validationFraction() > 0 && (spec.model() instanceof dev.distillery.model.LinearSpec
                || spec.model() instanceof dev.distillery.model.SvmSpec)) {
            log.accept("no validation hold-out: the " + (spec.model() instanceof dev.distillery.model.SvmSpec ? "svm" : "linear")
                    + " model chooses its regularization by cross-validation on all labels");
        } else if (spec.validationFraction() > 0 && autoByCrossValidation(spec, train)) {
            log.accept(String.format("no validation hold-out: with %,d labels --model auto chooses by cross-validation on all of them",
                    train.size()));
        } else if (spec.validationFraction() > 0 && !SmallData.holdsOut(train.size(), train.schema().numClasses(), spec.validationFraction())) {
            log.accept(String.format("no validation hold-out: %.0f%% of %,d labeled examples is fewer than %d a class for %d classes;"
                    + " training on all of them for the whole schedule (no early stopping)", 100 * spec.validationFraction(),
                    train.size(), SmallData.MIN_VALIDATION_PER_CLASS, train.schema().numClasses()));
        } else if (spec.validationFraction() > 0) {
            DuplicateGroups.Split parts = duplicates.splitOf(train, spec.validationFraction(), seed + 1, "train", "validation");
            keptTogether += parts.examplesInGroups();
            train = parts.parts().first();
            validation = parts.parts().second();
        }
        Dataset extra = null;
        if (spec.extra() != null && isEmptyFile(spec.extra())) {
            // A synthesis whose verifiers accepted nothing writes an empty file; training on the real data alone is the honest result.
            log.accept("no extra training examples: " + spec.extra() + " is empty");
        } else if (spec.extra() != null) {
            ReadResult e = catalog.loadFor(spec.extra(), train.schema(), onError, log);
            skipped += e.skipped();
            reasons.addAll(e.skipReasons());
            extra = InputCheck.conform(e.dataset(), train.schema(), InputCheck.Labels.MUST_BE_KNOWN);
            long unlabeledExtra = extra.size() - extra.labeledCount();
            if (unlabeledExtra > 0) {
                throw new IllegalArgumentException(spec.extra() + ": " + unlabeledExtra + " of " + extra.size()
                        + " extra training examples have no label; --extra adds labeled examples (use --unlabeled for unlabeled ones)");
            }
            log.accept(String.format("training on %,d examples + %,d extra from %s (choices are made on the %,d alone)", train.size(),
                    extra.size(), spec.extra(), train.size()));
        }
        int leaks = duplicates.testDuplicatedInTraining(train.plus("train+extra", extra).plus("train+extra+validation",
                validation), test);
        if (leaks > 0) {
            log.accept(String.format("warning: %,d of %,d test examples have an exact or near duplicate in the training data; "
                    + "test figures partly measure memory (split one file with --test-fraction, which keeps duplicates on one side)",
                    leaks, test.size()));
        }
        return new Splits3(train, validation, test, skipped, reasons, unlabeled, keptTogether, leaks,
                new Unread(withoutLabels.size(), unlabeledTest, emptyTexts), extra);
    }

    private static boolean isEmptyFile(String ref) {
        Path p = Path.of(ref);
        try {
            return java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.size(p) == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The unlabeled data self-training learns from, labels removed, under the training schema. */
    private Dataset unlabeledFor(SelfTraining ssl, Dataset setAside, Dataset train, OnError onError, Consumer<String> log) {
        Dataset source;
        if (SelfTraining.REST.equals(ssl.unlabeled())) {
            if (setAside == null || setAside.isEmpty()) {
                throw new IllegalArgumentException("--unlabeled rest needs records without labels in the training data, or"
                        + " --labeled to set some training labels aside");
            }
            source = setAside;
        } else {
            ReadResult r = catalog.loadFor(ssl.unlabeled(), train.schema(), onError, log);
            source = InputCheck.byName(r.dataset(), train.schema());
            // Labels in an unlabeled file are not read, so they need not be ones the training data has; but a labeled
            // file given here by mistake would waste its labels unsaid.
            InputCheck.checkRecords(source.name(), source.examples(), train.schema(), InputCheck.Labels.IGNORED);
            long labeled = source.labeledCount();
            if (labeled > 0) {
                log.accept(String.format("note: %,d of %,d records of %s carry a label; as --unlabeled data their labels are"
                        + " not used (give them with --data to train on them)", labeled, source.size(), ssl.unlabeled()));
            }
        }
        return new Dataset(source.name() + "-unlabeled", train.schema(), source.examples().stream().map(e -> e.withLabel(null)).toList());
    }

    private Outcome trainAndEvaluate(Run run, TrainSpec spec, Splits3 data) {
        TrainListener recording = new RecordingListener(listener, run);
        Dataset validation = data.validation() == null || data.validation().size() == 0 ? null : data.validation();
        boolean spreading = spreads(spec, data.train().schema());
        if (spec.model() == null && validation != null && !spreading) {
            return autoOnValidation(run, spec, data, recording, validation);
        }
        Map<String, Object> selection = null;
        double labelsAloneAccuracy = Double.NaN;
        ModelSpec withPseudoLabels = AutoSelect.forPseudoLabels(spec.model(), null);
        if (spec.model() == null) {
            AutoSelect.Choice choice = AutoSelect.choose(data.train(), spec.train(), listener);
            selection = new LinkedHashMap<>(choice.describe());
            labelsAloneAccuracy = choice.accuracy();
            spec = spec.withModel(choice.spec());
            withPseudoLabels = choice.forPseudoLabels();
        }
        if (spreading) {
            // The check trains the model that would learn from the pseudo-labels, as it would learn from them.
            LabelSpreading.Outcome spread = LabelSpreading.pseudoLabel(data.train(), data.unlabeled(), labelsAloneAccuracy,
                    checkWithModel(withPseudoLabels, data, spec.train()) ? foldScorer(withPseudoLabels, spec.train()) : null,
                    spec.train().seed(), listener);
            selection = selection == null ? new LinkedHashMap<>() : selection;
            selection.put("label_spreading", spread.report());
            if (spread.train().size() > data.train().size() && !withPseudoLabels.equals(spec.model())) {
                listener.onMessage("label spreading: training " + AutoSelect.name(withPseudoLabels) + " on the labels and pseudo-labels ("
                        + AutoSelect.whyForPseudoLabels(spec.model()) + ")");
                selection.put("model_with_pseudo_labels", AutoSelect.name(withPseudoLabels));
                spec = spec.withModel(withPseudoLabels);
            }
            data = data.withTrain(capForKernel(spec.model(), data.train(), spread, data.extra() == null ? 0 : data.extra().size(),
                    spec.train().seed()));
            spec = spec.withoutSelfTraining();
        }
        if (spec.model() instanceof dev.distillery.model.SvmSpec svmSpec && svmSpec.capacity() < data.trainWithExtra().size()) {
            // every training example may become a support vector
            spec = spec.withModel(svmSpec.withCapacity(data.trainWithExtra().size()));
        }
        ModelSpec modelSpec = spec.model();
        Classifier classifier = Classifier.create(modelSpec, data.train().schema());
        Dataset test = data.test().filter(data.test().name(), e -> e.hasLabel());
        try {
            TrainResult result;
            Evaluation[] labeledRound = {null};
            double[] labeledRoundValidation = {Double.NaN};
            if (isSolved(modelSpec)) {
                if (spec.selfTraining() != null) {
                    throw new IllegalArgumentException("--unlabeled needs a network trained by steps (cnn, mlp, ngram or minilm), "
                            + "not the " + (modelSpec instanceof dev.distillery.model.SvmSpec ? "svm" : "linear") + " model");
                }
                if (run.provenance().get("resumed") != null) {
                    // Said, not done silently: a resume that starts over looks like one that continues until it is timed.
                    listener.onMessage("resumed: the " + (modelSpec instanceof dev.distillery.model.SvmSpec ? "svm" : "linear")
                            + " model is fitted in one go by " + solverOf(modelSpec) + " and keeps no checkpoint, so it is fitted"
                            + " again from the start (the same seed gives the same model)");
                }
                Solved fitted = solve(classifier, data.train(), data.extra(), validation, spec.train().seed(), recording);
                result = fitted.result();
                plotCrossValidation(fitted, run.plotsDir());
                if (selection == null) {
                    selection = fitted.describe();
                }
            } else if (spec.selfTraining() == null) {
                ClassifierTrainer trainer = new ClassifierTrainer(spec.train(), recording, run.checkpointDir("train"));
                result = trainer.train(classifier, data.trainWithExtra(), data.validation());
            } else {
                result = new SelfTrainer(spec.train(), spec.selfTraining(), recording, m -> {
                    labeledRound[0] = Evaluation.of(m, test);
                    listener.onMessage(String.format("labeled round: test accuracy %.4f", labeledRound[0].accuracy()));
                    if (validation != null) {
                        labeledRoundValidation[0] = Evaluation.of(m, validation).accuracy();
                    }
                }, run.checkpointDir("self-training")).train(classifier, data.trainWithExtra(), data.unlabeled(), data.validation());
            }
            return finish(run, spec, data.extraJoined(), classifier, result, labeledRound[0], unlabeledCheck(spec, classifier,
                    validation, labeledRoundValidation[0]), selection);
        } finally {
            classifier.close();
        }
    }

    /**
     * The svm's kernel grows with the square of its training set: where the labels plus their pseudo-labels are more than
     * one fit can afford ({@link AutoSelect#MAX_KERNEL_WORK}) beside the {@code extra} examples the fit adds, every label
     * is kept and a seeded random sample of the pseudo-labels fills the rest, and the report says how many. Other models
     * take all of them.
     */
    private Dataset capForKernel(ModelSpec model, Dataset labeled, LabelSpreading.Outcome spread, int extra, long seed) {
        Dataset train = spread.train();
        int affordable = SvmFit.affordableExamples(train.schema(), AutoSelect.MAX_KERNEL_WORK) - extra;
        if (!(model instanceof dev.distillery.model.SvmSpec) || train.size() <= affordable) {
            return train;
        }
        java.util.Set<String> labeledIds = new java.util.HashSet<>();
        labeled.examples().forEach(e -> labeledIds.add(e.id()));
        List<Example> pseudo = new java.util.ArrayList<>(train.examples().stream().filter(e -> !labeledIds.contains(e.id())).toList());
        java.util.Collections.shuffle(pseudo, new java.util.Random(seed));
        List<Example> kept = new java.util.ArrayList<>(labeled.examples());
        kept.addAll(pseudo.subList(0, Math.max(0, Math.min(pseudo.size(), affordable - labeled.size()))));
        spread.report().put("pseudo_labels_kept_for_svm", kept.size() - labeled.size());
        listener.onMessage(String.format("svm: training on the %,d labels and %,d of the %,d pseudo-labels (the kernel's cost grows with "
                + "the square of the examples)", labeled.size(), kept.size() - labeled.size(), pseudo.size()));
        return train.subset(train.name() + ":sample", kept);
    }

    /** A model fitted by a solver in one go (LIBLINEAR, LIBSVM), not trained by gradient steps. */
    static boolean isSolved(ModelSpec model) {
        return solverOf(model) != null;
    }

    /** The solver that fits {@code model} in one go, by name, or null for a model trained by gradient steps. */
    public static String solverOf(ModelSpec model) {
        return model instanceof dev.distillery.model.SvmSpec ? "LIBSVM" : model instanceof dev.distillery.model.LinearSpec ? "LIBLINEAR" : null;
    }

    /** How a run's model was fitted, for its summaries: the solver and its seconds, or epochs' seconds and speed. */
    public static String fitted(ModelSpec model, TrainResult training) {
        String solver = solverOf(model);
        return solver != null ? String.format("by %s, %.1f s", solver, training.trainingSeconds())
                : String.format("%,.0f examples/s, %.1f s", training.examplesPerSecond(), training.trainingSeconds());
    }

    /** The outcome of a solver's fit: the one-epoch training result and how its settings were chosen. */
    interface Solved {
        TrainResult result();

        Map<String, Object> describe();

        /** Cross-validated accuracy by C, one series per other setting (a loss, a kernel width); empty when C was given. */
        Map<String, java.util.SortedMap<Double, Double>> accuracyByC();
    }

    static final String CROSS_VALIDATION_PLOT = "cross_validation.png";

    /**
     * A solver's choice drawn: cross-validated accuracy over C, a series per loss or kernel width, in place of the loss
     * and accuracy per epoch that a fit in one go does not have (one point each).
     */
    static void plotCrossValidation(Solved fitted, Path plots) {
        Map<String, java.util.SortedMap<Double, Double>> curves = fitted.accuracyByC();
        java.util.SortedSet<Double> cs = new java.util.TreeSet<>();
        curves.values().forEach(m -> cs.addAll(m.keySet()));
        if (cs.size() < 2) {
            return;
        }
        double[] x = cs.stream().mapToDouble(c -> Math.log10(c)).toArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        curves.forEach((name, byC) -> series.put(name, cs.stream().mapToDouble(c -> byC.getOrDefault(c, Double.NaN)).toArray()));
        Plots.lines(plots.resolve(CROSS_VALIDATION_PLOT), "Cross-validated accuracy by regularization", "log10 C",
                "accuracy", x, series);
    }

    /** Fits a solved model ({@link #isSolved}) with its solver: settings chosen on {@code train}, fitted with {@code extra} too. */
    static Solved solve(Classifier classifier, Dataset train, Dataset extra, Dataset validation, long seed, TrainListener listener) {
        return classifier.spec() instanceof dev.distillery.model.SvmSpec
                ? SvmFit.fit(classifier, train, extra, validation, seed, listener)
                : LinearFit.fit(classifier, train, extra, validation, seed, listener);
    }

    /**
     * Whether label spreading may check its pseudo-labels by training {@code model} twice per fold on the labels plus the
     * unlabeled data: always for the linear model, for the svm while its kernel work stays within
     * {@link AutoSelect#MAX_KERNEL_WORK}, for a network while its cost stays within {@link AutoSelect#MAX_PARAMETER_STEPS}.
     * Beyond them (a CNN on tens of thousands of unlabeled images) spreading is checked on its own accuracy, at no
     * training cost.
     */
    static boolean checkWithModel(ModelSpec model, Splits3 data, TrainConfig config) {
        int examples = data.train().size() + data.unlabeled().size();
        int folds = Math.max(2, Math.min(LinearFit.MAX_FOLDS, data.train().labelCounts().values().stream().mapToInt(Integer::intValue).min()
                .orElse(2)));
        if (model instanceof dev.distillery.model.SvmSpec) {
            return 2.0 * folds * SvmFit.fitWork(data.train().schema(), examples) <= AutoSelect.MAX_KERNEL_WORK;
        }
        if (isSolved(model)) {
            return true;
        }
        Dataset both = data.train().plus(data.train().name() + "+unlabeled", data.unlabeled());
        return 2 * AutoSelect.parameterSteps(model, both, folds, config) <= AutoSelect.MAX_PARAMETER_STEPS;
    }

    /**
     * A new classifier of {@code model} fitted on {@code train} as train fits it: by its solver (an svm sized to the data;
     * quietly) or trained by steps under {@code config}, saying so to {@code listener}. The caller closes it.
     */
    public static Classifier fitted(ModelSpec model, Dataset train, TrainConfig config, TrainListener listener) {
        return fitted(model, train, config, listener, null);
    }

    /** {@link #fitted(ModelSpec, Dataset, TrainConfig, TrainListener)}, a network's training checkpointed in {@code checkpoints}. */
    public static Classifier fitted(ModelSpec model, Dataset train, TrainConfig config, TrainListener listener, Path checkpoints) {
        ModelSpec sized = model instanceof dev.distillery.model.SvmSpec svm ? svm.withCapacity(train.size()) : model;
        Classifier classifier = Classifier.create(sized, train.schema());
        try {
            if (isSolved(sized)) {
                solve(classifier, train, null, null, config.seed(), TrainListener.NONE);
            } else {
                new ClassifierTrainer(config, listener, checkpoints).train(classifier, train, null);
            }
            return classifier;
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
    }

    /** Scores one cross-validation fold with {@code model} fitted or trained on the fold's training part, quietly. */
    static LabelSpreading.FoldScorer foldScorer(ModelSpec model, TrainConfig config) {
        return (train, held) -> {
            try (Classifier classifier = fitted(model, train, SmallData.capBatch(config, train.size()), TrainListener.NONE)) {
                int[] predicted = classifier.predict(held, 256);
                int hits = 0;
                for (int i = 0; i < held.size(); i++) {
                    hits += predicted[i] == train.schema().indexOf(held.get(i).label().orElseThrow()) ? 1 : 0;
                }
                return hits;
            }
        };
    }

    /**
     * {@code auto} with many labels: the linear model and the data kind's network each train on the training part, and
     * the network is kept only where it is better on the validation split beyond chance ({@link AutoSelect.Duel}):
     * the linear model is the cheaper one to train, to run and to ship, and a split of a few hundred examples separates two
     * strong models by noise as often as not.
     */
    private Outcome autoOnValidation(Run run, TrainSpec spec, Splits3 data, TrainListener recording, Dataset validation) {
        ModelSpec network = ModelSpec.defaultFor(data.train().schema());
        Classifier linear = Classifier.create(dev.distillery.model.LinearSpec.DEFAULT, data.train().schema());
        Classifier trained = null;
        try {
            listener.onMessage("auto: fitting the linear model, then training " + network + "; the validation split decides");
            LinearFit.Fitted fitted = LinearFit.fit(linear, data.train(), data.extra(), validation, spec.train().seed(), TrainListener.NONE);
            double linearAccuracy = fitted.result().history().get(0).valAccuracy();
            listener.onMessage(String.format("auto: linear (%s): validation accuracy %.4f", fitted.setting(), linearAccuracy));
            trained = Classifier.create(network, data.train().schema());
            TrainResult result = new ClassifierTrainer(spec.train(), recording, run.checkpointDir("train"))
                    .train(trained, data.trainWithExtra(), validation);
            double networkAccuracy = result.history().get(result.bestEpoch() - 1).valAccuracy();
            AutoSelect.Duel duel = AutoSelect.Duel.of(linear, trained, validation);
            boolean linearWins = !duel.networkWins();
            Map<String, Object> selection = new LinkedHashMap<>();
            selection.put("rule", "auto: each candidate trained on the training part; the network is kept only if it beats the linear "
                    + "model on the validation split by more than chance (one-sided sign test on the examples they disagree on, p < "
                    + AutoSelect.SIGNIFICANCE + ")");
            selection.put("candidates", List.of(Map.of("candidate", "linear (" + fitted.setting() + ")", "val_accuracy", linearAccuracy),
                    Map.of("candidate", network.toString(), "val_accuracy", networkAccuracy)));
            selection.put("disagreements", duel.describe());
            selection.put("chosen", linearWins ? "linear" : network.toString());
            listener.onMessage(String.format("auto: chose %s (validation accuracy: linear %.4f, %s %.4f; %s)", linearWins ? "linear" : network,
                    linearAccuracy, network, networkAccuracy, duel));
            if (!linearWins) {
                return finish(run, spec.withModel(network), data.extraJoined(), trained, result, null, null, selection);
            }
            // The split has made its choice, and the linear model needs no hold-out to stop by: it is fitted again on every
            // label, as the cross-validated choice with fewer labels is (sotu-party: on 2,485 labels 0.8216, on all 2,762 0.8276).
            Dataset all = data.train().plus(data.train().name() + "+validation", validation);
            Splits3 refit = new Splits3(all, null, data.test(), data.skipped(), data.skipReasons(), data.unlabeled(),
                    data.duplicatesKeptTogether(), data.trainTestDuplicates(), data.unread(), data.extra());
            selection.put("refit", "the linear model fitted again on the training and validation parts together (" + all.size() + " labels)");
            listener.onMessage(String.format("auto: fitting the linear model again on all %,d labels (training and validation parts)",
                    all.size()));
            try (Classifier refitted = Classifier.create(dev.distillery.model.LinearSpec.DEFAULT, all.schema())) {
                LinearFit.Fitted again = LinearFit.fit(refitted, all, data.extra(), null, spec.train().seed(), recording);
                return finish(run, spec.withModel(refitted.spec()), refit.extraJoined(), refitted, again.result(), null, null, selection);
            }
        } finally {
            linear.close();
            if (trained != null) {
                trained.close();
            }
        }
    }

    private UnlabeledCheck unlabeledCheck(TrainSpec spec, Classifier classifier, Dataset validation, double labeledRoundAccuracy) {
        if (spec.selfTraining() == null || validation == null) {
            return null;
        }
        UnlabeledCheck check = new UnlabeledCheck(labeledRoundAccuracy, Evaluation.of(classifier, validation).accuracy(), validation.size());
        if (check.lowered()) {
            listener.onMessage(check.warning());
        }
        return check;
    }

    /** Tests, times and saves the trained {@code classifier} and assembles the outcome. */
    private Outcome finish(Run run, TrainSpec spec, Splits3 data, Classifier classifier, TrainResult result,
            Evaluation labeledRound, UnlabeledCheck check, Map<String, Object> selection) {
        Dataset test = data.test().filter(data.test().name(), e -> e.hasLabel());
        listener.onMessage(String.format("evaluating on %,d labeled test examples", test.size()));
        Evaluation eval = Evaluation.of(classifier, test);
        PrecisionRecall hardest = hardestClass(classifier, test, eval);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("run", run.id());
        meta.put("trained_on", spec.data());
        meta.put("seed", spec.train().seed());
        meta.put("test_accuracy", eval.accuracy());
        classifier.save(run.modelDir(), meta);
        long bytes = Classifier.sizeOnDisk(run.modelDir());
        listener.onMessage("timing inference");
        SpeedReport speed = SpeedReport.measure(classifier, test.examples().subList(0, Math.min(256, test.size())),
                200, 256, 10, bytes);
        if (!isSolved(classifier.spec())) { // a fit in one go has one point each; its choice is plotted where it is made
            plotCurves(result.history(), run.plotsDir());
        }
        Plots.lines(run.plotsDir().resolve(PRECISION_RECALL_PLOT), "Finding '" + hardest.label() + "' (" + hardest.support()
                + " test examples): precision by recall", "recall", "precision", hardest.recall(), Map.of("model", hardest.precision()));
        // The model as fitted: a solver's chosen settings in place of the open ones it was asked for ("c=0.1", not "c=null").
        return new Outcome(run, spec.withModel(classifier.spec()), data, result, eval, speed, classifier.parameterCount(), bytes,
                labeledRound, check, selection, hardest);
    }

    static final String PRECISION_RECALL_PLOT = "precision_recall.png";

    /**
     * The precision-recall curve of the class the model finds least well (the lowest average precision among the classes
     * in the test data): a rare class where one is rare (fraud among payments), which accuracy says least about, and
     * otherwise the class most confused with others (shirts among tops).
     */
    private static PrecisionRecall hardestClass(Classifier classifier, Dataset test, Evaluation eval) {
        int[] truth = test.examples().stream().mapToInt(e -> classifier.schema().indexOf(e.label().orElseThrow())).toArray();
        float[][] probabilities = classifier.probabilities(test.examples(), 512);
        PrecisionRecall hardest = null;
        for (int c = 0; c < eval.labels().size(); c++) {
            if (eval.support(c) > 0) {
                PrecisionRecall curve = PrecisionRecall.of(probabilities, truth, c, eval.labels().get(c));
                hardest = hardest == null || curve.averagePrecision() < hardest.averagePrecision() ? curve : hardest;
            }
        }
        return hardest;
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("test_accuracy", o.test().accuracy());
        r.put("test_macro_f1", o.test().macroF1());
        r.put("test_examples", o.test().count());
        r.put("hardest_class", o.hardest().label());
        r.put("hardest_class_average_precision", o.hardest().averagePrecision());
        if (o.labeledRound() != null) {
            r.put("labeled_round_test_accuracy", o.labeledRound().accuracy());
            r.put("labeled_round_test_macro_f1", o.labeledRound().macroF1());
        }
        if (o.unlabeledCheck() != null) {
            r.put("labeled_round_val_accuracy", o.unlabeledCheck().labeledRoundAccuracy());
            r.put("final_val_accuracy", o.unlabeledCheck().finalAccuracy());
        }
        if (o.modelSelection() != null) {
            r.put("model_selection", o.modelSelection());
        }
        r.put("train_examples", o.data().train().size());
        r.put("validation_examples", o.data().validation() == null ? 0 : o.data().validation().size());
        r.put("skipped_records", o.data().skipped());
        r.put("unlabeled_train_records", o.data().unread().unlabeledTrain());
        r.put("unlabeled_test_records", o.data().unread().unlabeledTest());
        r.put("empty_train_texts", o.data().unread().emptyTexts());
        r.put("duplicates_kept_together", o.data().duplicatesKeptTogether());
        r.put("train_test_duplicates", o.data().trainTestDuplicates());
        r.put("parameters", o.parameters());
        r.put("bytes_on_disk", o.bytesOnDisk());
        r.put("epochs_run", o.training().history().size());
        r.put("best_epoch", o.training().bestEpoch());
        r.put("stopped_early", o.training().stoppedEarly());
        r.put("train_examples_per_s", o.training().examplesPerSecond());
        long flops = dev.distillery.model.Flops.training(o.spec().model(), o.data().train().schema());
        if (flops > 0) {
            r.put("train_flops_per_example", flops);
            r.put("train_gflops", flops * o.training().examplesPerSecond() / 1e9);
        }
        r.put("training_seconds", o.training().trainingSeconds());
        r.put("latency_p50_ms", o.speed().latencyP50Ms());
        r.put("latency_p99_ms", o.speed().latencyP99Ms());
        r.put("throughput_per_s", o.speed().throughputPerSecond());
        r.put("throughput_batch", o.speed().batchSize());
        r.put("confusion", o.test().confusion());
        r.put("labels", o.test().labels());
        return r;
    }

    static String summary(Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Run ").append(o.run().id()).append("\n\n");
        sb.append("| | |\n|---|---|\n");
        sb.append("| data | ").append(o.spec().data()).append(o.spec().test() != null ? " (test: " + o.spec().test() + ")" : "").append(" |\n");
        sb.append("| examples | train ").append(o.data().train().size())
                .append(", validation ").append(o.data().validation() == null ? 0 : o.data().validation().size())
                .append(", test ").append(o.test().count()).append(" |\n");
        if (o.data().skipped() > 0) {
            sb.append("| skipped records | ").append(o.data().skipped()).append(" |\n");
        }
        sb.append(String.format("| test examples duplicated in training | %,d%s |%n", o.data().trainTestDuplicates(),
                o.data().trainTestDuplicates() > 0 ? " (test figures partly measure memory)" : ""));
        if (o.data().duplicatesKeptTogether() > 0) {
            sb.append(String.format("| duplicates kept on one side of each split | %,d examples |%n", o.data().duplicatesKeptTogether()));
        }
        sb.append("| model | ").append(o.spec().model().describe(o.data().train().schema())).append(" |\n");
        sb.append(String.format("| parameters | %,d (%,.1f KiB on disk) |%n", o.parameters(), o.bytesOnDisk() / 1024.0));
        if (solverOf(o.spec().model()) == null) { // as the console prints it: a solver fits in one go, no epochs to count
            sb.append(String.format("| epochs | %d run, best %d%s |%n", o.training().history().size(), o.training().bestEpoch(),
                    o.training().stoppedEarly() ? " (early stop)" : ""));
        }
        sb.append("| training | ").append(fitted(o.spec().model(), o.training())).append(" |\n");
        Evaluation test = o.test();
        sb.append(String.format("| **test accuracy** | **%.4f**%s |%n", test.accuracy(), test.majorityAccuracy() >= 0.5
                ? String.format(" (always '%s': %.4f)", test.labels().get(test.majorityClass()), test.majorityAccuracy()) : ""));
        sb.append(String.format("| test macro-F1 | %.4f |%n", o.test().macroF1()));
        if (o.labeledRound() != null) {
            sb.append(String.format("| after the labeled round (labels alone) | accuracy %.4f, macro-F1 %.4f |%n",
                    o.labeledRound().accuracy(), o.labeledRound().macroF1()));
        }
        if (o.unlabeledCheck() != null) {
            sb.append(String.format("| validation accuracy, labeled round -> after the unlabeled rounds | %.4f -> %.4f%s |%n",
                    o.unlabeledCheck().labeledRoundAccuracy(), o.unlabeledCheck().finalAccuracy(),
                    o.unlabeledCheck().lowered() ? " (lowered: the labeled round alone may be the better model)" : ""));
        }
        sb.append(String.format("| latency (1 example) | p50 %.2f ms, p99 %.2f ms |%n", o.speed().latencyP50Ms(), o.speed().latencyP99Ms()));
        sb.append(String.format("| throughput (batch %d) | %,.0f examples/s |%n", o.speed().batchSize(), o.speed().throughputPerSecond()));
        String curves = solverOf(o.spec().model()) == null ? "`plots/loss.png`, `plots/accuracy.png`"
                : "`plots/" + CROSS_VALIDATION_PLOT + "` (where C was chosen)";
        sb.append("\nPlots: ").append(curves).append(", `plots/" + PRECISION_RECALL_PLOT + "`. Model: `model/`.\n\n```\n");
        sb.append(o.test().report()).append("```\n");
        PrecisionRecall rare = o.hardest();
        sb.append(String.format("%n## Finding '%s', the class the model finds least well (%,d test examples)%n%nAverage precision %.3f."
                + " The model answers the most probable class; to answer '%s' more often (higher recall, lower precision),"
                + " `predict --threshold %s=P` (or `\"thresholds\": {\"%s\": P}` in a `serve` request) answers it whenever its"
                + " probability is at least P:%n%n", rare.label(), rare.support(),
                rare.averagePrecision(), rare.label(), rare.label(), rare.label()));
        sb.append(rare.markdownTable());
        return sb.toString();
    }

    /** Forwards events and writes each finished epoch to {@code metrics.jsonl}. */
    private record RecordingListener(TrainListener inner, Run run) implements TrainListener {
        @Override
        public void onEpochStart(int epoch, int totalEpochs, int batches) {
            inner.onEpochStart(epoch, totalEpochs, batches);
        }

        @Override
        public void onBatch(int epoch, int batch, double loss, double accuracy) {
            inner.onBatch(epoch, batch, loss, accuracy);
        }

        @Override
        public void onEpochEnd(EpochStats stats) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", stats.epoch());
            m.put("train_loss", stats.trainLoss());
            m.put("train_accuracy", stats.trainAccuracy());
            if (!Double.isNaN(stats.valAccuracy())) {
                m.put("val_loss", stats.valLoss());
                m.put("val_accuracy", stats.valAccuracy());
            }
            if (!Double.isNaN(stats.learningRate())) {
                m.put("learning_rate", stats.learningRate());
            }
            m.put("seconds", stats.seconds());
            m.put("examples_per_s", stats.examplesPerSecond());
            m.put("best", stats.best());
            run.appendEpochMetrics(m);
            inner.onEpochEnd(stats);
        }

        @Override
        public void onMessage(String message) {
            inner.onMessage(message);
        }
    }

    /** Loss and accuracy per epoch, training and validation: {@code loss.png} and {@code accuracy.png}. */
    private static void plotCurves(List<EpochStats> history, Path plots) {
        double[] epochs = history.stream().mapToDouble(EpochStats::epoch).toArray();
        Map<String, double[]> loss = new LinkedHashMap<>();
        loss.put("train", history.stream().mapToDouble(EpochStats::trainLoss).toArray());
        loss.put("validation", history.stream().mapToDouble(EpochStats::valLoss).toArray());
        Plots.lines(plots.resolve("loss.png"), "Loss per epoch", "epoch", "cross-entropy", epochs, loss);
        Map<String, double[]> accuracy = new LinkedHashMap<>();
        accuracy.put("train", history.stream().mapToDouble(EpochStats::trainAccuracy).toArray());
        accuracy.put("validation", history.stream().mapToDouble(EpochStats::valAccuracy).toArray());
        Plots.lines(plots.resolve("accuracy.png"), "Accuracy per epoch", "epoch", "accuracy", epochs, accuracy);
    }
}
