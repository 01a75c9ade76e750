package dev.distillery.export;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParityTest {
    @Test
    void aLogitMayMoveInProportionToItsExamplesLargestLogit() {
        // near zero only the absolute part: 1e-4
        assertThat(Parity.toleranceUsed(new float[] {0.5f, 0.00005f}, new double[] {0.5, 0})).isLessThan(1.0);
        assertThat(Parity.toleranceUsed(new float[] {0.5f, 0.01f}, new double[] {0.5, 0})).isGreaterThan(1.0);
        // an example whose largest logit is 1e6 lets each of its logits move by 1e-4 + 10
        assertThat(Parity.toleranceUsed(new float[] {1_000_001f, 5f}, new double[] {1e6, 0})).isLessThan(1.0);
        assertThat(Parity.toleranceUsed(new float[] {1_000_020f, 0f}, new double[] {1e6, 0})).isGreaterThan(1.0);
        assertThat(Parity.toleranceUsed(new float[] {1f, 0f}, new double[] {1, 0})).isZero();
    }

    @Test
    void notANumberOnEitherSideNeverPasses() {
        assertThat(Parity.toleranceUsed(new float[] {Float.NaN, 0f}, new double[] {1, 0})).isInfinite();
        assertThat(Parity.toleranceUsed(new float[] {1f, 0f}, new double[] {Double.NaN, 0})).isInfinite();
        assertThat(new Parity(1, Double.NaN, Double.POSITIVE_INFINITY, 1.0).passes()).isFalse();
    }
}
