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

    @Test
    void shiftedTrainingBatchesAreTheImageMovedByAtMostTheShiftWithZerosMovedIn() {
        int side = 5;
        float[] px = new float[side * side];
        for (int i = 0; i < px.length; i++) {
            px[i] = i + 1; // every pixel distinct and non-zero, so a view names the one move that made it
        }
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ex.add(Example.dense("e" + i, px, "a", ""));
        }
        Dataset d = Dataset.infer("d", ex, List.of(1L, (long) side, (long) side));
        for (boolean flip : new boolean[] {false, true}) {
            DenseFeaturizer f = new DenseFeaturizer(d.schema(), flip, 1);
            java.util.Set<String> moves = new java.util.HashSet<>();
            try (NDManager m = NDManager.newBaseManager()) {
                float[] train = f.batch(m, ex, true, new Random(3)).singletonOrThrow().toFloatArray();
                for (int i = 0; i < ex.size(); i++) {
                    float[] view = java.util.Arrays.copyOfRange(train, i * px.length, (i + 1) * px.length);
                    moves.add(moveThatMade(view, px, side, 1));
                }
                float[] infer = f.batch(m, ex, false, new Random(3)).singletonOrThrow().toFloatArray();
                assertThat(java.util.Arrays.copyOfRange(infer, 0, px.length)).containsExactly(px);
            }
            // Every one of the 9 offsets shows up in 200 draws, mirrored too when flipping, and nothing else does.
            assertThat(moves).hasSize(flip ? 18 : 9).doesNotContainNull();
            assertThat(moves.stream().anyMatch(s -> s.startsWith("mirror"))).isEqualTo(flip);
        }
    }

    /** Which mirror and offset within {@code r} turn {@code img} into {@code view} (zeros moved in), or null if none. */
    private static String moveThatMade(float[] view, float[] img, int side, int r) {
        for (boolean mirror : new boolean[] {false, true}) {
            for (int dy = -r; dy <= r; dy++) {
                for (int dx = -r; dx <= r; dx++) {
                    boolean same = true;
                    for (int y = 0; y < side && same; y++) {
                        for (int x = 0; x < side && same; x++) {
                            int sy = y - dy;
                            int sx = mirror ? side - 1 - (x - dx) : x - dx;
                            float want = sy >= 0 && sy < side && sx >= 0 && sx < side ? img[sy * side + sx] : 0f;
                            same = view[y * side + x] == want;
                        }
                    }
                    if (same) {
                        return (mirror ? "mirror " : "") + dy + "," + dx;
                    }
                }
            }
        }
        return null;
    }
}
