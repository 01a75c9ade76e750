package dev.distillery.train;

import dev.distillery.data.Dataset;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.SvmSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --model auto}: the same rule for every data set. The candidates are the linear model (its loss and C chosen by
 * its own cross-validation), for dense features and images the RBF-kernel svm (C and gamma by its own cross-validation), and
 * the network the data kind suggests (the n-gram bag for text, an MLP for dense features, for images the CNN with and
 * without mirror flips, since flips suit clothes and not digits). With at most {@link #CV_MAX_LABELS} labels each
 * candidate is scored by stratified k-fold cross-validation on the labels and the best is then trained on all of them;
 * with more, the linear model and the network train on the training part and the network is kept only where it beats
 * the linear model on the validation split beyond chance ({@link Duel}).
 */
public final class AutoSelect {
    /** Up to this many labels, candidates are compared by cross-validation (no hold-out is spent). */
    public static final int CV_MAX_LABELS = 2000;
    /** Networks train once per fold: at most this many folds for them, to bound the cost. */
    public static final int NETWORK_FOLDS = 3;
    /**
     * The cost bound of a network's cross-validation, in optimizer steps times trainable parameters over all folds: a
     * measure of work, not of time, so that the same data gives the same choice on every machine. The default CNN (225k
     * parameters) fits many times over; the n-gram bag (4.2M, most of them in a hash table updated densely each step) does
     * not on small data, where its cost is far out of proportion to what it could add beside the linear model's TF-IDF.
     */
    public static final double MAX_PARAMETER_STEPS = 1e9;
    /**
     * The bound of the svm's cross-validation in kernel evaluations times features ({@link SvmFit#gridWork}): about a
     * minute and a half on two cores. Digits with all 1,346 labels (64 features) and 600 labels of 784-pixel images
     * fit; thousands of labels of large images, where the kernel's cost grows with the square of the labels, do not.
     */
    public static final double MAX_KERNEL_WORK = 1.5e11;

    /** One candidate's cross-validated accuracy. */
    public record Score(String name, ModelSpec spec, double accuracy, int folds) {}

    /**
     * The chosen spec and the table it was chosen from; {@code forPseudoLabels} is the spec to train where pseudo-labels
     * join the labels ({@link #forPseudoLabels}).
     */
    public record Choice(ModelSpec spec, List<Score> table, ModelSpec forPseudoLabels) {
        /** The chosen candidate's cross-validated accuracy (NaN when nothing could be cross-validated). */
        public double accuracy() {
            return table.stream().filter(s -> s.spec().equals(spec)).findFirst().map(Score::accuracy).orElse(Double.NaN);
        }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", "auto: stratified cross-validation on the labels");
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Score s : table) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("candidate", s.name());
                row.put("cv_accuracy", s.accuracy());
                row.put("folds", s.folds());
                rows.add(row);
            }
            m.put("candidates", rows);
            m.put("chosen", table.stream().filter(s -> s.spec().equals(spec)).findFirst().map(Score::name).orElse(spec.toString()));
            return m;
        }
    }

    private AutoSelect() {}

    /** The level of the sign test by which a network must beat the linear model on a validation split ({@link Duel}). */
    public static final double SIGNIFICANCE = 0.05;

    /**
     * The network and the linear model on the same validation examples, counted where exactly one of them is right
     * (McNemar's test in its exact form, a sign test on those examples): the network wins only if it is right alone more
     * often than the linear model by more than chance, one-sided at {@link #SIGNIFICANCE}.
     *
     * @param networkOnly examples the network gets right and the linear model wrong
     * @param linearOnly  examples the linear model gets right and the network wrong
     */
    public record Duel(int networkOnly, int linearOnly) {
        public static Duel of(Classifier linear, Classifier network, Dataset validation) {
            int[] byLinear = linear.predict(validation.examples(), 256);
            int[] byNetwork = network.predict(validation.examples(), 256);
            int networkOnly = 0;
            int linearOnly = 0;
            for (int i = 0; i < byLinear.length; i++) {
                int truth = validation.schema().indexOf(validation.get(i).label().orElseThrow());
                networkOnly += byNetwork[i] == truth && byLinear[i] != truth ? 1 : 0;
                linearOnly += byLinear[i] == truth && byNetwork[i] != truth ? 1 : 0;
            }
            return new Duel(networkOnly, linearOnly);
        }

        /** The chance of the network being right alone this often or more if neither model were better. */
        public double pValue() {
            int n = networkOnly + linearOnly;
            return n == 0 ? 1.0 : new org.apache.commons.math3.stat.inference.BinomialTest().binomialTest(n, networkOnly, 0.5,
                    org.apache.commons.math3.stat.inference.AlternativeHypothesis.GREATER_THAN);
        }

        public boolean networkWins() {
            return networkOnly > linearOnly && pValue() < SIGNIFICANCE;
        }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("network_right_linear_wrong", networkOnly);
            m.put("linear_right_network_wrong", linearOnly);
            m.put("p_value", pValue());
            return m;
        }

        @Override
        public String toString() {
            return String.format("the network alone right on %d, the linear model alone on %d, p = %.3g", networkOnly, linearOnly, pValue());
        }
    }

    /** Whether {@code labels} are few enough to choose by cross-validation. */
    public static boolean choosesByCrossValidation(int labels) {
        return labels <= CV_MAX_LABELS;
    }

    /** The networks {@code auto} considers beside the linear model, named. */
    public static Map<String, ModelSpec> networks(Schema schema) {
        Map<String, ModelSpec> out = new LinkedHashMap<>();
        ModelSpec network = ModelSpec.defaultFor(schema);
        if (network instanceof CnnSpec cnn) {
            out.put("cnn (mirror flips)", cnn.withAugment(true));
            out.put("cnn (no flips)", cnn.withAugment(false));
        } else {
            out.put(network.getClass().getSimpleName().replace("Spec", "").toLowerCase(java.util.Locale.ROOT), network);
        }
        return out;
    }

    /**
     * What {@code --model auto} means for a command that fits one model on labels without a validation split of its own
     * ({@code label issues}, {@code label next}, {@code label simulate}): {@link #choose}'s choice up to
     * {@link #CV_MAX_LABELS} labels; beyond them, train's rule with a validation split ({@link #duelOnHoldOut}); with a
     * class too small to cross-validate, the data kind's network ({@link ModelSpec#defaultFor}).
     */
    public static ModelSpec chooseOrDefault(Dataset labeled, TrainConfig config, TrainListener listener) {
        TrainListener said = listener == null ? TrainListener.NONE : listener;
        if (CrossValidation.smallestClass(labeled) < 2) {
            return ModelSpec.defaultFor(labeled.schema());
        }
        return labeled.size() > CV_MAX_LABELS ? duelOnHoldOut(labeled, config, said) : choose(labeled, config, said).spec();
    }

    /**
     * With more labels than cross-validation takes, as {@code train --model auto} chooses on its validation split: the
     * linear model and the data kind's network each trained on 90% of the labels, the network kept only where it beats
     * the linear model on the other 10% beyond chance ({@link Duel}). The data kind's network alone was the choice
     * before: {@code label issues} on 2,476 words with their sentiment fitted the n-gram network, which reads words and
     * word pairs and so learned nothing from one unseen word (out-of-sample accuracy 0.63, always 'negative' 0.65) and
     * flagged 48% of the labels, where train's choice, the linear model, reaches 0.85.
     */
    static ModelSpec duelOnHoldOut(Dataset labeled, TrainConfig config, TrainListener listener) {
        dev.distillery.data.Splits.Pair parts = dev.distillery.data.Splits.split(labeled, 0.1, config.seed(), "auto-train",
                "auto-hold-out", dev.distillery.curate.DuplicateGroups.of(labeled));
        ModelSpec network = ModelSpec.defaultFor(labeled.schema());
        listener.onMessage(String.format("auto: %,d labels, more than cross-validation takes: the linear model and %s each"
                + " trained on %,d of them, judged on the other %,d", labeled.size(), network, parts.first().size(), parts.second().size()));
        try (Classifier linear = Classifier.create(LinearSpec.DEFAULT, labeled.schema());
                Classifier trained = Classifier.create(network, labeled.schema())) {
            LinearFit.fit(linear, parts.first(), parts.second(), config.seed(), TrainListener.NONE);
            new ClassifierTrainer(config, listener, null).train(trained, parts.first(), parts.second());
            Duel duel = Duel.of(linear, trained, parts.second());
            ModelSpec chosen = duel.networkWins() ? network : LinearSpec.DEFAULT;
            listener.onMessage(String.format("auto: chose %s (%s)", duel.networkWins() ? network : "linear", duel));
            return chosen;
        }
    }

    /**
     * Scores every candidate by cross-validation on {@code train} (all labeled) and picks the most accurate ({@link
     * #best}).
     */
    public static Choice choose(Dataset labeled, TrainConfig config, TrainListener listener) {
        // Many labels and no validation split (--val-fraction 0): the choice is made on a stratified sample.
        Dataset train = CrossValidation.withoutSingletons(labeled.size() > CV_MAX_LABELS ? dev.distillery.data.Splits.labeledSubset(
                labeled, CV_MAX_LABELS, config.seed()).first() : labeled, "auto", listener);
        int smallest = CrossValidation.smallestClass(train);
        List<Score> table = new ArrayList<>();
        LinearSpec linear = LinearSpec.DEFAULT;
        if (smallest < 2) {
            listener.onMessage("auto: fewer than 2 labels of some class, nothing to cross-validate; the linear model");
            return new Choice(linear, List.of(new Score("linear", linear, Double.NaN, 0)), forPseudoLabels(linear, null));
        }
        int folds = Math.min(LinearFit.MAX_FOLDS, smallest);
        LinearFit.CrossValidated validated;
        try (Classifier probe = Classifier.create(linear, train.schema())) {
            validated = LinearFit.CrossValidated.of(probe, LinearFit.settings(linear), train, folds, config.seed(),
                    new java.util.IdentityHashMap<>());
        }
        Map<LinearFit.Setting, Double> linearCv = validated.accuracy();
        LinearFit.Setting best = LinearFit.best(linearCv);
        // the logit scale with C, from the same held-out logits: the fits of the chosen spec need no cross-validation again
        LinearSpec fitted = linear.withSettings(best.loss(), best.c()).withLogitScale(validated.logitScale(train.schema(), train, best));
        table.add(new Score(name(fitted), fitted, linearCv.get(best), folds));
        listener.onMessage(String.format("auto: linear, %d-fold cross-validation: accuracy %.4f (%s)", folds, linearCv.get(best), best));
        double kernelWork = SvmFit.gridWork(train.schema(), train.size(), folds);
        if (train.schema().kind() == dev.distillery.data.Schema.Kind.DENSE && kernelWork > MAX_KERNEL_WORK) {
            listener.onMessage(String.format("auto: svm not cross-validated: %.3g kernel work is over the bound of %.3g", kernelWork,
                    MAX_KERNEL_WORK));
        } else if (train.schema().kind() == dev.distillery.data.Schema.Kind.DENSE) {
            SvmFit.Search svm = SvmFit.crossValidate(train.schema(), train, folds, config.seed(), SvmFit.C_GRID,
                    SvmFit.gammaGrid(train.schema().featureSize()));
            String name = svmName(svm.c(), svm.gamma());
            table.add(new Score(name, SvmSpec.DEFAULT.withSettings(svm.c(), svm.gamma()), svm.accuracy(), folds));
            listener.onMessage(String.format("auto: %s, %d-fold cross-validation: accuracy %.4f", name, folds, svm.accuracy()));
        }
        int networkFolds = Math.min(NETWORK_FOLDS, smallest);
        for (Map.Entry<String, ModelSpec> candidate : networks(train.schema()).entrySet()) {
            double cost = parameterSteps(candidate.getValue(), train, networkFolds, config);
            if (cost > MAX_PARAMETER_STEPS) {
                listener.onMessage(String.format("auto: %s not cross-validated: %.3g parameter-steps is over the bound of %.3g",
                        candidate.getKey(), cost, MAX_PARAMETER_STEPS));
                continue;
            }
            double accuracy = crossValidateNetwork(candidate.getValue(), train, networkFolds, config);
            table.add(new Score(candidate.getKey(), candidate.getValue(), accuracy, networkFolds));
            listener.onMessage(String.format("auto: %s, %d-fold cross-validation: accuracy %.4f", candidate.getKey(), networkFolds, accuracy));
        }
        Score chosen = best(table);
        listener.onMessage("auto: chose " + chosen.name());
        Map<LinearFit.Setting, Double> logisticCv = new LinkedHashMap<>(linearCv);
        logisticCv.keySet().removeIf(s -> s.loss() != LinearSpec.Loss.LOGISTIC);
        LinearFit.Setting pseudo = new LinearFit.Setting(LinearSpec.Loss.LOGISTIC, pseudoLabelC(logisticCv, train));
        return new Choice(chosen.spec(), table, forPseudoLabels(chosen.spec(), linear.withSettings(pseudo.loss(), pseudo.c())
                .withLogitScale(validated.heldOutLogits().containsKey(pseudo) ? validated.logitScale(train.schema(), train, pseudo) : null)));
    }

    /**
     * The most accurate candidate of {@code table}. Where the svm and the linear model tie, the svm: with a few dozen
     * labels the folds often cannot tell them apart (every held-out label right for both), and the RBF kernel at its
     * default width also fits where the classes are not linearly separable. Other ties go to the earlier candidate (the
     * linear model first: cheapest to train and to run). Measured on other labeled draws than the suite's (seeds 1, 2
     * and 4-8; for iris also 42) of wine, breast-cancer, digits and iris, 73 cells with 11 to 100 labels, against the
     * linear model on ties: +1.1 points of test accuracy on average (wine 13 labels +1.9, 30 +3.8, 100 +1.9; iris 11
     * +4.2; digits 100 +1.1; breast-cancer 20 -0.9, 43 -0.2; the others within 0.4).
     */
    static Score best(List<Score> table) {
        Score chosen = table.get(0);
        for (Score s : table) {
            boolean tie = Math.abs(s.accuracy() - chosen.accuracy()) < 1e-12;
            boolean svmOverLinear = s.spec() instanceof SvmSpec && chosen.spec() instanceof LinearSpec;
            chosen = s.accuracy() > chosen.accuracy() + 1e-12 || (tie && svmOverLinear) ? s : chosen;
        }
        return chosen;
    }

    /**
     * The C of the logistic model trained on the labels plus pseudo-labels: the one the labels' cross-validation chose,
     * unless no C did better there than always guessing the commonest class. Then the table holds no evidence for any
     * C, its first (0.01, the strongest regularization) won by a tie, and on thousands of pseudo-labels that C learns
     * little beyond the commonest class: sotu-era, 40 labels drawn with seed 1, every C at 0.425 (17 of 40, the
     * commonest class's share), trained on the labels and 3,688 pseudo-labels at C 0.01: test accuracy 0.4183 and
     * macro-F1 0.1475, where spreading alone had labeled 0.675 of the held-out labels right. Without evidence it takes
     * {@link LinearFit#FALLBACK_C}, as with too few labels to cross-validate.
     */
    static double pseudoLabelC(Map<LinearFit.Setting, Double> logisticCv, Dataset labeled) {
        LinearFit.Setting best = LinearFit.best(logisticCv);
        double guessing = labeled.commonestLabelShare();
        return logisticCv.get(best) > guessing + 1e-12 ? best.c() : LinearFit.FALLBACK_C;
    }

    /**
     * What trains on labels plus pseudo-labels in place of {@code chosen}: the linear model with the logistic loss
     * ({@code logistic}, its C from the same cross-validation ({@link #pseudoLabelC}), or with none its C chosen on the
     * pseudo-labeled data), since pseudo-labels are noisy and the squared hinge grows with the square of a wrong label's
     * margin while the logistic loss grows linearly (trained on spread labels, the hinge scored 0.7186 against 0.7331 on
     * sotu-era 40 labels, 0.7561 against 0.7699 with 100, 0.9372 against 0.9433 on SpamAssassin 100); every other spec
     * unchanged.
     */
    static ModelSpec forPseudoLabels(ModelSpec chosen, LinearSpec logistic) {
        if (!(chosen instanceof LinearSpec linear)) {
            return chosen;
        }
        if (logistic != null) {
            return logistic;
        }
        return linear.loss() == LinearSpec.Loss.LOGISTIC ? chosen : new LinearSpec(linear.width(), null, LinearSpec.Loss.LOGISTIC);
    }

    /**
     * Why {@link #forPseudoLabels} trains something other than {@code chosen}, a linear model: the logistic loss in place
     * of the squared hinge, or, for a chosen logistic model, the C it takes where no C beat guessing ({@link
     * #pseudoLabelC}), the only two ways the two can differ.
     */
    static String whyForPseudoLabels(ModelSpec chosen) {
        return chosen instanceof LinearSpec linear && linear.loss() == LinearSpec.Loss.LOGISTIC
                ? "no C beat guessing the commonest class in the labels' cross-validation"
                : "the logistic loss, which noisy labels pull less than the squared hinge";
    }

    /** How tables and reports name a spec: a linear model by its setting ("linear (logistic C 10)"), others by the spec. */
    /** A candidate as the choice's table names it: "linear (logistic C 0.01)", "svm (C 1.0, gamma 0.1667)", a network's spec. */
    public static String name(ModelSpec spec) {
        if (spec instanceof LinearSpec linear && linear.c() != null) {
            return "linear (" + LinearFit.settings(linear).get(0) + ")";
        }
        if (spec instanceof SvmSpec svm && svm.c() != null && svm.gamma() != null) {
            return svmName(svm.c(), svm.gamma());
        }
        return spec instanceof LinearSpec ? "linear" : spec instanceof SvmSpec ? "svm" : spec.toString();
    }

    private static String svmName(double c, double gamma) {
        return String.format("svm (C %s, gamma %.4g)", c, gamma);
    }

    /** Trainable parameters times the optimizer steps of {@code folds} trainings on all but one fold each. */
    static double parameterSteps(ModelSpec spec, Dataset data, int folds, TrainConfig config) {
        int examples = data.size() - data.size() / folds;
        TrainConfig capped = SmallData.capBatch(config, examples);
        long stepsPerPass = (examples + capped.batchSize() - 1) / capped.batchSize();
        long steps = stepsPerPass * capped.epochs() * SmallData.passesPerEpoch(examples, capped);
        try (Classifier probe = Classifier.create(spec, data.schema())) {
            probe.block().initialize(probe.model().getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, probe.featurizer().inputShape(1));
            return (double) folds * steps * probe.parameterCount();
        }
    }

    /** Accuracy over all examples, each scored by a network trained without its fold (same config, no validation). */
    static double crossValidateNetwork(ModelSpec spec, Dataset data, int folds, TrainConfig config) {
        int[] fold = CrossValidation.folds(data, folds, config.seed());
        LabelSpreading.FoldScorer scorer = TrainJob.foldScorer(spec, config);
        int hits = 0;
        for (int f = 0; f < folds; f++) {
            CrossValidation.Fold parts = CrossValidation.Fold.of(data, fold, f);
            hits += scorer.hits(data.subset(data.name() + ":cv", parts.train()), parts.held());
        }
        return hits / (double) data.size();
    }
}
