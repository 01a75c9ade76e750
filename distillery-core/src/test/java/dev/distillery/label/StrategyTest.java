package dev.distillery.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each strategy on a pool where the right pick is known by construction. */
class StrategyTest {
    // Row 0: confident. Row 1: top class only 0.4 but a clear runner-up gap. Row 2: two classes tied (margin 0).
    // Row 3: spread evenly over all three (highest entropy, lowest top probability).
    static final float[][] PROBS = {
        {0.98f, 0.01f, 0.01f},
        {0.40f, 0.05f, 0.55f},
        {0.45f, 0.45f, 0.10f},
        {0.34f, 0.33f, 0.33f},
    };

    @Test
    void leastConfidencePicksTheLowestTopProbability() {
        assertThat(Strategy.LEAST_CONFIDENCE.select(PROBS, null, null, 1, new Random(1))).containsExactly(3);
    }

    @Test
    void marginPicksTheClosestTopTwo() {
        assertThat(Strategy.MARGIN.select(PROBS, null, null, 1, new Random(1))).containsExactly(2);
        assertThat(Strategy.MARGIN.select(PROBS, null, null, 2, new Random(1))).containsExactly(2, 3);
    }

    @Test
    void entropyPicksTheMostEvenSpread() {
        assertThat(Strategy.ENTROPY.select(PROBS, null, null, 1, new Random(1))).containsExactly(3);
        assertThat(Strategy.ENTROPY.select(PROBS, null, null, 4, new Random(1))).containsExactly(0, 1, 2, 3);
    }

    @Test
    void kCenterPicksWhatIsFarthestFromEverythingLabeledThenCoversTheRest() {
        float[][] pool = {{0.1f, 0}, {0.2f, 0}, {10, 10}, {5, 0}, {10, 9.5f}};
        float[][] labeled = {{0, 0}};
        // (10, 10) is farthest from the labeled origin; then (5, 0) is farthest from both (10, 9.5 is next to 10, 10).
        assertThat(Strategy.KCENTER.select(new float[5][], pool, labeled, 1, new Random(1))).containsExactly(2);
        assertThat(Strategy.KCENTER.select(new float[5][], pool, labeled, 2, new Random(1))).containsExactly(2, 3);
    }

    @Test
    void diverseMarginSpreadsABatchOverTheUncertainGroupsWherePlainMarginTakesOneGroup() {
        // 30 pool examples: 0-9 nearly tied (margin 0.02) and alike (one point in embedding space); 10-19 a little less
        // uncertain (margin 0.1) and spread over a second, far place; 20-29 confident. With n = 2 plain margin takes two
        // near-copies from the first group; diverse margin keeps the 20 most uncertain (beta 10) and takes one of each.
        float[][] probs = new float[30][];
        float[][] emb = new float[30][];
        for (int i = 0; i < 30; i++) {
            probs[i] = i < 10 ? new float[] {0.49f, 0.47f, 0.04f} : i < 20 ? new float[] {0.5f, 0.4f, 0.1f}
                    : new float[] {0.9f, 0.05f, 0.05f};
            emb[i] = i < 10 ? new float[] {0, 0.001f * i} : i < 20 ? new float[] {100, 0.001f * i} : new float[] {50, 50};
        }
        assertThat(Strategy.MARGIN.select(probs, null, null, 2, new Random(1))).containsExactly(0, 1);
        for (long seed = 1; seed <= 5; seed++) {
            int[] picked = Strategy.DIVERSE_MARGIN.select(probs, emb, new float[0][], 2, new Random(seed));
            assertThat(picked).hasSize(2);
            assertThat(picked[0]).isBetween(0, 9);
            assertThat(picked[1]).isBetween(10, 19);
        }
        assertThat(Strategy.DIVERSE_MARGIN.needsEmbeddings()).isTrue();
        assertThat(Strategy.DIVERSE_MARGIN.needsProbabilities()).isTrue();
        assertThat(Strategy.DIVERSE_MARGIN.needsLabeledEmbeddings()).isFalse();
        assertThat(Strategy.KCENTER.needsLabeledEmbeddings()).isTrue();
        assertThat(Strategy.parse("diverse-margin")).isEqualTo(Strategy.DIVERSE_MARGIN);
    }

    @Test
    void randomPicksDistinctPositionsReproducibly() {
        int[] a = Strategy.RANDOM.select(new float[100][], null, null, 10, new Random(5));
        int[] b = Strategy.RANDOM.select(new float[100][], null, null, 10, new Random(5));
        assertThat(a).hasSize(10).doesNotHaveDuplicates().isEqualTo(b);
    }

    @Test
    void unknownStrategyNamesTheChoices() {
        assertThatThrownBy(() -> Strategy.parse("bald")).hasMessageContaining("least-confidence, margin, entropy, kcenter or diverse-margin");
        assertThat(Strategy.parse("least-confidence")).isEqualTo(Strategy.LEAST_CONFIDENCE);
    }
}
