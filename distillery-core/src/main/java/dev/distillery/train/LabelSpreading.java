package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import de.bwaldvogel.liblinear.Feature;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.TfidfFeaturizer;
import dev.distillery.model.TorchRuntime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Label spreading (Zhou et al., 2004) on a k-nearest-neighbour graph: the labels flow along the graph of labeled and
 * unlabeled points, F = alpha S F + (1 - alpha) Y with S the symmetrically normalized adjacency, so clusters the few
 * labels touch take their class. Where labels are few and the unlabeled points form clear clusters, this beats any model
 * trained on the labels alone (scikit-learn's LabelSpreading is the same method; its defaults, 7 neighbours, alpha 0.2,
 * 30 iterations, are kept).
 *
 * <p>Neighbours are found exactly: by Euclidean distance over standardized features, with the distance matrix computed
 * by the tensor engine in blocks of rows, or for texts by the cosine of their TF-IDF vectors (see {@link #graphOf}); ties
 * go to the lower index, so the graph is deterministic.
 */
public final class LabelSpreading {
    public static final int NEIGHBOURS = 7;
    public static final float ALPHA = 0.2f;
    public static final int ITERATIONS = 30;
    private static final int BLOCK = 1024;

    private final int[][] neighbours;

    private LabelSpreading(int[][] neighbours) {
        this.neighbours = neighbours;
    }

    /**
     * What spreading did: the examples to train on (the labels, plus every unlabeled example the labels reached, with
     * the class they spread to, when spreading passed its check) and a report for results.json.
     */
    public record Outcome(Dataset train, Map<String, Object> report) {}

    /**
     * Spreads the labels of {@code labeled} over a graph of it and {@code unlabeled} ({@link #graphOf}).
     * Checked first by stratified k-fold cross-validation on the labels: each fold's labels are hidden, spread
     * from the rest, and scored. The pseudo-labels are used only if that accuracy beats {@code supervisedAccuracy}, the
     * cross-validated accuracy of the model trained on the labels alone (NaN: no such figure, use them); otherwise the
     * labels alone are returned, and the report says why.
     */
    public static Outcome pseudoLabel(Dataset labeled, Dataset unlabeled, double supervisedAccuracy, long seed, TrainListener listener) {
        return pseudoLabel(labeled, unlabeled, supervisedAccuracy, null, seed, listener);
    }

    /** How the model the labels will train scores one fold: hits on {@code held} after training on {@code train}. */
    @FunctionalInterface
    public interface FoldScorer {
        int hits(Dataset train, List<Example> held);
    }

    /**
     * As above, but where {@code model} is given the check compares what will really be trained: each fold trains that
     * model twice, on the other folds' labels alone and on them plus the pseudo-labels spread from them, and the
     * pseudo-labels are used only if the second scores more hits over all folds ({@code supervisedAccuracy} is then not
     * used). Spreading can help a model even where spreading alone classifies no better than the model: the
     * pseudo-labels add the shape of the unlabeled data.
     */
    public static Outcome pseudoLabel(Dataset labeled, Dataset unlabeled, double supervisedAccuracy, FoldScorer model, long seed,
            TrainListener listener) {
        Schema schema = labeled.schema();
        List<Example> all = new ArrayList<>(labeled.examples());
        all.addAll(unlabeled.examples());
        LabelSpreading graph = graphOf(labeled.subset(labeled.name() + "+unlabeled", all));
        int[] labels = new int[all.size()];
        Arrays.fill(labels, -1);
        for (int i = 0; i < labeled.size(); i++) {
            labels[i] = schema.indexOf(labeled.get(i).label().orElseThrow());
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("method", "label spreading, " + NEIGHBOURS + "-nearest-neighbour graph, alpha " + ALPHA);
        report.put("unlabeled_examples", unlabeled.size());
        int folds = Math.min(LinearFit.MAX_FOLDS, labeled.labelCounts().values().stream().mapToInt(Integer::intValue).min().orElse(0));
        double spreadAccuracy = Double.NaN;
        double withPseudoLabels = Double.NaN;
        if (folds >= 2) {
            int[] fold = CrossValidation.folds(labeled, folds, seed);
            int hits = 0;
            int modelAlone = 0;
            int modelWith = 0;
            for (int f = 0; f < folds; f++) {
                int[] hidden = labels.clone();
                for (int i = 0; i < labeled.size(); i++) {
                    hidden[i] = fold[i] == f ? -1 : labels[i];
                }
                float[][] scores = graph.spread(hidden, schema.numClasses());
                List<Example> rest = new ArrayList<>();
                List<Example> held = new ArrayList<>();
                for (int i = 0; i < labeled.size(); i++) {
                    if (fold[i] != f) {
                        rest.add(labeled.get(i));
                    } else {
                        held.add(labeled.get(i));
                        if (reached(scores[i]) && Classifier.argmax(scores[i]) == labels[i]) {
                            hits++;
                        }
                    }
                }
                if (model != null) {
                    List<Example> spread = new ArrayList<>(rest);
                    for (int i = labeled.size(); i < all.size(); i++) {
                        if (reached(scores[i])) {
                            spread.add(all.get(i).withLabel(schema.labels().get(Classifier.argmax(scores[i]))));
                        }
                    }
                    modelAlone += model.hits(labeled.subset(labeled.name() + ":cv", rest), held);
                    modelWith += model.hits(labeled.subset(labeled.name() + ":cv+spread", spread), held);
                }
            }
            spreadAccuracy = hits / (double) labeled.size();
            report.put("cv_accuracy", spreadAccuracy);
            report.put("folds", folds);
            if (model != null) {
                supervisedAccuracy = modelAlone / (double) labeled.size();
                withPseudoLabels = modelWith / (double) labeled.size();
                report.put("model_with_pseudo_labels_cv_accuracy", withPseudoLabels);
            }
        }
        report.put("labels_alone_cv_accuracy", supervisedAccuracy);
        // With the model's own check, its accuracy with the pseudo-labels is what competes; else spreading's own.
        double candidate = model != null ? withPseudoLabels : spreadAccuracy;
        boolean use = Double.isNaN(candidate) || Double.isNaN(supervisedAccuracy) || candidate > supervisedAccuracy;
        report.put("used", use);
        listener.onMessage(String.format("label spreading: %d-fold cross-validated accuracy %.4f %sagainst %.4f for the labels alone: %s",
                folds, candidate, model != null ? String.format("for the model trained with its pseudo-labels (spreading alone %.4f) ",
                        spreadAccuracy) : "", supervisedAccuracy, use ? "using its pseudo-labels" : "not used (training on the labels alone)"));
        if (!use) {
            return new Outcome(labeled, report);
        }
        float[][] scores = graph.spread(labels, schema.numClasses());
        List<Example> train = new ArrayList<>(labeled.examples());
        int unreached = 0;
        for (int i = labeled.size(); i < all.size(); i++) {
            if (reached(scores[i])) {
                train.add(all.get(i).withLabel(schema.labels().get(Classifier.argmax(scores[i]))));
            } else {
                unreached++;
            }
        }
        report.put("pseudo_labels", train.size() - labeled.size());
        report.put("unreached", unreached);
        listener.onMessage(String.format("label spreading: %,d pseudo-labels (%,d unlabeled examples no label reached)",
                train.size() - labeled.size(), unreached));
        return new Outcome(labeled.subset(labeled.name() + "+spread", train), report);
    }

    /**
     * The hash buckets of the text graph's TF-IDF vectors: fewer than the linear model's. The graph was built with these
     * when the linear model's width was raised to 2^20 for its own accuracy; the graph at 2^20 too gave SpamAssassin 20
     * labels 0.8645 against 0.9085 (spreading alone 0.85 against 0.90 on the held-out labels).
     */
    static final int GRAPH_BUCKETS = 1 << 18;

    /**
     * The graph over every example on comparable scales: dense features standardized over all the examples, Euclidean
     * neighbours; texts as the linear model's TF-IDF vectors (word 1-2-grams and character 3-5-grams, each view of unit
     * length, IDF over all the texts), neighbours by their exact inner product, so by cosine. (Folding the sparse
     * vectors into a few thousand dense buckets, to let the engine's matrix product find neighbours, was tried: on
     * SpamAssassin with 20 labels it cut the pseudo-labels' accuracy from 0.87 to 0.76.)
     */
    static LabelSpreading graphOf(Dataset all) {
        int k = Math.min(NEIGHBOURS, all.size() - 1);
        if (all.schema().kind() == Schema.Kind.DENSE) {
            LinearFit.DenseFeatures scale = LinearFit.DenseFeatures.learn(all.schema(), all);
            return graph(all.examples().stream().map(scale::standardize).toArray(float[][]::new));
        }
        TfidfFeaturizer featurizer = (TfidfFeaturizer) LinearSpec.DEFAULT.withWidth(GRAPH_BUCKETS).featurizer(all.schema());
        return new LabelSpreading(nearestByInnerProduct(LinearFit.TextFeatures.learn(featurizer, all).rows(all.examples()), k));
    }

    /**
     * The {@code k} other rows with the largest inner product with each sparse row, largest first, ties to the lower
     * index. Exact, through an inverted index: each row's products with all rows are summed over the postings of its
     * features (for 4,231 e-mails about 6e9 multiply-adds, seconds on two cores). Each row's sums run in a fixed
     * order, so the graph does not depend on the threads.
     */
    static int[][] nearestByInnerProduct(Feature[][] rows, int k) {
        int n = rows.length;
        int dimension = 0;
        for (Feature[] row : rows) {
            for (Feature f : row) {
                dimension = Math.max(dimension, f.getIndex() + 1);
            }
        }
        int[] start = new int[dimension + 1];
        for (Feature[] row : rows) {
            for (Feature f : row) {
                start[f.getIndex() + 1]++;
            }
        }
        for (int d = 0; d < dimension; d++) {
            start[d + 1] += start[d];
        }
        int[] fill = Arrays.copyOf(start, dimension);
        int[] postingRow = new int[start[dimension]];
        float[] postingValue = new float[start[dimension]];
        for (int i = 0; i < n; i++) {
            for (Feature f : rows[i]) {
                int at = fill[f.getIndex()]++;
                postingRow[at] = i;
                postingValue[at] = (float) f.getValue();
            }
        }
        int[][] out = new int[n][];
        IntStream.range(0, n).parallel().forEach(i -> {
            float[] products = new float[n];
            for (Feature f : rows[i]) {
                float v = (float) f.getValue();
                for (int at = start[f.getIndex()], end = start[f.getIndex() + 1]; at < end; at++) {
                    products[postingRow[at]] += v * postingValue[at];
                }
            }
            out[i] = largest(products, i, k);
        });
        return out;
    }

    /** Indices of the {@code k} largest values other than {@code self}, largest first, ties to the lower index. */
    private static int[] largest(float[] values, int self, int k) {
        int[] best = new int[k];
        int size = 0;
        for (int j = 0; j < values.length; j++) {
            if (j == self || (size == k && values[j] <= values[best[k - 1]])) {
                continue;
            }
            int at = Math.min(size, k - 1);
            while (at > 0 && values[best[at - 1]] < values[j]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = j;
            size = Math.min(size + 1, k);
        }
        return Arrays.copyOf(best, size);
    }

    private static boolean reached(float[] scores) {
        for (float v : scores) {
            if (v > 0) {
                return true;
            }
        }
        return false;
    }

    /** The graph over {@code points} (one row each, already on comparable scales). */
    public static LabelSpreading graph(float[][] points) {
        return new LabelSpreading(nearest(points, Math.min(NEIGHBOURS, points.length - 1)));
    }

    /**
     * Class scores of every point, normalized to sum to 1 (all zeros where no label reached): {@code labels[i]} is the
     * class of point i or -1 for unlabeled.
     */
    public float[][] spread(int[] labels, int classes) {
        int n = neighbours.length;
        // Symmetric adjacency: i and j are linked if either is among the other's neighbours.
        java.util.List<java.util.Set<Integer>> adjacency = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            adjacency.add(new java.util.TreeSet<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j : neighbours[i]) {
                adjacency.get(i).add(j);
                adjacency.get(j).add(i);
            }
        }
        int[][] links = new int[n][];
        double[] scale = new double[n];
        for (int i = 0; i < n; i++) {
            links[i] = adjacency.get(i).stream().mapToInt(Integer::intValue).toArray();
            scale[i] = links[i].length == 0 ? 0 : 1 / Math.sqrt(links[i].length);
        }
        double[][] y = new double[n][classes];
        for (int i = 0; i < n; i++) {
            if (labels[i] >= 0) {
                y[i][labels[i]] = 1;
            }
        }
        double[][] f = new double[n][];
        for (int i = 0; i < n; i++) {
            f[i] = y[i].clone();
        }
        for (int it = 0; it < ITERATIONS; it++) {
            double[][] next = new double[n][classes];
            for (int i = 0; i < n; i++) {
                for (int j : links[i]) {
                    double w = ALPHA * scale[i] * scale[j];
                    for (int c = 0; c < classes; c++) {
                        next[i][c] += w * f[j][c];
                    }
                }
                for (int c = 0; c < classes; c++) {
                    next[i][c] += (1 - ALPHA) * y[i][c];
                }
            }
            f = next;
        }
        float[][] out = new float[n][classes];
        for (int i = 0; i < n; i++) {
            double sum = Arrays.stream(f[i]).sum();
            for (int c = 0; c < classes && sum > 0; c++) {
                out[i][c] = (float) (f[i][c] / sum);
            }
        }
        return out;
    }

    /** The {@code k} nearest other points of each point, nearest first. */
    static int[][] nearest(float[][] points, int k) {
        int n = points.length;
        int d = points[0].length;
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(points[i], 0, flat, i * d, d);
        }
        int[][] out = new int[n][];
        try (NDManager manager = TorchRuntime.engine().newBaseManager()) {
            NDArray all = manager.create(flat, new Shape(n, d));
            NDArray squares = all.square().sum(new int[] {1});
            for (int start = 0; start < n; start += BLOCK) {
                int end = Math.min(n, start + BLOCK);
                try (NDManager sub = manager.newSubManager()) {
                    NDArray rows = all.get(start + ":" + end);
                    rows.attach(sub);
                    // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b; a point's own distance is set out of reach.
                    NDArray distance = rows.matMul(all.transpose()).mul(-2f).add(squares).add(squares.get(start + ":" + end).expandDims(1));
                    float[] block = distance.toFloatArray();
                    for (int i = start; i < end; i++) {
                        block[(i - start) * n + i] = Float.POSITIVE_INFINITY;
                    }
                    NDArray masked = sub.create(block, new Shape(end - start, n));
                    NDList top = masked.topK(k, 1, false, true);
                    long[] index = top.get(1).toLongArray();
                    for (int i = start; i < end; i++) {
                        out[i] = new int[k];
                        for (int j = 0; j < k; j++) {
                            out[i][j] = (int) index[(i - start) * k + j];
                        }
                    }
                }
            }
        }
        return out;
    }
}
