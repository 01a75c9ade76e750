package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConditionalVaeTest {
    @Test
    void negativeElboMatchesAHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 0f}, new ai.djl.ndarray.types.Shape(1, 2));
            NDArray logits = m.create(new float[] {0f, 2f}, new ai.djl.ndarray.types.Shape(1, 2));
            NDArray mu = m.create(new float[] {1f}, new ai.djl.ndarray.types.Shape(1, 1));
            NDArray logVar = m.create(new float[] {0f}, new ai.djl.ndarray.types.Shape(1, 1));
            // Pixel 1: x=1, p=sigmoid(0)=0.5 -> log 2. Pixel 2: x=0, p=sigmoid(2) -> -log(1 - p) = log(1 + e^2).
            // KL(N(1, 1) || N(0, 1)) = 0.5 * mu^2 = 0.5.
            double expected = Math.log(2) + Math.log(1 + Math.exp(2)) + 0.5;
            assertThat(ConditionalVae.negativeElbo(x, logits, mu, logVar).getFloat()).isCloseTo((float) expected, within(1e-5f));
        }
    }

    @Test
    void negativeElboGivesTheSameGradientWhenTheGarbageCollectorRunsBeforeTheBackwardPass() {
        // The KL term is scaled by -0.5; a scalar autograd keeps must outlive the backward pass (see Scalars).
        java.util.function.Function<NDArray, NDArray> loss = muAndLogVar -> {
            NDManager m = muAndLogVar.getManager();
            NDArray x = m.create(new float[] {1f, 0f, 0f, 1f}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray logits = m.create(new float[] {0f, 2f, -1f, 1f}, new ai.djl.ndarray.types.Shape(2, 2));
            return ConditionalVae.negativeElbo(x, logits, muAndLogVar.get(":, 0:1"), muAndLogVar.get(":, 1:2"));
        };
        dev.distillery.model.GarbageCollection.assertSameGradient(loss, new float[] {1f, 0.5f, -0.3f, -1f},
                new ai.djl.ndarray.types.Shape(2, 2));
    }

    /** Class 0 lights the left half of a 4x4 image, class 1 the right half; samples must follow the class asked for. */
    @Test
    void samplesFollowTheRequestedClass() {
        Random rng = new Random(3);
        List<float[]> images = new ArrayList<>();
        int[] labels = new int[200];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
            float[] img = new float[16];
            for (int p = 0; p < 16; p++) {
                boolean lit = (p % 4 < 2) == (labels[i] == 0);
                img[p] = lit ? 0.8f + 0.2f * rng.nextFloat() : 0.2f * rng.nextFloat();
            }
            images.add(img);
        }
        ConditionalVae.Settings settings = new ConditionalVae.Settings(32, 2, 400, 32, 1e-2f);
        try (ConditionalVae vae = ConditionalVae.fit(images, labels, 2, settings, 7)) {
            int[] wanted = new int[40];
            for (int i = 0; i < wanted.length; i++) {
                wanted[i] = i < 20 ? 0 : 1;
            }
            List<float[]> samples = vae.sample(wanted, new Random(5));
            assertThat(samples).hasSize(40).allSatisfy(s -> assertThat(s).hasSize(16));
            for (int i = 0; i < samples.size(); i++) {
                double left = 0;
                double right = 0;
                for (int p = 0; p < 16; p++) {
                    if (p % 4 < 2) {
                        left += samples.get(i)[p];
                    } else {
                        right += samples.get(i)[p];
                    }
                }
                assertThat(wanted[i] == 0 ? left - right : right - left).as("sample %d of class %d", i, wanted[i]).isGreaterThan(2.0);
            }
            assertThat(vae.sample(wanted, new Random(5)).get(3)).as("a seeded draw repeats").containsExactly(samples.get(3));
        }
    }

    @Test
    void rejectsMismatchedInput() {
        ConditionalVae.Settings s = new ConditionalVae.Settings(8, 2, 1, 4, 1e-3f);
        assertThatThrownBy(() -> ConditionalVae.fit(List.of(new float[4], new float[3]), new int[] {0, 1}, 2, s, 1))
                .hasMessageContaining("image 1 has 3 values, expected 4");
        assertThatThrownBy(() -> ConditionalVae.fit(List.of(new float[4]), new int[] {5}, 2, s, 1)).hasMessageContaining("outside 0..1");
    }
}
