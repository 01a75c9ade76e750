package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distillery.eval.Evaluation;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.NgramBagSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTrainerTest {
    @TempDir
    Path dir;

    static TrainConfig config(int epochs, float lr) {
        return new TrainConfig(epochs, 16, lr, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 3);
    }

    static double accuracy(Classifier c, Dataset d) {
        return Evaluation.of(c, d).accuracy();
    }

    @Test
    void mlpLearnsSeparableBlobs() {
        Splits.Pair p = Splits.split(TestData.blobs(60, 1), 0.25, 1, "train", "test");
        try (Classifier c = Classifier.create(new MlpSpec(16, 1, 0f), p.first().schema())) {
            TrainResult r = new ClassifierTrainer(config(15, 1e-2f), null, null).train(c, p.first(), null);
            assertThat(r.history()).hasSize(15);
            assertThat(r.history().get(14).trainLoss()).isLessThan(r.history().get(0).trainLoss());
            assertThat(accuracy(c, p.second())).isGreaterThan(0.95);
        }
    }

    @Test
    void aFeatureThatNeverVariedInTrainingMovesNothingLater() {
        // blobs with a ninth feature that is 0 in every training row
        List<Example> rows = new ArrayList<>();
        for (Example e : TestData.blobs(30, 1).examples()) {
            rows.add(Example.dense(e.id(), java.util.Arrays.copyOf(e.features(), 9), e.label().orElseThrow(), "t"));
        }
        Dataset train = Dataset.infer("blobs9", rows, List.of(9L));
        try (Classifier c = Classifier.create(MlpSpec.DEFAULT.withWidth(16), train.schema())) {
            new ClassifierTrainer(config(40, 1e-2f), null, null).train(c, train, null);
            List<Example> asTrained = train.examples().subList(0, 30);
            List<Example> shifted = asTrained.stream().map(e -> {
                float[] f = e.features().clone();
                f[8] = 5f;
                return Example.dense(e.id(), f, e.label().orElseThrow(), "t");
            }).toList();
            float[][] before = c.probabilities(asTrained, 64);
            float[][] after = c.probabilities(shifted, 64);
            double largest = 0;
            for (int i = 0; i < before.length; i++) {
                for (int k = 0; k < before[i].length; k++) {
                    largest = Math.max(largest, Math.abs(before[i][k] - after[i][k]));
                }
            }
            // Without the correction the running variance had decayed to near zero (0.9 to the power of the steps), the
            // normalization's epsilon (1e-5) alone stood for the spread, and 0.5 became about 150 standard deviations;
            // with variance 1 alone, the first layer's untrained weights on it still moved every hidden unit.
            assertThat(largest).as("largest change of a probability").isLessThan(1e-6);
            assertThat(accuracy(c, Dataset.infer("shifted", shifted, List.of(9L)))).isEqualTo(1.0);
        }
    }

    static float[] weights(Classifier c) {
        List<Float> all = new ArrayList<>();
        for (var p : c.block().getParameters()) {
            for (float x : p.getValue().getArray().toFloatArray()) {
                all.add(x);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    static float[] plus(float[] v, float d) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += d;
        }
        return out;
    }

    @Test
    void weightAverageMovesOneMinusDecayTowardsTheWeightsAndLendsThemOnlyWhileAsked() {
        Splits.Pair p = Splits.split(TestData.blobs(20, 1), 0.25, 1, "train", "test");
        try (Classifier c = Classifier.create(new MlpSpec(8, 1, 0f), p.first().schema())) {
            new ClassifierTrainer(config(1, 1e-2f), null, null).train(c, p.first(), null); // initializes the weights
            checkAverage(c);
        }
        assertThatThrownBy(() -> new WeightAverage(null, 1f)).hasMessageContaining("decay must be in [0, 1), got: 1.0");
    }

    private static void checkAverage(Classifier c) {
        try (WeightAverage average = new WeightAverage(c.block(), 0.9f)) {
            float[] start = weights(c);
            for (var param : c.block().getParameters()) {
                try (var w = param.getValue().getArray().stopGradient()) {
                    w.addi(1f);
                }
            }
            average.update();
            float[] expectedAverage = plus(start, 0.1f);
            assertThat(average.withAverage(() -> weights(c))).containsExactly(expectedAverage, within(1e-5f));
            assertThat(weights(c)).containsExactly(plus(start, 1f), within(1e-5f));
            average.applyToBlock();
            assertThat(weights(c)).containsExactly(expectedAverage, within(1e-5f));
        }
    }

    @Test
    void cnnLearnsBarOrientation() {
        Splits.Pair p = Splits.split(TestData.bars(80, 2), 0.25, 1, "train", "test");
        try (Classifier c = Classifier.create(new CnnSpec(4, 2, 16, 0f, false), p.first().schema())) {
            new ClassifierTrainer(config(12, 1e-2f), null, null).train(c, p.first(), null);
            assertThat(accuracy(c, p.second())).isGreaterThan(0.9);
        }
    }

    @Test
    void ngramBagLearnsVocabularyClasses() {
        Splits.Pair p = Splits.split(TestData.texts(100, 3), 0.25, 1, "train", "test");
        try (Classifier c = Classifier.create(new NgramBagSpec(8, 4096, 2, 100), p.first().schema())) {
            new ClassifierTrainer(config(10, 2e-2f), null, null).train(c, p.first(), null);
            assertThat(accuracy(c, p.second())).isGreaterThan(0.9);
        }
    }

    @Test
    void aStepMovesOnlyTheTableRowsItsTextsRead() {
        Dataset all = TestData.texts(60, 3);
        Dataset few = new Dataset("few", all.schema(), all.examples().subList(0, 5));
        try (Classifier c = Classifier.create(new NgramBagSpec(8, 4096, 2, 100), all.schema())) {
            new ClassifierTrainer(config(1, 2e-2f), null, null).train(c, all, null);
            float[] before = table(c);
            new ClassifierTrainer(config(1, 2e-2f), null, null).train(c, few, null); // one step: 5 texts, batch 16
            float[] after = table(c);
            java.util.Set<Long> read = new java.util.HashSet<>();
            for (Example e : few.examples()) {
                for (long id : ((dev.distillery.model.NgramFeaturizer) c.featurizer()).ids(e.text())) {
                    read.add(id);
                }
            }
            int moved = 0;
            for (int row = 0; row < 4096; row++) {
                boolean changed = !java.util.Arrays.equals(before, row * 8, row * 8 + 8, after, row * 8, row * 8 + 8);
                if (!read.contains((long) row)) {
                    assertThat(changed).as("row %d, which no text of the step read", row).isFalse();
                }
                moved += changed ? 1 : 0;
            }
            assertThat(moved).as("rows moved of the %d read", read.size()).isEqualTo(read.size());
        }
    }

    static float[] table(Classifier c) {
        return c.block().getParameters().stream().filter(p -> p.getKey().endsWith("table")).findFirst().orElseThrow()
                .getValue().getArray().toFloatArray();
    }

    @Test
    void sameSeedGivesTheSameNumbers() {
        Dataset d = TestData.blobs(30, 4);
        List<Double> losses = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (Classifier c = Classifier.create(new MlpSpec(8, 1, 0.2f), d.schema())) {
                TrainResult r = new ClassifierTrainer(config(3, 1e-2f), null, null).train(c, d, null);
                losses.add(r.history().get(2).trainLoss());
            }
        }
        assertThat(losses.get(0)).isEqualTo(losses.get(1));
    }

    @Test
    void earlyStoppingKeepsTheBestValidationEpoch() {
        Splits.Pair p = Splits.split(TestData.blobs(40, 5), 0.3, 1, "train", "val");
        TrainConfig cfg = new TrainConfig(40, 16, 5e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.CONSTANT, 0f, 2, 3);
        try (Classifier c = Classifier.create(new MlpSpec(16, 1, 0f), p.first().schema())) {
            TrainResult r = new ClassifierTrainer(cfg, null, null).train(c, p.first(), p.second());
            assertThat(r.stoppedEarly()).isTrue();
            assertThat(r.history().size()).isLessThan(40);
            EpochStats best = r.history().get(r.bestEpoch() - 1);
            assertThat(best.best()).isTrue();
            assertThat(r.history()).allSatisfy(h -> assertThat(h.valAccuracy()).isLessThanOrEqualTo(best.valAccuracy()));
            // the kept weights are the best epoch's, not the last epoch's
            assertThat(ClassifierTrainer.evaluateLossAndAccuracy(c, p.second().examples())[1]).isEqualTo(best.valAccuracy());
        }
    }

    /** Stops the process's training the way a kill would: as epoch {@code killAt} starts, after the checkpoint before it. */
    static final class Interrupted extends RuntimeException {}

    static TrainListener killedAt(int killAt, List<String> messages) {
        return new TrainListener() {
            @Override
            public void onEpochStart(int epoch, int totalEpochs, int batches) {
                if (epoch == killAt) {
                    throw new Interrupted();
                }
            }

            @Override
            public void onMessage(String message) {
                messages.add(message);
            }
        };
    }

    @Test
    void aResumedRunEndsWithTheUninterruptedRunsWeightsAndLosses() {
        // Dropout and augmentation: random streams must come back too.
        assertResumedRunMatches(new CnnSpec(16, 2, 32, 0.3f, true), TestData.bars(40, 6), dir.resolve("cnn"));
    }

    @Test
    void aResumedNgramRunEndsWithTheUninterruptedRunsWeightsAndLosses() {
        // The table's rows are updated outside DJL's optimizer, with their moments in the optimizer's own state.
        assertResumedRunMatches(new NgramBagSpec(8, 4096, 2, 100), TestData.texts(60, 3), dir.resolve("ngram"));
    }

    private void assertResumedRunMatches(ModelSpec spec, Dataset d, Path runs) {
        TrainConfig cfg = config(6, 1e-2f);
        TrainResult whole;
        float[] wholeWeights;
        try (Classifier c = Classifier.create(spec, d.schema())) {
            whole = new ClassifierTrainer(cfg, null, runs.resolve("whole")).train(c, d, null);
            wholeWeights = weights(c);
        }
        Path checkpoints = runs.resolve("interrupted");
        List<String> messages = new ArrayList<>();
        try (Classifier c = Classifier.create(spec, d.schema())) {
            assertThatThrownBy(() -> new ClassifierTrainer(cfg, killedAt(4, messages), checkpoints).train(c, d, null))
                    .isInstanceOf(Interrupted.class);
        }
        try (Classifier c = Classifier.create(spec, d.schema())) { // a new process: nothing but the checkpoint carries over
            TrainResult resumed = new ClassifierTrainer(cfg, killedAt(-1, messages), checkpoints).train(c, d, null);
            assertThat(messages).anyMatch(m -> m.contains("resuming after epoch 3"));
            assertThat(resumed.resumedFromEpoch()).isEqualTo(3);
            assertThat(resumed.history()).extracting(EpochStats::epoch).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(resumed.history()).extracting(EpochStats::trainLoss)
                    .containsExactlyElementsOf(whole.history().stream().map(EpochStats::trainLoss).toList());
            assertThat(weights(c)).isEqualTo(wholeWeights);
        }
        // Asked again, the finished training hands back its model without training.
        try (Classifier c = Classifier.create(spec, d.schema())) {
            TrainResult again = new ClassifierTrainer(cfg, killedAt(1, messages), checkpoints).train(c, d, null);
            assertThat(again.history()).hasSize(6);
            assertThat(weights(c)).isEqualTo(wholeWeights);
        }
    }

    @Test
    void resumingSgdWithEarlyStoppingAndValidationKeepsTheBestEpochAsTheUninterruptedRunDoes() {
        Splits.Pair p = Splits.split(TestData.blobs(40, 5), 0.3, 1, "train", "val");
        TrainConfig cfg = new TrainConfig(30, 16, 5e-2f, TrainConfig.Optimizer.SGD, TrainConfig.Schedule.STEP, 1e-4f, 3, 3);
        MlpSpec spec = new MlpSpec(16, 1, 0.2f);
        TrainResult whole;
        float[] wholeWeights;
        try (Classifier c = Classifier.create(spec, p.first().schema())) {
            whole = new ClassifierTrainer(cfg, null, null).train(c, p.first(), p.second());
            wholeWeights = weights(c);
        }
        Path checkpoints = dir.resolve("sgd");
        try (Classifier c = Classifier.create(spec, p.first().schema())) {
            assertThatThrownBy(() -> new ClassifierTrainer(cfg, killedAt(3, new ArrayList<>()), checkpoints).train(c, p.first(), p.second()))
                    .isInstanceOf(Interrupted.class);
        }
        try (Classifier c = Classifier.create(spec, p.first().schema())) {
            TrainResult resumed = new ClassifierTrainer(cfg, null, checkpoints).train(c, p.first(), p.second());
            assertThat(whole.stoppedEarly()).as("the run this compares with stops early").isTrue();
            assertThat(resumed.history()).extracting(EpochStats::trainLoss)
                    .containsExactlyElementsOf(whole.history().stream().map(EpochStats::trainLoss).toList());
            assertThat(resumed.history()).extracting(EpochStats::valAccuracy)
                    .containsExactlyElementsOf(whole.history().stream().map(EpochStats::valAccuracy).toList());
            assertThat(resumed.bestEpoch()).isEqualTo(whole.bestEpoch());
            assertThat(resumed.stoppedEarly()).isEqualTo(whole.stoppedEarly());
            assertThat(weights(c)).isEqualTo(wholeWeights);
        }
    }

    @Test
    void divergingLossStopsWithAClearError() {
        List<Example> ex = new ArrayList<>();
        for (Example e : TestData.blobs(20, 7).examples()) {
            float[] f = e.features();
            for (int j = 0; j < f.length; j++) {
                f[j] *= 1e4f;
            }
            ex.add(Example.dense(e.id(), f, e.label().orElseThrow(), ""));
        }
        Dataset d = Dataset.infer("large", ex, List.of(8L));
        TrainConfig explosive = new TrainConfig(20, 8, 1e3f, TrainConfig.Optimizer.SGD, TrainConfig.Schedule.CONSTANT, 0f, 0, 1);
        try (Classifier c = Classifier.create(new MlpSpec(16, 2, 0f), d.schema())) {
            assertThatThrownBy(() -> new ClassifierTrainer(explosive, null, null).train(c, d, null))
                    .isInstanceOf(TrainingDivergedException.class).hasMessageContaining("loss became")
                    .hasMessageContaining("lower --lr");
        }
    }

    @Test
    void unlabeledTrainingExampleIsRejectedByName() {
        Dataset d = TestData.blobs(3, 1);
        List<Example> ex = new ArrayList<>(d.examples());
        ex.add(Example.dense("orphan", new float[8], null, "file.jsonl"));
        Dataset withOrphan = d.subset("d", ex);
        try (Classifier c = Classifier.create(new MlpSpec(4, 1, 0f), d.schema())) {
            assertThatThrownBy(() -> new ClassifierTrainer(config(1, 1e-2f), null, null).train(c, withOrphan, null))
                    .hasMessageContaining("orphan").hasMessageContaining("needs a label");
        }
    }

    @Test
    void scheduleShapes() {
        TrainConfig cos = config(1, 1f);
        assertThat(cos.learningRateAt(0, 101)).isEqualTo(1f);
        assertThat(cos.learningRateAt(50, 101)).isCloseTo(0.5f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(cos.learningRateAt(100, 101)).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-6f));
        TrainConfig step = new TrainConfig(1, 1, 1f, TrainConfig.Optimizer.SGD, TrainConfig.Schedule.STEP, 0, 0, 1);
        assertThat(step.learningRateAt(60, 101)).isEqualTo(0.1f);
        assertThat(step.learningRateAt(80, 101)).isEqualTo(0.01f);
    }
}
