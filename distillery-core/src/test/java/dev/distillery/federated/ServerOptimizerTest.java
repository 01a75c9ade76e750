package dev.distillery.federated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ServerOptimizerTest {
    @Test
    void averagingAtRateOneIsFedAvgAndTheMeanUpdateIsNotModified() {
        float[] update = {0.5f, -2f, 0f};
        float[] step = new ServerOptimizer("avg", 1.0).step(update);
        assertThat(step).containsExactly(0.5f, -2f, 0f);
        assertThat(new ServerOptimizer("avg", 0.5).step(update)).containsExactly(0.25f, -1f, 0f);
        assertThat(update).containsExactly(0.5f, -2f, 0f);
    }

    @Test
    void momentumAccumulatesPastUpdates() {
        ServerOptimizer m = new ServerOptimizer("momentum", 1.0);
        assertThat(m.step(new float[] {1f})[0]).isEqualTo(1f);
        assertThat(m.step(new float[] {1f})[0]).isCloseTo(1.9f, within(1e-6f));
        assertThat(m.step(new float[] {0f})[0]).isCloseTo(1.71f, within(1e-6f));
    }

    @Test
    void adamMovesEveryCoordinateBySimilarAmountsWhateverTheUpdatesScaleAndDampsOscillation() {
        ServerOptimizer adam = new ServerOptimizer("adam", 0.01);
        // first step: m = 0.1 g, sqrt(v) = 0.1 |g|, so each coordinate moves by about lr, large or small update alike
        float[] first = adam.step(new float[] {10f, 0.1f, -0.5f});
        assertThat(first[0]).isCloseTo(0.01f, within(1e-5f));
        assertThat(first[1]).isCloseTo(0.01f * 0.01f / (0.01f + 1e-3f), within(1e-5f));
        assertThat(first[2]).isCloseTo(-0.01f * 0.05f / (0.05f + 1e-3f), within(1e-5f));
        // a coordinate the clients fight over (update flips sign each round) moves less and less; a consistent one keeps moving
        ServerOptimizer b = new ServerOptimizer("adam", 0.01);
        float flip = 0;
        float steady = 0;
        for (int r = 0; r < 20; r++) {
            float[] s = b.step(new float[] {r % 2 == 0 ? 1f : -1f, 0.2f});
            flip += s[0];
            steady += s[1];
        }
        assertThat(Math.abs(flip)).isLessThan(0.05f);
        assertThat(steady).isGreaterThan(0.15f);
    }

    @Test
    void unknownKindsAndBadRatesAreRefused() {
        assertThatThrownBy(() -> new ServerOptimizer("yogi", 0.01)).hasMessageContaining("avg, momentum or adam");
        assertThatThrownBy(() -> new ServerOptimizer("adam", 0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new ServerOptimizer("adam", Double.NaN)).hasMessageContaining("positive");
    }
}
