package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.data.Splits;
import dev.distillery.model.Classifier;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.TfidfFeaturizer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits a {@link LinearSpec} classifier with LIBLINEAR (L2-regularized, one-vs-rest: logistic regression or a linear
 * SVM's squared hinge loss) and writes the solution into the classifier's network, so it predicts, saves and loads like
 * every other model. When the spec leaves the regularization open, it and the loss are chosen by stratified k-fold
 * cross-validation on the training labels (on a stratified sample of {@link #CV_SAMPLE} when there are more), the
 * fewest mistakes winning and ties going to the earlier setting of {@link #settings}: logistic before hinge, stronger
 * regularization before weaker.
 */
public final class LinearFit {
    /** The regularization values cross-validation chooses from (inverse strength: small is strong). */
    public static final double[] C_GRID = {0.01, 0.1, 1, 10, 100};
    /** Cross-validation reads at most this many examples; the final fit uses all of them. */
    public static final int CV_SAMPLE = 4000;
    public static final int MAX_FOLDS = 5;
    /** When there is too little data to cross-validate (fewer than 2 labels of some class). */
    public static final double FALLBACK_C = 1.0;
    private static final double EPS = 0.01;

    /** One point of the grid: a loss and its C. */
    public record Setting(LinearSpec.Loss loss, double c) {
        @Override
        public String toString() {
            return loss + " C " + fmt(c);
        }
    }

    /**
     * The settings cross-validation compares for {@code spec}, in order of preference on a tie: the logistic loss first
     * (its decision values are log-odds), each loss from strong to weak regularization. A spec with its C fixed has one
     * setting, its loss or else the logistic one (specs saved before the loss was a setting were logistic).
     */
    public static List<Setting> settings(LinearSpec spec) {
        if (spec.c() != null) {
            return List.of(new Setting(spec.loss() == null ? LinearSpec.Loss.LOGISTIC : spec.loss(), spec.c()));
        }
        List<Setting> out = new ArrayList<>();
        for (LinearSpec.Loss loss : LinearSpec.Loss.values()) {
            if (spec.loss() == null || spec.loss() == loss) {
                for (double c : C_GRID) {
                    out.add(new Setting(loss, c));
                }
            }
        }
        return out;
    }

    /** The fitted model's figures: how its setting was found ({@code cvAccuracy} by setting, empty when fixed) and the training result. */
    public record Fitted(TrainResult result, Setting setting, double logitScale, int folds, Map<Setting, Double> cvAccuracy)
            implements TrainJob.Solved {
        public double c() {
            return setting.c();
        }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loss", setting.loss().toString());
            m.put("c", setting.c());
            m.put("logit_scale", logitScale);
            m.put("folds", folds);
            Map<String, Double> grid = new LinkedHashMap<>();
            cvAccuracy.forEach((k, v) -> grid.put(k.toString(), v));
            m.put("cv_accuracy", grid);
            return m;
        }

        @Override
        public Map<String, java.util.SortedMap<Double, Double>> accuracyByC() {
            Map<String, java.util.SortedMap<Double, Double>> out = new LinkedHashMap<>();
            cvAccuracy.forEach((s, accuracy) -> out.computeIfAbsent(s.loss().toString(), k -> new java.util.TreeMap<>()).put(s.c(), accuracy));
            return out;
        }
    }

    private LinearFit() {}

    public static Fitted fit(Classifier classifier, Dataset train, Dataset validation, long seed, TrainListener listener) {
        return fit(classifier, train, null, validation, seed, listener);
    }

    /**
     * Chooses the loss and C (and a hinge's logit scale) by cross-validation on {@code train}, then fits on {@code train}
     * and {@code extra} (null for none) together: extra examples made from training ones would be held out beside
     * their own originals and make the estimate one of memory.
     */
    public static Fitted fit(Classifier classifier, Dataset train, Dataset extra, Dataset validation, long seed, TrainListener listener) {
        if (!(classifier.spec() instanceof LinearSpec spec)) {
            throw new IllegalArgumentException("LinearFit fits linear models, not " + classifier.spec());
        }
        long start = System.nanoTime();
        Map<Example, TfidfFeaturizer.Features> cache = new java.util.IdentityHashMap<>();
        int folds = 0;
        Map<Setting, Double> cv = new LinkedHashMap<>();
        List<Setting> grid = settings(spec);
        Setting setting = grid.size() == 1 ? grid.get(0) : new Setting(LinearSpec.Loss.LOGISTIC, FALLBACK_C);
        double logitScale = spec.logitScale() != null ? spec.logitScale() : 1;
        Dataset sample = CrossValidation.withoutSingletons(train.size() > CV_SAMPLE ? Splits.labeledSubset(train, CV_SAMPLE, seed).first()
                : train, "linear", grid.size() > 1 ? listener : null);
        int possibleFolds = Math.min(MAX_FOLDS, CrossValidation.smallestClass(sample));
        // A hinge model's decision values are margins, not log-odds: cross-validation is needed for its logit scale too.
        boolean margins = spec.logitScale() == null && grid.stream().anyMatch(s -> s.loss() == LinearSpec.Loss.SQUARED_HINGE);
        if ((grid.size() > 1 || margins) && possibleFolds >= 2) {
            folds = possibleFolds;
            CrossValidated validated = CrossValidated.of(classifier, grid, sample, folds, seed, cache);
            setting = best(validated.accuracy());
            if (grid.size() > 1) {
                cv = validated.accuracy();
                listener.onMessage(String.format("linear: %s chosen by %d-fold cross-validation on %,d labels (accuracy by setting: %s)",
                        setting, folds, sample.size(), describe(cv)));
            }
            if (spec.logitScale() == null) {
                // The scale the svm family chooses for its decision values, by the least held-out log loss (one mechanism).
                // A hinge's margins need one to be log-odds at all; a logistic model's too where a small C won a tie: on
                // data every C separates, the first (C 0.01) is kept, and a ticket table's probabilities were 0.40
                // against 0.30 and 0.30 for texts it classified without a mistake. The scale keeps every decision.
                logitScale = validated.logitScale(classifier.schema(), sample, setting);
            }
        } else if (grid.size() > 1) {
            listener.onMessage("linear: fewer than 2 labels of some class, no cross-validation; " + setting);
        }
        Dataset fitOn = train.plus(train.name() + "+extra", extra);
        Features features = Features.learn(classifier, fitOn, cache);
        Model model = solve(features, features.rows(fitOn.examples()), labels(classifier.schema(), fitOn.examples()), setting);
        features.writeInto(classifier, model, logitScale);
        classifier.recordFittedSettings(spec.withSettings(setting.loss(), setting.c()).withLogitScale(logitScale));
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] trainFigures = lossAndAccuracy(classifier, fitOn);
        double[] valFigures = validation == null || validation.isEmpty() ? new double[] {Double.NaN, Double.NaN}
                : lossAndAccuracy(classifier, validation);
        // Solved, not stepped: there is no learning rate (NaN tells the console and the metrics so).
        EpochStats stats = new EpochStats(1, trainFigures[0], trainFigures[1], valFigures[0], valFigures[1], Double.NaN, seconds,
                fitOn.size() / seconds, true);
        listener.onEpochEnd(stats);
        return new Fitted(new TrainResult(List.of(stats), 1, false, 0), setting, logitScale, folds, cv);
    }

    /**
     * Mean accuracy by setting over {@code folds} stratified folds of {@code data}; features are learned on each training part.
     */
    static Map<Setting, Double> crossValidate(Classifier classifier, List<Setting> grid, Dataset data, int folds, long seed,
            Map<Example, TfidfFeaturizer.Features> cache) {
        return CrossValidated.of(classifier, grid, data, folds, seed, cache).accuracy();
    }

    /**
     * A cross-validation's figures by setting: accuracy, and each example's held-out logits (as the network would compute
     * them, one per schema class) from which a margin loss's logit scale is chosen.
     */
    record CrossValidated(Map<Setting, Double> accuracy, Map<Setting, double[][]> heldOutLogits) {
        /** The logit scale of {@code setting} by its held-out logits' log loss on {@code data}, the examples cross-validated. */
        double logitScale(dev.distillery.data.Schema schema, Dataset data, Setting setting) {
            return SvmFit.logitScale(schema, data, heldOutLogits.get(setting));
        }

        /**
         * The folds are independent solves and run in parallel on the engine's threads; each fold's figures are put
         * together in fold order afterwards, so they do not depend on the threads.
         */
        static CrossValidated of(Classifier classifier, List<Setting> grid, Dataset data, int folds, long seed,
                Map<Example, TfidfFeaturizer.Features> cache) {
            int[] fold = CrossValidation.folds(data, folds, seed);
            double[] truth = labels(classifier.schema(), data.examples());
            int classes = classifier.schema().numClasses();
            if (classifier.schema().kind() == Schema.Kind.TEXT) {
                // Every text's term frequencies once, before the folds share the cache (reads only from here on).
                TfidfFeaturizer featurizer = (TfidfFeaturizer) classifier.featurizer();
                List<Example> missing = data.examples().stream().filter(e -> !cache.containsKey(e)).toList();
                TfidfFeaturizer.Features[] computed = CrossValidation.inParallel(missing.size(),
                        i -> featurizer.features(missing.get(i).text()), TfidfFeaturizer.Features[]::new);
                for (int i = 0; i < computed.length; i++) {
                    cache.put(missing.get(i), computed[i]);
                }
            }
            double[][][] logits = new double[grid.size()][data.size()][];
            int[][] hits = CrossValidation.inParallel(folds, f -> {
                CrossValidation.Fold parts = CrossValidation.Fold.of(data, fold, f);
                List<Example> in = parts.train();
                List<Integer> outIndex = parts.heldIndex();
                Features features = Features.learn(classifier, data.subset(data.name() + ":cv", in), cache);
                Feature[][] inRows = features.rows(in);
                Feature[][] outRows = features.rows(parts.held());
                double[] inLabels = labels(classifier.schema(), in);
                int[] bySetting = new int[grid.size()];
                for (int k = 0; k < grid.size(); k++) {
                    Model model = solve(features, inRows, inLabels, grid.get(k));
                    int[] position = positions(model, classes);
                    for (int j = 0; j < outRows.length; j++) {
                        double[] decisions = new double[model.getNrClass() == 2 ? 1 : model.getNrClass()];
                        double predicted = Linear.predictValues(model, withBiasIfModelHasOne(model, outRows[j]), decisions);
                        bySetting[k] += predicted == truth[outIndex.get(j)] ? 1 : 0;
                        // Each fold writes only its own held-out examples' rows.
                        logits[k][outIndex.get(j)] = logits(model, decisions, position);
                    }
                }
                return bySetting;
            }, int[][]::new);
            Map<Setting, Double> accuracy = new LinkedHashMap<>();
            Map<Setting, double[][]> heldOut = new LinkedHashMap<>();
            for (int k = 0; k < grid.size(); k++) {
                int total = 0;
                for (int f = 0; f < folds; f++) {
                    total += hits[f][k];
                }
                accuracy.put(grid.get(k), total / (double) data.size());
                heldOut.put(grid.get(k), logits[k]);
            }
            return new CrossValidated(accuracy, heldOut);
        }
    }

    /** One example's logits from LIBLINEAR's decision values, as {@link Features#writeInto} makes the network compute them. */
    private static double[] logits(Model model, double[] decisions, int[] position) {
        double[] z = new double[position.length];
        for (int k = 0; k < z.length; k++) {
            if (position[k] < 0) {
                z[k] = ABSENT_CLASS_BIAS;
            } else if (model.getNrClass() == 2) {
                z[k] = (position[k] == 0 ? 1 : -1) * decisions[0] / 2;
            } else {
                z[k] = decisions[position[k]];
            }
        }
        return z;
    }

    /** The most accurate setting; a later one must do strictly better to win, so ties keep the earlier (preferred) one. */
    static Setting best(Map<Setting, Double> accuracy) {
        Setting best = null;
        for (Map.Entry<Setting, Double> e : accuracy.entrySet()) {
            if (best == null || e.getValue() > accuracy.get(best) + 1e-12) {
                best = e.getKey();
            }
        }
        return best;
    }

    /** LIBLINEAR's solution of {@code setting} on {@code rows}, with a bias feature where the features want one. */
    static Model solve(Features features, Feature[][] rows, double[] y, Setting setting) {
        Problem problem = new Problem();
        problem.l = rows.length;
        problem.n = features.dimension() + (features.intercept() ? 1 : 0);
        problem.x = features.intercept() ? withBias(rows, features.dimension() + 1) : rows;
        problem.y = y;
        problem.bias = features.intercept() ? 1 : -1;
        Linear.disableDebugOutput();
        Linear.resetRandom();
        // The dual solver for the squared hinge, as scikit-learn's LinearSVC; the primal one for the logistic loss.
        SolverType solver = setting.loss() == LinearSpec.Loss.LOGISTIC ? SolverType.L2R_LR : SolverType.L2R_L2LOSS_SVC_DUAL;
        return Linear.train(problem, new de.bwaldvogel.liblinear.Parameter(solver, setting.c(), EPS));
    }

    /**
     * The solver's own class for one row of {@link Features#rows}: the bias feature is appended, as in training
     * where the model has one ({@code Linear.predict} reads only the features it is given, so without it the intercept
     * is lost).
     */
    static double predict(Model model, Feature[] row) {
        return Linear.predict(model, withBiasIfModelHasOne(model, row));
    }

    private static Feature[] withBiasIfModelHasOne(Model model, Feature[] row) {
        return model.getBias() >= 0 ? withBias(row, model.getNrFeature() + 1) : row;
    }

    private static Feature[][] withBias(Feature[][] rows, int biasIndex) {
        Feature[][] out = new Feature[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = withBias(rows[i], biasIndex);
        }
        return out;
    }

    private static Feature[] withBias(Feature[] row, int biasIndex) {
        Feature[] out = java.util.Arrays.copyOf(row, row.length + 1);
        out[row.length] = new FeatureNode(biasIndex, 1.0);
        return out;
    }

    private static double[] labels(Schema schema, List<Example> examples) {
        double[] y = new double[examples.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = schema.indexOf(examples.get(i).label().orElseThrow(() -> new IllegalArgumentException(
                    "a linear model trains on labeled examples only")));
        }
        return y;
    }

    /** Mean log loss and accuracy of the fitted network on {@code data}. */
    static double[] lossAndAccuracy(Classifier classifier, Dataset data) {
        float[][] probs = classifier.probabilities(data.examples(), 512);
        double loss = 0;
        int hits = 0;
        for (int i = 0; i < probs.length; i++) {
            int truth = classifier.schema().indexOf(data.get(i).label().orElseThrow());
            loss -= Math.log(Math.max(probs[i][truth], 1e-12));
            hits += Classifier.argmax(probs[i]) == truth ? 1 : 0;
        }
        return new double[] {loss / probs.length, hits / (double) probs.length};
    }

    private static String fmt(double c) {
        return c >= 1 ? String.valueOf((long) c) : String.valueOf(c);
    }

    private static String describe(Map<Setting, Double> accuracy) {
        StringBuilder sb = new StringBuilder();
        accuracy.forEach((s, a) -> sb.append(sb.length() == 0 ? "" : ", ").append(s).append(String.format(": %.3f", a)));
        return sb.toString();
    }

    /**
     * The features the solver sees, learned from training examples: for text, TF-IDF with each view scaled to unit
     * length (inverse document frequencies from the training texts, smoothed as ln((1 + n) / (1 + df)) + 1); for dense
     * data, each feature standardized by the training mean and standard deviation. {@link #writeInto} puts the
     * solution into the network so that it computes exactly these features' decision values.
     */
    interface Features {
        int dimension();

        Feature[][] rows(List<Example> examples);

        /** Writes {@code model}'s decision values, times {@code logitScale}, into the network as its logits. */
        void writeInto(Classifier classifier, Model model, double logitScale);

        /** Whether the solver fits an intercept (a bias feature of value 1, regularized like the weights). */
        boolean intercept();

        static Features learn(Classifier classifier, Dataset train) {
            return learn(classifier, train, new java.util.IdentityHashMap<>());
        }

        /** {@code cache} keeps each text's term frequencies between the folds of one cross-validation. */
        static Features learn(Classifier classifier, Dataset train, Map<Example, TfidfFeaturizer.Features> cache) {
            return classifier.schema().kind() == Schema.Kind.TEXT
                    ? TextFeatures.learn((TfidfFeaturizer) classifier.featurizer(), train, cache)
                    : DenseFeatures.learn(classifier.schema(), train);
        }
    }

    /** One decision value per class from a LIBLINEAR model: for two classes half of +-w.x, so softmax gives the logistic probability. */
    private static double coefficient(Model model, int feature, int schemaClass, int[] position) {
        if (position[schemaClass] < 0) {
            return 0;
        }
        double w = model.getDecfunCoef(feature, position[schemaClass]);
        return model.getNrClass() == 2 ? w / 2 : w;
    }

    /**
     * The bias of one class's decision value, halved for two classes as {@link #coefficient} is. LIBLINEAR keeps it as the
     * weight of the bias feature, which {@code getDecfunCoef} does not return (it answers 0 past the last real feature):
     * reading it that way dropped every linear model's intercept.
     */
    private static double bias(Model model, int schemaClass, int[] position) {
        if (model.getBias() < 0) {
            return 0;
        }
        double b = model.getDecfunBias(position[schemaClass]);
        return model.getNrClass() == 2 ? b / 2 : b;
    }

    /** Where each schema class sits in the model's label order, or -1 for a class the training data lacked. */
    private static int[] positions(Model model, int classes) {
        int[] position = new int[classes];
        java.util.Arrays.fill(position, -1);
        int[] labels = model.getLabels();
        for (int p = 0; p < labels.length; p++) {
            position[labels[p]] = p;
        }
        return position;
    }

    /** A class without training examples never wins: its bias sits far below the others. */
    private static final double ABSENT_CLASS_BIAS = -30;

    /**
     * TF-IDF features of texts, numbered for the solver by {@code index}: only the hash buckets some training text has
     * (1..{@code size}, in bucket order; 0 for the others, whose IDF is 0). LIBLINEAR keeps a dense weight vector per class
     * over every feature it is told of; told of all 2^20 buckets, 77 classes of 10 texts each took 5 minutes and 8 GB to
     * cross-validate, for weights that are 0 wherever no training text has the bucket. The numbering keeps the buckets'
     * order and drops only zeros, so the solver does the same arithmetic and finds the same weights.
     */
    record TextFeatures(TfidfFeaturizer featurizer, float[] idf, int[] index, int size, Map<Example, TfidfFeaturizer.Features> cache)
            implements Features {
        static TextFeatures learn(TfidfFeaturizer featurizer, Dataset train) {
            return learn(featurizer, train, new java.util.IdentityHashMap<>());
        }

        /** With {@code cache}: the term frequencies of a text do not depend on the fold, only the IDF does. */
        static TextFeatures learn(TfidfFeaturizer featurizer, Dataset train, Map<Example, TfidfFeaturizer.Features> cache) {
            TextFeatures features = new TextFeatures(featurizer, null, null, 0, cache);
            int[] df = new int[featurizer.buckets()];
            for (Example e : train.examples()) {
                for (int id : features.termFrequencies(e).ids()) {
                    df[id]++;
                }
            }
            // A feature no training text has gets IDF 0, so it neither counts nor lengthens a text: the classic
            // classifier's vocabulary is its training texts'. At the largest IDF, with few labels, a new text's many
            // unseen n-grams made most of its length and shrank what its known ones said (sotu-party, 100 labels:
            // test accuracy 0.6314 -> 0.6357; all 2,762: 0.8377 -> 0.8436).
            float[] idf = new float[featurizer.buckets()];
            int[] index = new int[featurizer.buckets()];
            int size = 0;
            for (int id = 0; id < idf.length; id++) {
                idf[id] = df[id] == 0 ? 0f : (float) (Math.log((1.0 + train.size()) / (1.0 + df[id])) + 1);
                index[id] = df[id] == 0 ? 0 : ++size;
            }
            return new TextFeatures(featurizer, idf, index, size, cache);
        }

        private TfidfFeaturizer.Features termFrequencies(Example e) {
            return cache.computeIfAbsent(e, x -> featurizer.features(x.text()));
        }

        @Override
        public int dimension() {
            return size;
        }

        /**
         * None for text: every text's two views have unit length, and with few labels and strong regularization the
         * intercept learns little but the class prior, which then outweighs the words (SpamAssassin, 20 labels: the
         * model with one answered "ham" for every message, 0.686; without one 0.716, and scikit-learn's
         * fit_intercept=False was as good or better with 20 to 4,231 labels).
         */
        @Override
        public boolean intercept() {
            return false;
        }

        @Override
        public Feature[][] rows(List<Example> examples) {
            Feature[][] rows = new Feature[examples.size()][];
            for (int i = 0; i < rows.length; i++) {
                TfidfFeaturizer.Features f = termFrequencies(examples.get(i));
                // The same float arithmetic as TfidfLinearBlock, so the network reproduces the solver's decisions.
                float[] x = new float[f.ids().length];
                float wordSquares = 0;
                float charSquares = 0;
                for (int j = 0; j < x.length; j++) {
                    x[j] = f.tf()[j] * idf[f.ids()[j]];
                    if (f.ids()[j] >= featurizer.charStart()) {
                        charSquares += x[j] * x[j];
                    } else {
                        wordSquares += x[j] * x[j];
                    }
                }
                float wordNorm = Math.max((float) Math.sqrt(wordSquares), 1e-12f);
                float charNorm = Math.max((float) Math.sqrt(charSquares), 1e-12f);
                List<Feature> row = new ArrayList<>(x.length);
                for (int j = 0; j < x.length; j++) {
                    if (index[f.ids()[j]] > 0) { // a bucket no training text has is 0 here (IDF 0), and not a feature
                        float norm = f.ids()[j] >= featurizer.charStart() ? charNorm : wordNorm;
                        row.add(new FeatureNode(index[f.ids()[j]], x[j] / norm));
                    }
                }
                rows[i] = row.toArray(Feature[]::new);
            }
            return rows;
        }

        @Override
        public void writeInto(Classifier classifier, Model model, double logitScale) {
            int classes = classifier.schema().numClasses();
            initialize(classifier);
            Block block = classifier.block();
            int[] position = positions(model, classes);
            float[] table = new float[featurizer.buckets() * classes];
            // A bucket's weights are its feature's (index); one no training text has keeps 0, as the solver would give it.
            for (int id = 1; id < featurizer.buckets(); id++) {
                for (int k = 0; index[id] > 0 && k < classes; k++) {
                    table[id * classes + k] = (float) (logitScale * coefficient(model, index[id], k, position));
                }
            }
            float[] bias = new float[classes];
            for (int k = 0; k < classes; k++) {
                bias[k] = position[k] < 0 ? (float) ABSENT_CLASS_BIAS : (float) (logitScale * bias(model, k, position));
            }
            set(block.getParameters().get("idf"), idf);
            set(block.getParameters().get("weight"), table);
            set(block.getParameters().get("bias"), bias);
        }
    }

    /** Standardization learned from training examples; also the scale label spreading measures distances on. */
    record DenseFeatures(float[] mean, float[] scale) implements Features {
        /**
         * A feature constant in training carries nothing the model could learn from, so it is scaled to nothing: any
         * later value in it standardizes to 0, as every training value did. Scale 1 (scikit-learn's StandardScaler's
         * choice) let a later value move an RBF kernel's every distance by its own size: iris with a column 'batch'
         * of 1 on every row, scored with batch 5, fell from 0.99 to 0.61 accuracy, silently.
         */
        static final float CONSTANT_SCALE = 1e30f;

        static DenseFeatures learn(Schema schema, Dataset train) {
            int d = schema.featureSize();
            double[] sum = new double[d];
            double[] squares = new double[d];
            float[] row = new float[d];
            for (Example e : train.examples()) {
                e.copyFeaturesTo(row, 0);
                for (int j = 0; j < d; j++) {
                    sum[j] += row[j];
                    squares[j] += (double) row[j] * row[j];
                }
            }
            float[] mean = new float[d];
            float[] scale = new float[d];
            int n = Math.max(1, train.size());
            for (int j = 0; j < d; j++) {
                mean[j] = (float) (sum[j] / n);
                double variance = Math.max(0, squares[j] / n - (sum[j] / n) * (sum[j] / n));
                scale[j] = variance > 1e-12 ? (float) Math.sqrt(variance) : CONSTANT_SCALE;
            }
            return new DenseFeatures(mean, scale);
        }

        @Override
        public int dimension() {
            return mean.length;
        }

        /** Standardized features are centred, so the intercept is what carries the class balance. */
        @Override
        public boolean intercept() {
            return true;
        }

        /** {@code example}'s features, each centred and divided by its scale. */
        float[] standardize(Example example) {
            float[] row = new float[mean.length];
            example.copyFeaturesTo(row, 0);
            for (int j = 0; j < row.length; j++) {
                row[j] = (row[j] - mean[j]) / scale[j];
            }
            return row;
        }

        @Override
        public Feature[][] rows(List<Example> examples) {
            Feature[][] rows = new Feature[examples.size()][];
            float[] row = new float[mean.length];
            for (int i = 0; i < rows.length; i++) {
                examples.get(i).copyFeaturesTo(row, 0);
                List<Feature> nodes = new ArrayList<>();
                for (int j = 0; j < row.length; j++) {
                    float v = (row[j] - mean[j]) / scale[j];
                    if (v != 0f) {
                        nodes.add(new FeatureNode(j + 1, v));
                    }
                }
                rows[i] = nodes.toArray(new Feature[0]);
            }
            return rows;
        }

        /** Folds the standardization into the layer: w' = w / scale, b' = b - sum(w * mean / scale). */
        @Override
        public void writeInto(Classifier classifier, Model model, double logitScale) {
            int classes = classifier.schema().numClasses();
            int d = mean.length;
            initialize(classifier);
            int[] position = positions(model, classes);
            float[] weight = new float[classes * d];
            float[] bias = new float[classes];
            for (int k = 0; k < classes; k++) {
                if (position[k] < 0) {
                    bias[k] = (float) ABSENT_CLASS_BIAS;
                    continue;
                }
                double b = logitScale * bias(model, k, position);
                for (int j = 0; j < d; j++) {
                    double w = logitScale * coefficient(model, j + 1, k, position) / scale[j];
                    weight[k * d + j] = (float) w;
                    b -= w * mean[j];
                }
                bias[k] = (float) b;
            }
            Block linear = ((SequentialBlock) classifier.block()).getChildren().get(1).getValue();
            set(linear.getParameters().get("weight"), weight);
            set(linear.getParameters().get("bias"), bias);
        }
    }

    static void initialize(Classifier classifier) {
        if (!classifier.block().isInitialized()) {
            classifier.block().initialize(classifier.model().getNDManager(), DataType.FLOAT32, classifier.featurizer().inputShape(1));
        }
    }

    private static void set(Parameter parameter, float[] values) {
        NDArray array = parameter.getArray();
        if (array.getShape().size() != values.length) {
            throw new IllegalStateException("parameter " + parameter.getName() + " has " + array.getShape() + ", not "
                    + values.length + " values");
        }
        array.set(FloatBuffer.wrap(values));
    }
}
