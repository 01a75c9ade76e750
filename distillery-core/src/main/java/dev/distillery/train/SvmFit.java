package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.model.SvmSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import libsvm.svm;
import libsvm.svm_model;
import libsvm.svm_node;
import libsvm.svm_parameter;
import libsvm.svm_problem;

/**
 * Fits an {@link SvmSpec} classifier with LIBSVM: one RBF-kernel C-SVM per class against the rest, on features
 * standardized with the training mean and deviation, and writes the support vectors, their coefficients and the
 * standardization into the classifier's network. When the spec leaves C and gamma open they are chosen by stratified
 * k-fold cross-validation on the labels (fewest mistakes; among equals the setting nearest C 1 and gamma 1 / features,
 * then the least held-out hinge loss). The decision values become logits times a scale chosen on the same folds'
 * held-out decision values (least log loss), so the probabilities that self-training, distillation and calibration
 * read are not arbitrary.
 */
public final class SvmFit {
    /** Inverse regularization strengths cross-validation chooses from. */
    public static final double[] C_GRID = {0.1, 1, 10, 100};
    /** Kernel widths, as multiples of 1 / features (scikit-learn's "scale" on standardized features is 1 / features). */
    public static final double[] GAMMA_FACTORS = {0.1, 1, 10};
    /**
     * The work of a cross-validation grid in kernel evaluations times features: settings x folds x binary fits x (fold
     * training size)^2 x features. A measure, not a time, so that the same data gets the same treatment on every
     * machine; {@code auto} leaves the svm out above {@link AutoSelect#MAX_KERNEL_WORK}.
     */
    public static double gridWork(Schema schema, int examples, int folds) {
        double n = examples - examples / (double) folds;
        int fits = schema.numClasses() == 2 ? 1 : schema.numClasses();
        return (double) C_GRID.length * GAMMA_FACTORS.length * folds * fits * n * n * schema.featureSize();
    }

    /**
     * The work of one fit with its settings fixed, as {@link #fit} does it (the logit scale's cross-validation, then
     * the final fit), on {@code examples}; in {@link #gridWork}'s units.
     */
    public static double fitWork(Schema schema, int examples) {
        int fits = schema.numClasses() == 2 ? 1 : schema.numClasses();
        return (LinearFit.MAX_FOLDS + 1.0) * fits * (double) examples * examples * schema.featureSize();
    }

    /** The most training examples one fit may take within {@code work}. */
    public static int affordableExamples(Schema schema, double work) {
        return (int) Math.floor(Math.sqrt(work / fitWork(schema, 1)));
    }

    /**
     * The most work one {@link #fit} takes on, its search for C and gamma included (ten times auto's bound for the grid,
     * about a quarter of an hour on two cores): beyond it the fit refuses.
     */
    public static final double MAX_FIT_WORK = 10 * AutoSelect.MAX_KERNEL_WORK;

    /** Scales from decision values to logits that the held-out log loss chooses from. */
    static final double[] LOGIT_SCALES = {0.25, 0.5, 1, 2, 4, 8, 16};
    private static final double ABSENT_CLASS_BIAS = -30;

    /** How the fit went: C and gamma, how they were found, and the training result. */
    public record Fitted(TrainResult result, double c, double gamma, double logitScale, int folds, Map<String, Double> cvAccuracy,
            int supportVectors) implements TrainJob.Solved {
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("c", c);
            m.put("gamma", gamma);
            m.put("logit_scale", logitScale);
            m.put("folds", folds);
            m.put("support_vectors", supportVectors);
            m.put("cv_accuracy", cvAccuracy);
            return m;
        }

        @Override
        public Map<String, java.util.SortedMap<Double, Double>> accuracyByC() {
            Map<String, java.util.SortedMap<Double, Double>> out = new LinkedHashMap<>();
            cvAccuracy.forEach((setting, accuracy) -> {
                java.util.regex.Matcher m = SETTING.matcher(setting);
                if (m.matches()) {
                    out.computeIfAbsent("gamma " + m.group(2), k -> new java.util.TreeMap<>()).put(Double.parseDouble(m.group(1)), accuracy);
                }
            });
            return out;
        }

        /** A cross-validated setting as {@link #search} names it. */
        private static final java.util.regex.Pattern SETTING = java.util.regex.Pattern.compile("C (\\S+), gamma (\\S+)");
    }

    /**
     * The cross-validation's verdict: the best setting, every setting's accuracy, and the best one's held-out
     * decisions.
     */
    public record Search(double c, double gamma, double accuracy, Map<String, Double> table, double[][] heldOutDecisions) {}

    private SvmFit() {}

    public static Fitted fit(Classifier classifier, Dataset train, Dataset validation, long seed, TrainListener listener) {
        return fit(classifier, train, null, validation, seed, listener);
    }

    /**
     * Chooses C and gamma (and the logit scale) by cross-validation on {@code train}, then fits on {@code train} and
     * {@code extra} (null for none) together, as {@link LinearFit#fit(Classifier, Dataset, Dataset, Dataset, long,
     * TrainListener)} does.
     */
    public static Fitted fit(Classifier classifier, Dataset train, Dataset extra, Dataset validation, long seed, TrainListener listener) {
        if (!(classifier.spec() instanceof SvmSpec spec)) {
            throw new IllegalArgumentException("SvmFit fits svm models, not " + classifier.spec());
        }
        Dataset fitOn = train.plus(train.name() + "+extra", extra);
        if (spec.capacity() < fitOn.size()) {
            throw new IllegalArgumentException("the svm network holds " + spec.capacity() + " support vectors, the training data has "
                    + fitOn.size() + " examples");
        }
        long start = System.nanoTime();
        Schema schema = classifier.schema();
        int d = schema.featureSize();
        boolean searches = spec.c() == null || spec.gamma() == null;
        double work = fitWork(schema, fitOn.size()) + (searches ? gridWork(schema, train.size(), LinearFit.MAX_FOLDS) : 0);
        if (work > MAX_FIT_WORK) {
            // the work grows with the square of the examples, so this many fit in the bound
            long affordable = (long) (fitOn.size() * Math.sqrt(MAX_FIT_WORK / work));
            throw new IllegalArgumentException(String.format("an svm on %,d examples of %,d features is beyond what a kernel machine "
                    + "trains in reasonable time here (at most about %,d such examples%s: its cost grows with the square of the examples); "
                    + "take fewer labels (--labeled), or --model linear, mlp or cnn", fitOn.size(), d, affordable,
                    searches ? " with the search for C and gamma" : ""));
        }
        double c = spec.c() != null ? spec.c() : 1.0;
        double gamma = spec.gamma() != null ? spec.gamma() : 1.0 / d;
        double logitScale = 1;
        int folds = 0;
        Map<String, Double> table = Map.of();
        Dataset selectOn = CrossValidation.withoutSingletons(train, "svm", listener);
        int smallest = CrossValidation.smallestClass(selectOn);
        if (smallest >= 2) {
            folds = Math.min(LinearFit.MAX_FOLDS, smallest);
            double[] cs = spec.c() != null ? new double[] {spec.c()} : C_GRID;
            double[] gammas = spec.gamma() != null ? new double[] {spec.gamma()} : gammaGrid(d);
            if (cs.length * gammas.length > 1) {
                listener.onMessage(String.format("svm: choosing C and gamma among %d settings by %d-fold cross-validation on %,d labels",
                        cs.length * gammas.length, folds, selectOn.size()));
            }
            Search search = crossValidate(schema, selectOn, folds, seed, cs, gammas);
            c = search.c();
            gamma = search.gamma();
            table = search.table();
            logitScale = logitScale(schema, selectOn, search.heldOutDecisions());
            if (cs.length * gammas.length > 1) {
                listener.onMessage(String.format("svm: C %s, gamma %.4g chosen by %d-fold cross-validation on %,d labels (accuracy %.4f)",
                        fmt(c), gamma, folds, selectOn.size(), search.accuracy()));
            }
        } else {
            listener.onMessage(String.format("svm: fewer than 2 labels of some class, no cross-validation; C %s, gamma %.4g", fmt(c), gamma));
        }
        LinearFit.DenseFeatures scaling = LinearFit.DenseFeatures.learn(schema, fitOn);
        svm_node[][] rows = rows(scaling, fitOn.examples());
        Ovr ovr = Ovr.train(schema, fitOn.examples(), rows, c, gamma);
        int supportVectors = ovr.writeInto(classifier, scaling, rows, gamma, logitScale);
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] trainFigures = LinearFit.lossAndAccuracy(classifier, fitOn);
        double[] valFigures = validation == null || validation.isEmpty() ? new double[] {Double.NaN, Double.NaN}
                : LinearFit.lossAndAccuracy(classifier, validation);
        // Solved, not stepped: there is no learning rate (NaN tells the console and the metrics so).
        EpochStats stats = new EpochStats(1, trainFigures[0], trainFigures[1], valFigures[0], valFigures[1], Double.NaN, seconds,
                fitOn.size() / seconds, true);
        listener.onEpochEnd(stats);
        classifier.recordFittedSettings(spec.withSettings(c, gamma));
        return new Fitted(new TrainResult(List.of(stats), 1, false, 0), c, gamma, logitScale, folds, table, supportVectors);
    }

    static double[] gammaGrid(int features) {
        double[] out = new double[GAMMA_FACTORS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = GAMMA_FACTORS[i] / features;
        }
        return out;
    }

    /**
     * Every (C, gamma) scored by {@code folds}-fold cross-validation; the standardization is learned on each training
     * part.
     */
    public static Search crossValidate(Schema schema, Dataset data, int folds, long seed, double[] cs, double[] gammas) {
        int[] fold = CrossValidation.folds(data, folds, seed);
        int classes = schema.numClasses();
        int settings = cs.length * gammas.length;
        double[][][] decisions = new double[settings][data.size()][classes];
        List<CrossValidation.Fold> parts = new ArrayList<>();
        List<svm_node[][]> inRows = new ArrayList<>();
        List<svm_node[][]> outRows = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            CrossValidation.Fold part = CrossValidation.Fold.of(data, fold, f);
            LinearFit.DenseFeatures scaling = LinearFit.DenseFeatures.learn(schema, data.subset(data.name() + ":cv", part.train()));
            parts.add(part);
            inRows.add(rows(scaling, part.train()));
            outRows.add(rows(scaling, part.held()));
        }
        // Each setting's folds are independent fits: they run in parallel, each filling only its own slot.
        CrossValidation.inParallel(settings, s -> {
            double c = cs[s / gammas.length];
            double gamma = gammas[s % gammas.length];
            for (int f = 0; f < folds; f++) {
                Ovr ovr = Ovr.train(schema, parts.get(f).train(), inRows.get(f), c, gamma);
                List<Integer> heldIndex = parts.get(f).heldIndex();
                for (int j = 0; j < heldIndex.size(); j++) {
                    decisions[s][heldIndex.get(j)] = ovr.decisions(outRows.get(f)[j]);
                }
            }
            return Boolean.TRUE;
        }, Boolean[]::new);
        Map<String, Double> table = new LinkedHashMap<>();
        int best = 0;
        double bestAccuracy = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        double bestHinge = Double.POSITIVE_INFINITY;
        double binary = classes == 2 ? 2 : 1; // two classes carry +-half of the one SVM's decision value
        for (int s = 0; s < settings; s++) {
            int hits = 0;
            double hinge = 0;
            for (int i = 0; i < data.size(); i++) {
                int truth = schema.indexOf(data.get(i).label().orElseThrow());
                hits += Classifier.argmax(toFloats(decisions[s][i])) == truth ? 1 : 0;
                for (int k = 0; k < classes; k++) {
                    hinge += Math.max(0, 1 - (k == truth ? 1 : -1) * binary * decisions[s][i][k]);
                }
            }
            double accuracy = hits / (double) data.size();
            double c = cs[s / gammas.length];
            double gamma = gammas[s % gammas.length];
            double distance = distanceFromDefaults(c, gamma, schema.featureSize());
            table.put(String.format("C %s, gamma %.4g", fmt(c), gamma), accuracy);
            // With few labels many settings make the same number of held-out mistakes, and the mistakes say nothing
            // more about them. Among those the one nearest the libraries' defaults wins; equally near ones are
            // separated by the held-out hinge loss (how far on the right side the held-out examples fall), and exact
            // ties keep the earlier, smoother setting. The hinge alone rewards the largest C, whose decision values
            // stretch furthest, and with it the smallest gamma: a near-linear model. On wine (13 to 100 labels, other
            // draws than the suite's) it chose C 100 with gamma 0.1 / features where C 1 with gamma 1 / features tied,
            // and tested up to 6.7 points lower.
            boolean tie = Math.abs(accuracy - bestAccuracy) < 1e-12;
            boolean nearer = distance < bestDistance - 1e-9;
            boolean asNear = Math.abs(distance - bestDistance) < 1e-9;
            if (accuracy > bestAccuracy + 1e-12 || (tie && (nearer || (asNear && hinge < bestHinge - 1e-9)))) {
                bestAccuracy = accuracy;
                bestDistance = distance;
                bestHinge = hinge;
                best = s;
            }
        }
        return new Search(cs[best / gammas.length], gammas[best % gammas.length], bestAccuracy, table, decisions[best]);
    }

    /**
     * How far (C, gamma) lies from LIBSVM's and scikit-learn's defaults, C 1 and gamma 1 / features (on standardized
     * features), in decades of each: the grid's centre, which cross-validation leaves only for a setting that makes
     * fewer held-out mistakes.
     */
    static double distanceFromDefaults(double c, double gamma, int features) {
        return Math.abs(Math.log10(c)) + Math.abs(Math.log10(gamma * features));
    }

    /** The scale from decision values to logits with the least held-out log loss. */
    static double logitScale(Schema schema, Dataset data, double[][] decisions) {
        double bestScale = 1;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (double a : LOGIT_SCALES) {
            double loss = 0;
            for (int i = 0; i < decisions.length; i++) {
                int truth = schema.indexOf(data.get(i).label().orElseThrow());
                double max = Double.NEGATIVE_INFINITY;
                for (double v : decisions[i]) {
                    max = Math.max(max, a * v);
                }
                double sum = 0;
                for (double v : decisions[i]) {
                    sum += Math.exp(a * v - max);
                }
                loss -= a * decisions[i][truth] - max - Math.log(sum);
            }
            if (loss < bestLoss) {
                bestLoss = loss;
                bestScale = a;
            }
        }
        return bestScale;
    }

    private static svm_node[][] rows(LinearFit.DenseFeatures scaling, List<Example> examples) {
        svm_node[][] out = new svm_node[examples.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = nodes(scaling.standardize(examples.get(i)));
        }
        return out;
    }

    /** One example's standardized features as LIBSVM's 1-based nodes. */
    static svm_node[] nodes(float[] z) {
        svm_node[] out = new svm_node[z.length];
        for (int j = 0; j < z.length; j++) {
            out[j] = new svm_node();
            out[j].index = j + 1;
            out[j].value = z[j];
        }
        return out;
    }

    /** A C-SVM with the RBF kernel, LIBSVM's default tolerance and shrinking, no probability model. */
    static svm_parameter parameter(double c, double gamma) {
        svm_parameter p = new svm_parameter();
        p.svm_type = svm_parameter.C_SVC;
        p.kernel_type = svm_parameter.RBF;
        p.gamma = gamma;
        p.C = c;
        p.eps = 1e-3;
        p.cache_size = 100;
        p.shrinking = 1;
        p.probability = 0;
        p.nr_weight = 0;
        p.weight_label = new int[0];
        p.weight = new double[0];
        return p;
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    private static String fmt(double c) {
        return c >= 1 ? String.valueOf((long) c) : String.valueOf(c);
    }

    /**
     * One binary SVM per class (its examples against the rest), or one for two classes. {@code models[k]} is null for a
     * class without training examples; {@code signs[k]} turns LIBSVM's decision value (positive for its first label)
     * into "class k".
     */
    private record Ovr(svm_model[] models, double[] signs, boolean[] present, int classes) {
        static {
            svm.svm_set_print_string_function(s -> { }); // LIBSVM prints its progress to stdout by default
        }

        static Ovr train(Schema schema, List<Example> examples, svm_node[][] rows, double c, double gamma) {
            int classes = schema.numClasses();
            int[] label = new int[examples.size()];
            boolean[] present = new boolean[classes];
            for (int i = 0; i < label.length; i++) {
                label[i] = schema.indexOf(examples.get(i).label().orElseThrow(() -> new IllegalArgumentException(
                        "an svm model trains on labeled examples only")));
                present[label[i]] = true;
            }
            svm_model[] models = new svm_model[classes];
            double[] signs = new double[classes];
            int fits = classes == 2 ? 1 : classes;
            for (int k = 0; k < fits; k++) {
                if (!present[k]) {
                    continue;
                }
                svm_problem problem = new svm_problem();
                problem.l = rows.length;
                problem.x = rows;
                problem.y = new double[rows.length];
                boolean negative = false;
                for (int i = 0; i < rows.length; i++) {
                    problem.y[i] = label[i] == k ? 1 : -1;
                    negative |= label[i] != k;
                }
                if (!negative) {
                    continue; // every example is of class k: nothing to separate; its bias decides below
                }
                models[k] = svm.svm_train(problem, parameter(c, gamma));
                signs[k] = models[k].label[0] == 1 ? 1 : -1;
            }
            return new Ovr(models, signs, present, classes);
        }

        /** One decision value per class: for two classes +-half of the one SVM's, like the linear model's logits. */
        double[] decisions(svm_node[] x) {
            double[] out = new double[classes];
            double[] value = new double[1];
            for (int k = 0; k < classes; k++) {
                if (models[k] != null) {
                    svm.svm_predict_values(models[k], x, value);
                    out[k] = signs[k] * value[0];
                } else {
                    out[k] = present[k] ? 0 : ABSENT_CLASS_BIAS;
                }
            }
            if (classes == 2 && models[0] != null) {
                out[1] = -out[0] / 2;
                out[0] = out[0] / 2;
            }
            return out;
        }

        /** Writes the network: support vector rows at their training positions; returns how many rows are in use. */
        int writeInto(Classifier classifier, LinearFit.DenseFeatures scaling, svm_node[][] rows, double gamma, double logitScale) {
            int capacity = ((SvmSpec) classifier.spec()).capacity();
            int d = scaling.dimension();
            float[] sv = new float[capacity * d];
            float[] coef = new float[capacity * classes];
            float[] bias = new float[classes];
            boolean[] used = new boolean[capacity];
            for (int k = 0; k < classes; k++) {
                boolean mirrored = classes == 2 && k == 1;
                svm_model m = mirrored ? models[0] : models[k];
                if (m == null) {
                    bias[k] = (float) (present[k] ? 0 : ABSENT_CLASS_BIAS);
                    continue;
                }
                double sign = signs[mirrored ? 0 : k] * (classes == 2 ? (mirrored ? -0.5 : 0.5) : 1);
                for (int i = 0; i < m.l; i++) {
                    int row = m.sv_indices[i] - 1; // 1-based positions in the training rows
                    used[row] = true;
                    coef[row * classes + k] += (float) (logitScale * sign * m.sv_coef[0][i]);
                }
                bias[k] = (float) (-logitScale * sign * m.rho[0]);
            }
            int inUse = 0;
            for (int row = 0; row < capacity; row++) {
                if (used[row]) {
                    inUse++;
                    for (int j = 0; j < d; j++) {
                        sv[row * d + j] = (float) rows[row][j].value;
                    }
                }
            }
            LinearFit.initialize(classifier);
            var params = classifier.block().getParameters();
            set(params.get("mean"), scaling.mean());
            set(params.get("scale"), scaling.scale());
            set(params.get("support_vectors"), sv);
            set(params.get("coefficients"), coef);
            set(params.get("bias"), bias);
            set(params.get("gamma"), new float[] {(float) gamma});
            return inUse;
        }

        private static void set(Parameter parameter, float[] values) {
            NDArray array = parameter.getArray();
            if (array.getShape().size() != values.length) {
                throw new IllegalStateException("parameter " + parameter.getName() + " has " + array.getShape() + ", not " + values.length
                        + " values");
            }
            array.set(FloatBuffer.wrap(values));
        }
    }
}
