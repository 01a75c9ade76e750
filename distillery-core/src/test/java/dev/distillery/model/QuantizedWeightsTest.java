package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QuantizedWeightsTest {

    @Test
    void roundTripErrorIsAtMostHalfAStepOfEachRowsScale() {
        float[] values = {0.5f, -1.0f, 0.25f, 0.0f, 3f, -0.1f, 0.2f, 2.9f};
        for (int bits : new int[] {8, 4}) {
            QuantizedWeights.Rows q = QuantizedWeights.quantize(values, 2, 4, bits);
            byte[] codes = QuantizedWeights.unpack(QuantizedWeights.pack(q.codes(), bits), values.length, bits);
            float[] back = QuantizedWeights.dequantize(new QuantizedWeights.Rows(q.scales(), codes), 4);
            int levels = QuantizedWeights.levels(bits);
            for (int i = 0; i < values.length; i++) {
                float rowMax = i < 4 ? 1.0f : 3f;
                assertThat(back[i]).as("bits %d, value %d", bits, i).isCloseTo(values[i], within(rowMax / levels / 2 + 1e-6f));
            }
            assertThat(back[3]).isZero();
            assertThat(back[1]).isEqualTo(-1.0f); // the row's extreme maps exactly to the last level
        }
    }

    @Test
    void fourBitPackingKeepsNegativeCodes() {
        byte[] codes = {-7, 7, 0, -1, 3};
        assertThat(QuantizedWeights.unpack(QuantizedWeights.pack(codes, 4), codes.length, 4)).containsExactly(codes);
        assertThat(QuantizedWeights.pack(codes, 4)).hasSize(3);
    }
}
