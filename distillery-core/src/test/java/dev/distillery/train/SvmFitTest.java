package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import dev.distillery.model.Classifier;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.SvmSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import libsvm.svm;
import libsvm.svm_model;
import libsvm.svm_node;
import libsvm.svm_problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SvmFitTest {
    @TempDir
    Path dir;

    /** Points in 2-D, their class the ring they lie on (radius about 1, 2 or 3): no straight line separates them. */
    static Dataset rings(int perClass, int classes, long seed) {
        Random rng = new Random(seed);
        List<Example> ex = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                double angle = rng.nextDouble() * 2 * Math.PI;
                double radius = c + 1 + rng.nextGaussian() * 0.15;
                ex.add(Example.dense("r" + c + "-" + i, new float[] {(float) (radius * Math.cos(angle)), (float) (radius * Math.sin(angle))},
                        "ring" + c, "rings"));
            }
        }
        return Dataset.infer("rings", ex, List.of(2L));
    }

    private static double accuracy(Classifier classifier, Dataset data) {
        int[] predicted = classifier.predict(data.examples(), 64);
        int hits = 0;
        for (int i = 0; i < predicted.length; i++) {
            hits += predicted[i] == data.schema().indexOf(data.get(i).label().orElseThrow()) ? 1 : 0;
        }
        return hits / (double) predicted.length;
    }

    @Test
    void aFeatureConstantInTrainingMovesNothingLater() {
        // the rings with a third column that is 1 on every training row (one site's, one batch's), scored with 5
        List<Example> rows = new ArrayList<>();
        for (Example e : rings(40, 3, 2).examples()) {
            rows.add(Example.dense(e.id(), new float[] {e.features()[0], e.features()[1], 1f}, e.label().orElseThrow(), "t"));
        }
        Dataset train = Dataset.infer("rings3", rows, List.of(3L));
        try (Classifier svmModel = Classifier.create(SvmSpec.DEFAULT.withCapacity(train.size()), train.schema());
                Classifier linear = Classifier.create(LinearSpec.DEFAULT, train.schema())) {
            SvmFit.fit(svmModel, train, null, 7, TrainListener.NONE);
            LinearFit.fit(linear, train, null, 7, TrainListener.NONE);
            List<Example> moved = rows.stream().map(e -> Example.dense(e.id(), new float[] {e.features()[0], e.features()[1], 5f},
                    e.label().orElseThrow(), "t")).toList();
            for (Classifier model : List.of(svmModel, linear)) {
                float[][] before = model.probabilities(rows, 64);
                float[][] after = model.probabilities(moved, 64);
                for (int i = 0; i < before.length; i++) {
                    assertThat(after[i]).as(model.spec() + ", row " + i).containsExactly(before[i], org.assertj.core.api.Assertions.within(1e-6f));
                }
            }
            // scale 1 had let the kernel's every distance grow by 16
            assertThat(accuracy(svmModel, Dataset.infer("moved", moved, List.of(3L)))).isGreaterThan(0.9);
        }
    }

    @Test
    void aSpecIsDescribedByItsSettingsToFourFigures() {
        dev.distillery.data.Schema schema = dev.distillery.data.Schema.dense(List.of(2L), List.of("a", "b"));
        assertThat(new SvmSpec(240, 100.0, 1.2755102040816328E-4).describe(schema)).isEqualTo("SvmSpec[c=100, gamma=0.0001276]");
        assertThat(SvmSpec.DEFAULT.describe(schema)).isEqualTo("SvmSpec[c=auto, gamma=auto]");
    }

    @Test
    void theKernelSeparatesRingsThatTheLinearModelCannotAndSurvivesSaveAndLoad() throws Exception {
        Splits.Pair parts = Splits.split(rings(60, 3, 1), 0.3, 5, "train", "test");
        try (Classifier svmModel = Classifier.create(SvmSpec.DEFAULT.withCapacity(parts.first().size()), parts.first().schema());
                Classifier linear = Classifier.create(LinearSpec.DEFAULT, parts.first().schema())) {
            SvmFit.Fitted fitted = SvmFit.fit(svmModel, parts.first(), null, 7, TrainListener.NONE);
            LinearFit.fit(linear, parts.first(), null, 7, TrainListener.NONE);
            assertThat(fitted.folds()).isEqualTo(5);
            assertThat(fitted.cvAccuracy()).hasSize(SvmFit.C_GRID.length * SvmFit.GAMMA_FACTORS.length);
            assertThat(fitted.supportVectors()).isPositive().isLessThanOrEqualTo(parts.first().size());
            assertThat(svmModel.spec()).as("the chosen C and gamma, in place of the open ones")
                    .isEqualTo(SvmSpec.DEFAULT.withCapacity(parts.first().size()).withSettings(fitted.c(), fitted.gamma()));
            assertThat(accuracy(svmModel, parts.second())).isGreaterThan(0.9);
            assertThat(accuracy(linear, parts.second())).isLessThan(0.6);
            svmModel.save(dir.resolve("m"), Map.of());
            try (Classifier loaded = Classifier.load(dir.resolve("m"))) {
                assertThat(loaded.spec()).isEqualTo(svmModel.spec());
                float[][] before = svmModel.probabilities(parts.second().examples(), 16);
                float[][] after = loaded.probabilities(parts.second().examples(), 16);
                for (int i = 0; i < before.length; i++) {
                    assertThat(after[i]).containsExactly(before[i], org.assertj.core.api.Assertions.within(1e-6f));
                }
            }
        }
    }

    @Test
    void theNetworkDecidesAsLibsvmOnExamplesItNeverSaw() {
        // Two overlapping blobs classes: decisions near the boundary are not trivial.
        Dataset blobs = TestData.blobs(60, 3);
        Dataset two = blobs.subset("two", blobs.examples().stream().filter(e -> !e.label().orElseThrow().equals("right")).toList());
        two = Dataset.infer("two", two.examples(), List.of(8L));
        Splits.Pair parts = Splits.split(two, 0.3, 5, "train", "test");
        double c = 1;
        double gamma = 0.5;
        try (Classifier classifier = Classifier.create(new SvmSpec(parts.first().size(), c, gamma), parts.first().schema())) {
            SvmFit.fit(classifier, parts.first(), null, 1, TrainListener.NONE);
            LinearFit.DenseFeatures scaling = LinearFit.DenseFeatures.learn(parts.first().schema(), parts.first());
            svm_problem problem = new svm_problem();
            problem.l = parts.first().size();
            problem.x = new svm_node[problem.l][];
            problem.y = new double[problem.l];
            for (int i = 0; i < problem.l; i++) {
                problem.x[i] = SvmFit.nodes(scaling.standardize(parts.first().get(i)));
                problem.y[i] = parts.first().schema().indexOf(parts.first().get(i).label().orElseThrow());
            }
            svm_model reference = svm.svm_train(problem, SvmFit.parameter(c, gamma));
            int[] network = classifier.predict(parts.second().examples(), 16);
            for (int i = 0; i < network.length; i++) {
                int expected = (int) svm.svm_predict(reference, SvmFit.nodes(scaling.standardize(parts.second().get(i))));
                assertThat(network[i]).as("test example %d", i).isEqualTo(expected);
            }
        }
    }

    @Test
    void settingsThatTieInHeldOutMistakesGoToTheDefaultsNotToTheLargestC() {
        // Two blobs far apart: every C with the default gamma and a ten times wider kernel labels every held-out point
        // right, so the mistakes cannot choose; the held-out hinge alone chose C 100 here.
        Random rng = new Random(3);
        List<Example> ex = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 12; i++) {
                ex.add(Example.dense("b" + c + "-" + i, new float[] {(float) ((c == 0 ? -3 : 3) + rng.nextGaussian() * 0.5),
                        (float) (rng.nextGaussian() * 0.5)}, "blob" + c, "blobs"));
            }
        }
        Dataset data = Dataset.infer("blobs", ex, List.of(2L));
        SvmFit.Search search = SvmFit.crossValidate(data.schema(), data, 4, 42, SvmFit.C_GRID, new double[] {0.05, 0.5});
        assertThat(search.table()).hasSize(SvmFit.C_GRID.length * 2).allSatisfy((setting, accuracy) ->
                assertThat(accuracy).as(setting).isEqualTo(1.0));
        assertThat(search.c()).isEqualTo(1.0);
        assertThat(search.gamma()).isEqualTo(0.5);
        assertThat(SvmFit.distanceFromDefaults(1, 0.5, 2)).isZero();
        assertThat(SvmFit.distanceFromDefaults(100, 0.05, 2)).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void autoChoosesTheKernelWhereOnlyItFitsAndTheSameSeedGivesTheSameChoice() {
        Dataset data = rings(30, 2, 4);
        AutoSelect.Choice a = AutoSelect.choose(data, TrainConfig.defaults(), TrainListener.NONE);
        AutoSelect.Choice b = AutoSelect.choose(data, TrainConfig.defaults(), TrainListener.NONE);
        assertThat(a.spec()).isInstanceOf(SvmSpec.class).isEqualTo(b.spec());
        assertThat(a.table()).extracting(AutoSelect.Score::name).anyMatch(n -> n.startsWith("linear")).anyMatch(n -> n.startsWith("svm"));
    }

    @Test
    void autoLeavesTheSvmOutWhereItsGridWouldCostTooMuch() {
        var labels = java.util.stream.IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
        var images = dev.distillery.data.Schema.dense(List.of(1L, 28L, 28L), labels);
        var digits = dev.distillery.data.Schema.dense(List.of(64L), labels);
        assertThat(SvmFit.gridWork(digits, 1346, 5)).isLessThan(AutoSelect.MAX_KERNEL_WORK);
        assertThat(SvmFit.gridWork(images, 600, 5)).isLessThan(AutoSelect.MAX_KERNEL_WORK);
        assertThat(SvmFit.gridWork(images, 2000, 5)).isGreaterThan(AutoSelect.MAX_KERNEL_WORK);
        assertThat(SvmFit.gridWork(images, 1200, 5)).isGreaterThan(3.5 * SvmFit.gridWork(images, 600, 5)); // quadratic in the labels
        int affordable = SvmFit.affordableExamples(images, AutoSelect.MAX_KERNEL_WORK);
        assertThat(SvmFit.fitWork(images, affordable)).isLessThanOrEqualTo(AutoSelect.MAX_KERNEL_WORK);
        assertThat(SvmFit.fitWork(images, affordable + 1)).isGreaterThan(AutoSelect.MAX_KERNEL_WORK);
        assertThat(affordable).isBetween(1000, 3000); // Fashion-MNIST with spread pseudo-labels: a sample, not 60,000
        assertThat(SvmFit.affordableExamples(images, SvmFit.MAX_FIT_WORK)).isBetween(affordable, 60_000);
    }

    @Test
    void aFitFarBeyondItsBoundIsRefusedWithWhatToDoInstead() {
        // 20,000 examples of 64 features in 10 classes: ten binary fits on 20,000 examples each
        List<Example> many = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            many.add(Example.dense("x" + i, new float[64], "c" + (i % 10), "big"));
        }
        Dataset big = Dataset.infer("big", many, List.of(64L));
        try (Classifier c = Classifier.create(SvmSpec.DEFAULT.withCapacity(big.size()), big.schema())) {
            assertThat(SvmFit.fitWork(big.schema(), big.size())).isGreaterThan(SvmFit.MAX_FIT_WORK);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SvmFit.fit(c, big, null, 1, TrainListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--labeled").hasMessageContaining("20,000 examples");
        }
    }
}
