package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DenseFeaturizerTest {
    @Test
    void trainingBatchesMirrorSomeImagesExactlyAndInferenceNone() {
        float[] px = new float[6];
        for (int i = 0; i < 6; i++) {
            px[i] = i; // rows [0 1 2] and [3 4 5]
        }
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ex.add(Example.dense("e" + i, px, "a", ""));
        }
        Dataset d = Dataset.infer("d", ex, List.of(1L, 2L, 3L));
        DenseFeaturizer f = new DenseFeaturizer(d.schema(), true);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] train = f.batch(m, ex, true, new Random(1)).singletonOrThrow().toFloatArray();
            int mirrored = 0;
            for (int i = 0; i < 40; i++) {
                float[] img = java.util.Arrays.copyOfRange(train, i * 6, i * 6 + 6);
                if (img[0] == 2f) {
                    assertThat(img).containsExactly(2, 1, 0, 5, 4, 3);
                    mirrored++;
                } else {
                    assertThat(img).containsExactly(px);
                }
            }
            assertThat(mirrored).isBetween(8, 32);
            float[] infer = f.batch(m, ex, false, new Random(1)).singletonOrThrow().toFloatArray();
            for (int i = 0; i < 40; i++) {
                assertThat(java.util.Arrays.copyOfRange(infer, i * 6, i * 6 + 6)).containsExactly(px);
            }
        }
    }
}
