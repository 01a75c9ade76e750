package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.NgramBagSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same numbers: each model family trained three times with the same seed, on the two threads the build
 * runs PyTorch with, gives bit-identical loss sequences (every batch's loss, not just the epoch means) and weights.
 * A data race anywhere in the training path shows here as a difference, also where it does not end in NaN.
 */
class DeterminismTest {

    @BeforeAll
    static void runsWithTwoThreads() {
        // Determinism with one thread proves little: the races this guards against need two.
        assertThat(System.getProperty("ai.djl.pytorch.num_threads")).isEqualTo("2");
    }

    private static TrainConfig config(int epochs, float lr) {
        return new TrainConfig(epochs, 16, lr, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 11);
    }

    /** Every batch loss of three runs, plus each run's final weights. */
    private static void assertSameNumbersThreeTimes(ModelSpec spec, Dataset data, TrainConfig config) {
        List<List<Double>> losses = new ArrayList<>();
        List<float[]> weights = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            List<Double> batchLosses = new ArrayList<>();
            TrainListener record = new TrainListener() {
                @Override
                public void onBatch(int epoch, int batch, double loss, double accuracy) {
                    batchLosses.add(loss);
                }
            };
            try (Classifier c = Classifier.create(spec, data.schema())) {
                new ClassifierTrainer(config, record, null).train(c, data, null);
                weights.add(ClassifierTrainerTest.weights(c));
            }
            losses.add(batchLosses);
        }
        assertThat(losses.get(0)).as("batch losses of %s", spec).isNotEmpty().allSatisfy(l -> assertThat(l).isFinite());
        assertThat(losses.get(1)).as("run 2 of %s", spec).isEqualTo(losses.get(0));
        assertThat(losses.get(2)).as("run 3 of %s", spec).isEqualTo(losses.get(0));
        assertThat(weights.get(1)).as("weights of run 2 of %s", spec).isEqualTo(weights.get(0));
        assertThat(weights.get(2)).as("weights of run 3 of %s", spec).isEqualTo(weights.get(0));
    }

    @Test
    void cnnWithChannelCountsOneDnnPadsGivesTheSameNumbers() {
        // 4 and 8 channels: the case that diverged to NaN with two threads before the fix (ClassifierTrainerTest's CNN).
        assertSameNumbersThreeTimes(new CnnSpec(4, 2, 16, 0.2f, true), TestData.bars(80, 2), config(6, 1e-2f));
    }

    @Test
    void cnnWithTheDefaultChannelBlocksGivesTheSameNumbers() {
        // 16 and 32 channels: run by oneDNN.
        assertSameNumbersThreeTimes(new CnnSpec(16, 2, 32, 0.3f, true), TestData.bars(60, 3), config(3, 1e-2f));
    }

    @Test
    void mlpGivesTheSameNumbers() {
        assertSameNumbersThreeTimes(new MlpSpec(32, 2, 0.2f), TestData.blobs(80, 4), config(6, 1e-2f));
    }

    @Test
    void ngramBagGivesTheSameNumbers() {
        assertSameNumbersThreeTimes(new NgramBagSpec(16, 4096, 2, 200), TestData.texts(80, 5), config(6, 2e-2f));
    }

    @Test
    void ngramBagWithTheRowWorkSplitOverThreadsGivesTheSameNumbers() {
        // Batches of 128 texts of 25 ids into rows of 96 floats: enough work that the rows' passes run in parallel.
        TrainConfig config = new TrainConfig(2, 128, 2e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 11);
        assertSameNumbersThreeTimes(new NgramBagSpec(96, 4096, 2, 200), TestData.texts(512, 5), config);
    }
}
