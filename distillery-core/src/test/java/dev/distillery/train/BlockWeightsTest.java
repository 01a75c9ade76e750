package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.model.Classifier;
import dev.distillery.model.MlpSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BlockWeightsTest {
    private static Classifier trained(Dataset data, long seed) {
        Classifier c = Classifier.create(new MlpSpec(8, 1, 0f), data.schema());
        new ClassifierTrainer(ClassifierTrainerTest.config(1, 1e-2f).withSeed(seed), null, null).train(c, data, null);
        return c;
    }

    private static byte[] written(Classifier c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BlockWeights.write(c.block(), bytes);
        return bytes.toByteArray();
    }

    @Test
    void weightsWrittenReadBackIntoAnotherModelOfTheSameLayout() throws IOException {
        Dataset data = TestData.blobs(20, 1);
        try (Classifier a = trained(data, 1); Classifier b = trained(data, 2)) {
            assertThat(ClassifierTrainerTest.weights(b)).isNotEqualTo(ClassifierTrainerTest.weights(a));
            BlockWeights.read(written(a), b.block());
            assertThat(ClassifierTrainerTest.weights(b)).isEqualTo(ClassifierTrainerTest.weights(a));
        }
    }

    @Test
    void aSnapshotKeepsTheWeightsItTookUntilTakenAgain() {
        Dataset data = TestData.blobs(20, 1);
        try (Classifier a = trained(data, 1); Classifier other = trained(data, 2);
                BlockWeights.Snapshot snapshot = new BlockWeights.Snapshot(a.model().getNDManager())) {
            assertThat(snapshot.isEmpty()).isTrue();
            float[] taken = ClassifierTrainerTest.weights(a);
            snapshot.take(a.block());
            BlockWeights.copy(other.block(), a.block()); // the block moves on
            assertThat(ClassifierTrainerTest.weights(a)).isNotEqualTo(taken);
            snapshot.restoreInto(a.block());
            assertThat(ClassifierTrainerTest.weights(a)).isEqualTo(taken);

            BlockWeights.copy(other.block(), a.block());
            snapshot.take(a.block());
            try (Classifier third = trained(data, 3)) {
                BlockWeights.copy(third.block(), a.block());
            }
            snapshot.restoreInto(a.block());
            assertThat(ClassifierTrainerTest.weights(a)).isEqualTo(ClassifierTrainerTest.weights(other));
        }
    }

    @Test
    void weightsOfAnotherLayoutAreRefusedNamingTheMismatch() throws IOException {
        Dataset data = TestData.blobs(20, 1);
        try (Classifier mlp = trained(data, 1); Classifier wider = Classifier.create(new MlpSpec(16, 1, 0f), data.schema())) {
            new ClassifierTrainer(ClassifierTrainerTest.config(1, 1e-2f), null, null).train(wider, data, null);
            assertThatThrownBy(() -> BlockWeights.read(written(mlp), wider.block()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the checkpoint's weights do not match the model")
                    .hasMessageContaining("expected float32");
            assertThatThrownBy(() -> BlockWeights.read(new byte[] {0, 0, 0, 2, 0, 0, 0, 1}, mlp.block()))
                    .hasMessageContaining("not weights of this format");
        }
    }
}
