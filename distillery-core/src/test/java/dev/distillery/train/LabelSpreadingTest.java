package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LabelSpreadingTest {
    @Test
    void nearestNeighboursMatchABruteForceSearch() {
        Random rng = new Random(3);
        float[][] points = new float[300][5];
        for (float[] p : points) {
            for (int j = 0; j < p.length; j++) {
                p[j] = (float) rng.nextGaussian();
            }
        }
        int[][] found = LabelSpreading.nearest(points, 4);
        for (int i = 0; i < points.length; i++) {
            final int self = i;
            Integer[] order = new Integer[points.length];
            for (int j = 0; j < order.length; j++) {
                order[j] = j;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(distance(points[self], points[a]), distance(points[self], points[b])));
            List<Integer> expected = new ArrayList<>();
            for (int j = 0; expected.size() < 4; j++) {
                if (order[j] != self) {
                    expected.add(order[j]);
                }
            }
            assertThat(found[i]).as("point %d", i).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += (a[j] - b[j]) * (a[j] - b[j]);
        }
        return s;
    }

    @Test
    void oneLabelACurvedClusterReachesTheWholeCluster() {
        // Two interleaved half-moons: a straight line through the two labels misclassifies the tips, the graph does not.
        List<float[]> pts = new ArrayList<>();
        int[] labels = new int[200];
        for (int i = 0; i < 100; i++) {
            double t = Math.PI * i / 99;
            pts.add(new float[] {(float) Math.cos(t), (float) Math.sin(t)});
            pts.add(new float[] {(float) (1 - Math.cos(t)), (float) (0.5 - Math.sin(t))});
        }
        java.util.Arrays.fill(labels, -1);
        labels[100] = 0; // top moon, middle
        labels[101] = 1; // bottom moon, middle
        float[][] scores = LabelSpreading.graph(pts.toArray(new float[0][])).spread(labels, 2);
        for (int i = 0; i < 200; i++) {
            assertThat(dev.distillery.model.Classifier.argmax(scores[i])).as("point %d", i).isEqualTo(i % 2);
        }
    }

    @Test
    void pseudoLabelsAreUsedUnlessCrossValidationSaysTheLabelsAloneDoBetter() {
        Dataset blobs = TestData.blobs(60, 9);
        Splits.Pair parts = Splits.labeledSubset(blobs, 9, 1);
        Dataset unlabeled = parts.second().subset("u", parts.second().examples().stream().map(e -> e.withLabel(null)).toList());
        LabelSpreading.Outcome used = LabelSpreading.pseudoLabel(parts.first(), unlabeled, 0.5, 1, TrainListener.NONE);
        assertThat(used.report()).containsEntry("used", true).containsEntry("folds", 3);
        assertThat(used.train().size()).isEqualTo(9 + (int) used.report().get("pseudo_labels"));
        assertThat(used.train().examples()).allMatch(Example::hasLabel);
        // The spread labels of well-separated blobs are right.
        long right = used.train().examples().subList(9, used.train().size()).stream().filter(e -> {
            String id = e.id();
            return e.label().orElseThrow().equals(blobs.examples().stream().filter(b -> b.id().equals(id)).findFirst().orElseThrow().label().orElseThrow());
        }).count();
        assertThat(right).isGreaterThanOrEqualTo((long) (0.95 * (used.train().size() - 9)));
        double spreadAlone = (double) used.report().get("cv_accuracy");
        // A tie uses them; a labels-alone accuracy above spreading's, however slightly, does not.
        LabelSpreading.Outcome tie = LabelSpreading.pseudoLabel(parts.first(), unlabeled, spreadAlone, 1, TrainListener.NONE);
        assertThat(tie.report()).containsEntry("used", true);
        LabelSpreading.Outcome refused = LabelSpreading.pseudoLabel(parts.first(), unlabeled, Math.nextUp(spreadAlone), 1,
                TrainListener.NONE);
        assertThat(refused.report()).containsEntry("used", false);
        assertThat(refused.train().size()).isEqualTo(9);
    }

    @Test
    void aGraphThatSpreadsNoBetterThanGuessingTheCommonestClassIsNotUsed() {
        // Features that say nothing (every point the same): the graph can only pass on the commonest label, however the
        // model's own check comes out.
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ex.add(Example.dense("p" + i, new float[] {1f, 2f}, i % 4 == 0 ? "b" : "a", "flat"));
        }
        Dataset labeled = Dataset.infer("flat", ex, List.of(2L));
        List<Example> rest = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rest.add(Example.dense("u" + i, new float[] {1f, 2f}, null, "flat"));
        }
        Dataset unlabeled = labeled.subset("u", rest);
        LabelSpreading.FoldScorer helped = (train, held) -> train.size() > 20 ? held.size() : 0;
        LabelSpreading.Outcome outcome = LabelSpreading.pseudoLabel(labeled, unlabeled, Double.NaN, helped, 1, TrainListener.NONE);
        assertThat((double) outcome.report().get("cv_accuracy")).isLessThanOrEqualTo(0.75);
        assertThat(outcome.report()).containsEntry("model_with_pseudo_labels_cv_accuracy", 1.0).containsEntry("used", false);
        assertThat(outcome.train().size()).isEqualTo(20);
    }

    @Test
    void aClassSeenOnceDoesNotSwitchTheCheckOffForTheOthers() {
        // The flat features of the test above, plus one label of a third class: that label stays in every fold's graph
        // and is never held out, and the other two classes are still checked (once, the check was skipped for all and
        // a graph no better than guessing was used unchecked).
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ex.add(Example.dense("p" + i, new float[] {1f, 2f}, i % 4 == 0 ? "b" : "a", "flat"));
        }
        ex.add(Example.dense("once", new float[] {1f, 2f}, "c", "flat"));
        Dataset labeled = Dataset.infer("flat", ex, List.of(2L));
        List<Example> rest = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rest.add(Example.dense("u" + i, new float[] {1f, 2f}, null, "flat"));
        }
        LabelSpreading.FoldScorer helped = (train, held) -> train.size() > 21 ? held.size() : 0;
        LabelSpreading.Outcome outcome = LabelSpreading.pseudoLabel(labeled, labeled.subset("u", rest), Double.NaN, helped, 1,
                TrainListener.NONE);
        assertThat(outcome.report()).containsEntry("folds", 5).containsEntry("used", false);
        assertThat((double) outcome.report().get("cv_accuracy")).as("scored on the 20 labels of the two classes")
                .isLessThanOrEqualTo(0.75);
        assertThat(outcome.train().size()).isEqualTo(21);
    }

    /**
     * Two well-separated classes in the first two features, plus {@code extra} features of pure noise with standard
     * deviation {@code noise}: in large units the noise decides the neighbours unless standardized; barely varying, it
     * decides them only once standardized.
     */
    private static Dataset blobsWithNoise(int extra, double noise, long seed) {
        Random rng = new Random(seed);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            int c = i % 2;
            float[] f = new float[2 + extra];
            f[0] = (float) (rng.nextGaussian() + 6 * c);
            f[1] = (float) (rng.nextGaussian() + 6 * c);
            for (int j = 2; j < f.length; j++) {
                f[j] = (float) (rng.nextGaussian() * noise);
            }
            ex.add(Example.dense("p" + i, f, c == 0 ? "a" : "b", "noise"));
        }
        return Dataset.infer("noise", ex, List.of((long) (2 + extra)));
    }

    private static String chosenGraph(Dataset data) {
        Splits.Pair parts = Splits.labeledSubset(data, 10, 1);
        Dataset unlabeled = parts.second().subset("u", parts.second().examples().stream().map(e -> e.withLabel(null)).toList());
        return (String) LabelSpreading.pseudoLabel(parts.first(), unlabeled, 0.5, 1, TrainListener.NONE).report().get("graph");
    }

    @Test
    void theHeldOutLabelsChooseBetweenStandardizedFeaturesAndFeaturesAsGiven() {
        // Noise in large units: only standardized features keep the two classes apart.
        assertThat(chosenGraph(blobsWithNoise(2, 1000, 4))).isEqualTo("standardized features");
        // Many features that barely vary (a digit's border pixels): standardizing blows them up into noise.
        assertThat(chosenGraph(blobsWithNoise(200, 0.001, 4))).isEqualTo("features as given");
    }

    @Test
    void withTheModelsOwnCheckEachFoldTrainsTheModelWithAndWithoutThePseudoLabels() {
        Dataset blobs = TestData.blobs(60, 9);
        Splits.Pair parts = Splits.labeledSubset(blobs, 9, 1);
        Dataset unlabeled = parts.second().subset("u", parts.second().examples().stream().map(e -> e.withLabel(null)).toList());
        List<Integer> trainSizes = new ArrayList<>();
        // A stand-in model that is right on a held-out example only when it trained on more than its fold's labels.
        LabelSpreading.FoldScorer needsMoreThanLabels = (train, held) -> {
            trainSizes.add(train.size());
            return train.size() > 9 ? held.size() : 0;
        };
        LabelSpreading.Outcome used = LabelSpreading.pseudoLabel(parts.first(), unlabeled, Double.NaN, needsMoreThanLabels, 1, TrainListener.NONE);
        assertThat(used.report()).containsEntry("used", true).containsEntry("labels_alone_cv_accuracy", 0.0)
                .containsEntry("model_with_pseudo_labels_cv_accuracy", 1.0);
        // 3 folds: 6 of 9 labels, then with the pseudo-labels, all of them on dense features.
        assertThat(trainSizes).hasSize(6).contains(6).anyMatch(n -> n > 6 + 150);
        assertThat(used.report()).containsEntry("pseudo_label_share", 1.0);
        assertThat(used.train().size()).isEqualTo(9 + 171);
        // Hurt by them, and spreading alone only ties the labels alone (both right on every held-out label): the
        // model's own check decides.
        LabelSpreading.FoldScorer hurtByThem = (train, held) -> train.size() > 9 ? 0 : held.size();
        LabelSpreading.Outcome refused = LabelSpreading.pseudoLabel(parts.first(), unlabeled, Double.NaN, hurtByThem, 1, TrainListener.NONE);
        assertThat(refused.report()).containsEntry("cv_accuracy", 1.0).containsEntry("labels_alone_cv_accuracy", 1.0)
                .containsEntry("used", false);
        assertThat(refused.train().size()).isEqualTo(9);
    }

    @Test
    void whereTheModelDoesWorseWithThePseudoLabelsTheyAreUsedOnlyIfSpreadingAloneDoesBetterThanTheLabelsAlone() {
        // Two overlapping classes: spreading alone is right on most held-out labels, not all.
        Random rng = new Random(3);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int c = i % 2;
            ex.add(Example.dense("p" + i, new float[] {(float) (rng.nextGaussian() + 1.5 * c), (float) rng.nextGaussian()},
                    c == 0 ? "a" : "b", "overlap"));
        }
        Dataset data = Dataset.infer("overlap", ex, List.of(2L));
        Splits.Pair parts = Splits.labeledSubset(data, 30, 1);
        Dataset unlabeled = parts.second().subset("u", parts.second().examples().stream().map(e -> e.withLabel(null)).toList());
        // Stand-in models: each is right on a share of each fold's held-out labels, a little less with the pseudo-labels.
        java.util.function.ToIntBiFunction<Integer, Integer> share = (held, fifths) -> held * fifths / 5;
        LabelSpreading.Outcome probe = LabelSpreading.pseudoLabel(parts.first(), unlabeled, Double.NaN,
                (train, held) -> share.applyAsInt(held.size(), train.size() > 30 ? 4 : 5), 1, TrainListener.NONE);
        double spreadAlone = (double) probe.report().get("cv_accuracy");
        assertThat(spreadAlone).isGreaterThan(0.5).isLessThan(1.0);
        assertThat(probe.report()).containsEntry("labels_alone_cv_accuracy", 1.0).containsEntry("used", false);
        assertThat(probe.train().size()).isEqualTo(30);
        // The labels alone right on fewer than spreading alone: the pseudo-labels are used though the model scores lower
        // with them (a tie leaves the decision to the model's check: the test above).
        LabelSpreading.Outcome used = LabelSpreading.pseudoLabel(parts.first(), unlabeled, Double.NaN,
                (train, held) -> train.size() > 30 ? 0 : (int) Math.floor(held.size() * spreadAlone * 0.9), 1, TrainListener.NONE);
        assertThat((double) used.report().get("labels_alone_cv_accuracy")).isLessThan(spreadAlone);
        assertThat(used.report()).containsEntry("model_with_pseudo_labels_cv_accuracy", 0.0).containsEntry("used", true);
        assertThat(used.train().size()).isGreaterThan(30);
    }

    @Test
    void innerProductNeighboursMatchABruteForceSearch() {
        // Sparse rows of small whole numbers: every product sums exactly, so the order is the true one, ties included.
        Random rng = new Random(5);
        de.bwaldvogel.liblinear.Feature[][] rows = new de.bwaldvogel.liblinear.Feature[200][];
        for (int i = 0; i < rows.length; i++) {
            java.util.TreeMap<Integer, Double> row = new java.util.TreeMap<>();
            for (int f = 0; f < 6; f++) {
                row.put(1 + rng.nextInt(40), (double) (1 + rng.nextInt(3)));
            }
            rows[i] = row.entrySet().stream().map(e -> new de.bwaldvogel.liblinear.FeatureNode(e.getKey(), e.getValue()))
                    .toArray(de.bwaldvogel.liblinear.Feature[]::new);
        }
        int[][] found = LabelSpreading.nearestByInnerProduct(rows, 5);
        for (int i = 0; i < rows.length; i++) {
            final int self = i;
            List<Integer> expected = java.util.stream.IntStream.range(0, rows.length).filter(j -> j != self).boxed()
                    .sorted(java.util.Comparator.<Integer>comparingDouble(j -> -dot(rows[self], rows[j])).thenComparingInt(j -> j))
                    .limit(5).toList();
            assertThat(found[i]).as("row %d", i).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static double dot(de.bwaldvogel.liblinear.Feature[] a, de.bwaldvogel.liblinear.Feature[] b) {
        double s = 0;
        for (de.bwaldvogel.liblinear.Feature x : a) {
            for (de.bwaldvogel.liblinear.Feature y : b) {
                s += x.getIndex() == y.getIndex() ? x.getValue() * y.getValue() : 0;
            }
        }
        return s;
    }

    @Test
    void twoLabelsAClassSpreadOverTextsByTheirWords() {
        // Two topics with their own words among shared filler: from two labels each, the rest take their topic's class.
        Dataset texts = TestData.texts(100, 7);
        Splits.Pair parts = Splits.labeledSubset(texts, 4, 1);
        Dataset unlabeled = new Dataset("u", texts.schema(), parts.second().examples().stream().map(e -> e.withLabel(null)).toList());
        LabelSpreading.Outcome out = LabelSpreading.pseudoLabel(parts.first(), unlabeled, Double.NaN, 1, TrainListener.NONE);
        assertThat(out.report()).containsEntry("used", true);
        java.util.Map<String, String> truth = new java.util.HashMap<>();
        texts.examples().forEach(e -> truth.put(e.id(), e.label().orElseThrow()));
        long right = out.train().examples().stream().filter(e -> e.label().orElseThrow().equals(truth.get(e.id()))).count();
        // 196 unlabeled texts: the confident half of each class's pseudo-labels joins the 4 labels, the rest are counted.
        assertThat(out.report()).containsEntry("pseudo_label_share", LabelSpreading.TEXT_SHARE);
        assertThat(out.train().size()).isEqualTo(4 + (int) out.report().get("pseudo_labels")).isBetween(4 + 88, 4 + 108);
        assertThat((int) out.report().get("pseudo_labels") + (int) out.report().get("pseudo_labels_left_out")
                + (int) out.report().get("unreached")).isEqualTo(196);
        assertThat(right / (double) out.train().size()).isGreaterThan(0.9);
    }

    /**
     * Spread scores of ten texts: example 0 is labeled; 1-6 spread to class 0 with falling confidence (3 and 4 tied), 7-8
     * to class 1, 9 unreached.
     */
    private static final float[][] SPREAD = {{1, 0}, {0.9f, 0.1f}, {0.8f, 0.2f}, {0.7f, 0.3f}, {0.7f, 0.3f}, {0.6f, 0.4f},
        {0.55f, 0.45f}, {0.2f, 0.8f}, {0.4f, 0.6f}, {0, 0}};

    @Test
    void eachClassKeepsItsMostConfidentHalfOfPseudoLabels() {
        Dataset texts = TestData.texts(10, 7);
        List<Example> all = texts.examples().subList(0, 10);
        float[][] scores = SPREAD;
        List<Example> kept = LabelSpreading.pseudoLabels(scores, all, 1, texts.schema(), 0.5, null);
        String first = texts.schema().labels().get(0);
        String second = texts.schema().labels().get(1);
        assertThat(kept).extracting(Example::id).containsExactly(all.get(1).id(), all.get(2).id(), all.get(3).id(), all.get(7).id());
        assertThat(kept).extracting(e -> e.label().orElseThrow()).containsExactly(first, first, first, second);
        assertThat(LabelSpreading.pseudoLabels(scores, all, 1, texts.schema(), 1.0, null)).extracting(Example::id)
                .containsExactlyElementsOf(all.subList(1, 9).stream().map(Example::id).toList()); // all but the unreached
    }

    @Test
    void noClassKeepsMoreThanItsShareOfTheLabelsOfThePseudoLabels() {
        Dataset texts = TestData.texts(10, 7);
        List<Example> all = texts.examples().subList(0, 10);
        float[][] scores = SPREAD; // the labels are half of each class
        double[] halves = {0.5, 0.5};
        // all kept (share 1): class 0 may keep half of the 8 reached, its 4 most confident; class 1 its 2
        assertThat(LabelSpreading.pseudoLabels(scores, all, 1, texts.schema(), 1.0, halves)).extracting(Example::id)
                .containsExactly(all.get(1).id(), all.get(2).id(), all.get(3).id(), all.get(4).id(), all.get(7).id(), all.get(8).id());
        // the prior is each class's share of the labels given
        Dataset labeled = texts.subset("l", List.of(texts.get(0), texts.get(1), texts.get(2), texts.get(3)));
        double[] prior = LabelSpreading.prior(labeled.examples(), texts.schema());
        assertThat(prior[0] + prior[1]).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        long first = labeled.examples().stream().filter(e -> e.label().orElseThrow().equals(texts.schema().labels().get(0))).count();
        assertThat(prior[0]).isCloseTo(first / 4.0, org.assertj.core.api.Assertions.within(1e-9));
    }
}
