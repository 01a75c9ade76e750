package dev.distillery.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distillery.eval.Evaluation;
import ai.djl.nn.Parameter;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.Flops;
import dev.distillery.model.QuantizedWeights;
import dev.distillery.train.ClassifierTrainer;
import dev.distillery.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning, structured pruning, quantization and LoRA on a small CNN trained once on synthetic bars. */
class CompressionTest {
    static Splits.Pair data;
    static Path trainedDir;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    static TrainConfig config(int epochs) {
        return new TrainConfig(epochs, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 3);
    }

    @BeforeAll
    static void trainBase() {
        data = Splits.split(TestData.bars(80, 2), 0.25, 1, "train", "test");
        try (Classifier c = Classifier.create(new CnnSpec(6, 2, 24, 0f, false), data.first().schema())) {
            new ClassifierTrainer(config(12), null, null).train(c, data.first(), null);
            trainedDir = shared.resolve("base");
            c.save(trainedDir, Map.of());
        }
    }

    static double accuracy(Classifier c, Dataset d) {
        return Evaluation.of(c, d).accuracy();
    }

    static float[][] logits(Classifier c, List<Example> examples) {
        return c.probabilities(examples, 64);
    }

    @Test
    void magnitudeMasksZeroTheSmallestWeightsAndStayAppliedThroughFineTuning() {
        try (Classifier c = Classifier.load(trainedDir)) {
            try (WeightMasks masks = WeightMasks.magnitude(c.block(), 0.8, c.model().getNDManager())) {
                masks.apply();
                assertThat(WeightMasks.sparsity(c.block())).isCloseTo(0.8, within(0.01));
                new ClassifierTrainer(config(3), null, null).afterEachStep(masks::apply).train(c, data.first(), null);
                // Unmasked fine-tuning would move every zeroed weight; the hook keeps all of them at zero.
                assertThat(WeightMasks.sparsity(c.block())).isGreaterThanOrEqualTo(0.8 - 0.01);
            }
            assertThat(accuracy(c, data.second())).isGreaterThan(0.85);
        }
    }

    @Test
    void cubicScheduleRisesToTheTargetAndIsFrontLoaded() {
        assertThat(MagnitudePruner.scheduled(0.9, 0, 4)).isZero();
        assertThat(MagnitudePruner.scheduled(0.9, 4, 4)).isCloseTo(0.9, within(1e-12));
        assertThat(MagnitudePruner.scheduled(0.9, 1, 4)).isCloseTo(0.9 * (1 - 0.75 * 0.75 * 0.75), within(1e-12));
        assertThat(MagnitudePruner.scheduled(0.9, 1, 4)).isGreaterThan(0.9 / 4);
    }

    @Test
    void structuredPruneComputesWhatTheMaskedOriginalComputes() {
        try (Classifier original = Classifier.load(trainedDir)) {
            ChannelPruner.Plan plan = ChannelPruner.plan(original, 0.5);
            assertThat(plan.channelCounts()).containsExactly(3, 6);
            assertThat(plan.hidden()).hasSize(12);
            try (Classifier pruned = ChannelPruner.apply(original, plan)) {
                ChannelPruner.zeroDropped(original, plan);
                float[][] expected = logits(original, data.second().examples());
                float[][] actual = logits(pruned, data.second().examples());
                for (int i = 0; i < expected.length; i++) {
                    for (int k = 0; k < expected[i].length; k++) {
                        assertThat(actual[i][k]).isCloseTo(expected[i][k], within(1e-5f));
                    }
                }
                assertThat(pruned.parameterCount()).isLessThan(original.parameterCount() / 3);
                assertThat(Flops.of(pruned.spec(), pruned.schema())).isLessThan(Flops.of(original.spec(), original.schema()) / 3);
                pruned.save(dir.resolve("pruned"), Map.of());
                try (Classifier back = Classifier.load(dir.resolve("pruned"))) {
                    assertThat(back.spec()).isEqualTo(pruned.spec());
                    assertThat(logits(back, data.second().examples())[0]).containsExactly(actual[0]);
                }
            }
        }
    }

    @Test
    void svdFactorsReproduceALowRankMatrixExactly() {
        // rows 3, cols 4, rank 2: every row is a mix of two basis rows.
        float[] a = {1, 0, 2, 0};
        float[] b = {0, 3, 0, 1};
        float[][] mix = {{1, 0}, {0, 1}, {2, -1}};
        float[] w = new float[12];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                w[r * 4 + c] = mix[r][0] * a[c] + mix[r][1] * b[c];
            }
        }
        float[][] f = LowRank.factors(w, 3, 4, 2);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                float v = f[0][r * 2] * f[1][c] + f[0][r * 2 + 1] * f[1][4 + c];
                assertThat(v).isCloseTo(w[r * 4 + c], within(1e-5f));
            }
        }
    }

    @Test
    void factorizedNetworkIsSmallerAndCloseToTheOriginalAtHighRank() {
        try (Classifier original = Classifier.load(trainedDir);
                Classifier nearlyFull = LowRank.factorize(original, 20);
                Classifier small = LowRank.factorize(original, 2)) {
            float[][] expected = logits(original, data.second().examples());
            float[][] actual = logits(nearlyFull, data.second().examples());
            double worst = 0;
            for (int i = 0; i < expected.length; i++) {
                for (int k = 0; k < expected[i].length; k++) {
                    worst = Math.max(worst, Math.abs(expected[i][k] - actual[i][k]));
                }
            }
            assertThat(worst).isLessThan(0.05);
            assertThat(small.parameterCount()).isLessThan(original.parameterCount());
            assertThat(Flops.of(small.spec(), small.schema())).isLessThan(Flops.of(original.spec(), original.schema()));
            small.save(dir.resolve("small"), Map.of());
            try (Classifier back = Classifier.load(dir.resolve("small"))) {
                assertThat(back.spec()).isEqualTo(small.spec());
            }
        }
    }

    @Test
    void cnnFlopsCountConvolutionsAtTheirResolutionAndTheDenseLayers() {
        CnnSpec spec = new CnnSpec(4, 2, 16, 0f, false);
        Dataset d = TestData.bars(2, 1); // 1x8x8, 2 classes
        long conv1 = 8 * 8 * 4 * 1 * 9;
        long conv2 = 4 * 4 * 8 * 4 * 9;
        long dense = (8 * 2 * 2) * 16 + 16 * 2;
        assertThat(Flops.of(spec, d.schema())).isEqualTo(conv1 + conv2 + dense);
    }

    @Test
    void int8ModelIsAboutFourTimesSmallerAndPredictsAlmostTheSame() throws Exception {
        try (Classifier c = Classifier.load(trainedDir)) {
            c.save(dir.resolve("int8"), Map.of(), 8);
            c.save(dir.resolve("int4"), Map.of(), 4);
            long floatBytes = Files.size(trainedDir.resolve(Classifier.WEIGHTS_FILE));
            assertThat(floatBytes / (double) Files.size(dir.resolve("int8").resolve(QuantizedWeights.FILE))).isGreaterThan(3.0);
            assertThat(floatBytes / (double) Files.size(dir.resolve("int4").resolve(QuantizedWeights.FILE))).isGreaterThan(4.0);
            double base = accuracy(c, data.second());
            try (Classifier q8 = Classifier.load(dir.resolve("int8"))) {
                assertThat(accuracy(q8, data.second())).isCloseTo(base, within(0.02));
            }
        }
    }

    @Test
    void aLinearModelOnFeaturesOfVeryDifferentScalesKeepsItsAnswersAtEightAndFourBits() throws Exception {
        // an income in the tens of thousands and a ratio in 0..1, both deciding the label: the solver's standardization
        // folded into the weights leaves the income's column 1e5 times smaller than the ratio's
        java.util.Random rng = new java.util.Random(11);
        List<Example> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            float income = (float) (40_000 + 12_000 * rng.nextGaussian());
            float ratio = rng.nextFloat();
            String label = (income - 40_000) / 12_000 - 2 * (ratio - 0.5f) + 0.3 * rng.nextGaussian() > 0 ? "repaid" : "default";
            rows.add(Example.dense("r" + i, new float[] {income, ratio}, label, "t"));
        }
        Dataset loans = Dataset.infer("loans", rows, null);
        try (Classifier c = Classifier.create(new dev.distillery.model.LinearSpec(16, 1.0), loans.schema())) {
            dev.distillery.train.LinearFit.fit(c, loans, null, 1, dev.distillery.train.TrainListener.NONE);
            int[] answers = c.predict(loans.examples(), 256);
            for (int bits : new int[] {8, 4}) {
                c.save(dir.resolve("q" + bits), Map.of(), bits);
                try (Classifier q = Classifier.load(dir.resolve("q" + bits))) {
                    int[] quantized = q.predict(loans.examples(), 256);
                    long same = java.util.stream.IntStream.range(0, answers.length).filter(i -> answers[i] == quantized[i]).count();
                    assertThat(same / (double) answers.length).as("%d bits", bits).isGreaterThanOrEqualTo(0.97);
                }
            }
        }
    }

    @Test
    void corruptQuantizedFileGivesAClearError() throws Exception {
        try (Classifier c = Classifier.load(trainedDir)) {
            c.save(dir.resolve("int8"), Map.of(), 8);
        }
        Path file = dir.resolve("int8").resolve(QuantizedWeights.FILE);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> Classifier.load(dir.resolve("int8"))).hasMessageContaining(file.toString());
    }

    @Test
    void loraStartsAsTheBaseTrainsFewParametersAndMergesToTheSameFunction() {
        Dataset inverted = invert(data.first());
        try (Classifier c = Classifier.load(trainedDir)) {
            float[][] before = logits(c, data.second().examples());
            LoraAdapter adapter = LoraAdapter.attach(c, 2, 4f, 7, trainedDir);
            assertThat(logits(c, data.second().examples())[0]).containsExactly(before[0]);
            assertThat(adapter.trainableFraction()).isLessThan(0.2).isGreaterThan(0);
            List<float[]> frozen = new ArrayList<>();
            for (var p : c.block().getParameters()) {
                if (!p.getValue().requiresGradient() && p.getValue().getType() == Parameter.Type.WEIGHT) {
                    frozen.add(p.getValue().getArray().toFloatArray());
                }
            }
            double beforeAdapting = accuracy(c, invert(data.second()));
            new ClassifierTrainer(config(4), null, null).train(c, inverted, null);
            // The adapter learned the new domain, and it did so through its own matrices (B starts at zero).
            assertThat(accuracy(c, invert(data.second()))).isGreaterThan(beforeAdapting + 0.2);
            assertThat(adapterB(c)).isNotEqualTo(new float[adapterB(c).length]);
            int i = 0;
            for (var p : c.block().getParameters()) {
                if (!p.getValue().requiresGradient() && p.getValue().getType() == Parameter.Type.WEIGHT) {
                    assertThat(p.getValue().getArray().toFloatArray()).containsExactly(frozen.get(i++));
                }
            }
            adapter.save(dir.resolve("adapter"));
            float[][] adapted = logits(c, invert(data.second()).examples());
            try (Classifier base = Classifier.load(trainedDir)) {
                LoraAdapter.load(base, trainedDir, dir.resolve("adapter"));
                assertThat(logits(base, invert(data.second()).examples())[0]).containsExactly(adapted[0]);
            }
            Classifier merged = adapter.merge();
            float[][] mergedOut = logits(merged, invert(data.second()).examples());
            for (int r = 0; r < adapted.length; r++) {
                for (int k = 0; k < adapted[r].length; k++) {
                    assertThat(mergedOut[r][k]).isCloseTo(adapted[r][k], within(1e-4f));
                }
            }
            merged.save(dir.resolve("merged"), Map.of());
        }
    }

    @Test
    void adapterRefusesAnotherBase() {
        try (Classifier c = Classifier.load(trainedDir)) {
            LoraAdapter.attach(c, 2, 4f, 7, trainedDir).save(dir.resolve("adapter"));
        }
        try (Classifier other = Classifier.create(new CnnSpec(6, 2, 24, 0f, false), data.first().schema())) {
            new ClassifierTrainer(config(1), null, null).train(other, data.first(), null);
            other.save(dir.resolve("other"), Map.of());
        }
        try (Classifier other = Classifier.load(dir.resolve("other"))) {
            assertThatThrownBy(() -> LoraAdapter.load(other, dir.resolve("other"), dir.resolve("adapter")))
                    .hasMessageContaining("was trained on a base model with SHA-256");
        }
    }

    static float[] adapterB(Classifier c) {
        for (var p : c.block().getParameters()) {
            if (p.getValue().getName().equals("loraB")) {
                return p.getValue().getArray().toFloatArray();
            }
        }
        throw new AssertionError("no adapter");
    }

    static Dataset invert(Dataset d) {
        List<Example> out = new ArrayList<>();
        for (Example e : d.examples()) {
            float[] f = e.features().clone();
            for (int i = 0; i < f.length; i++) {
                f[i] = 1f - f[i];
            }
            out.add(Example.dense(e.id(), f, e.label().orElse(null), e.source()));
        }
        return d.subset(d.name() + "-inverted", out);
    }
}
