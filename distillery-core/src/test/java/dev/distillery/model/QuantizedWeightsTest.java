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
    void aTableQuantizedByColumnsRoundTripsAndVersionOneFilesStillRead() throws Exception {
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            // rows of two very different magnitudes: a scale per column keeps both columns' small values
            ColumnTable block = new ColumnTable();
            block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3));
            float[] values = {0.01f, 5f, -0.02f, -4f, 0.03f, 2f};
            block.getParameters().get(0).getValue().getArray().set(values);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            QuantizedWeights.write(block, new java.io.DataOutputStream(bytes), 8);
            block.getParameters().get(0).getValue().getArray().set(new float[6]);
            QuantizedWeights.read(block, new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), "t");
            float[] back = block.getParameters().get(0).getValue().getArray().toFloatArray();
            for (int i = 0; i < values.length; i++) {
                float columnMax = i % 2 == 0 ? 0.03f : 5f;
                assertThat(back[i]).as("value %d", i).isCloseTo(values[i], within(columnMax / 127 / 2 + 1e-6f));
            }

            // a version 1 file (every table by rows, as all were) reads as it did
            ai.djl.nn.core.Linear linear = ai.djl.nn.core.Linear.builder().setUnits(2).build();
            linear.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3));
            float[] weights = linear.getParameters().get("weight").getArray().toFloatArray();
            bytes.reset();
            QuantizedWeights.write(linear, new java.io.DataOutputStream(bytes), 8, 2);
            byte[] file = bytes.toByteArray();
            java.nio.ByteBuffer.wrap(file).putInt(4, 1); // the version, after the magic number: the rows-only layout
            linear.getParameters().get("weight").getArray().set(new float[6]);
            QuantizedWeights.read(linear, new java.io.DataInputStream(new java.io.ByteArrayInputStream(file)), "v1");
            assertThat(linear.getParameters().get("weight").getArray().toFloatArray())
                    .containsExactly(weights, org.assertj.core.data.Offset.offset(0.01f));
        }
    }

    @Test
    void aTableWhoseRowsAreMostlyZeroStoresOnlyTheOthers() throws Exception {
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            // a TF-IDF model's table: a row a hash bucket, most of them no training text's
            ai.djl.nn.core.Linear linear = ai.djl.nn.core.Linear.builder().setUnits(1000).optBias(false).build();
            linear.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 8));
            float[] weights = new float[8000];
            java.util.Random random = new java.util.Random(3);
            for (int row : new int[] {0, 17, 500, 999}) {
                for (int j = 0; j < 8; j++) {
                    weights[row * 8 + j] = (float) random.nextGaussian();
                }
            }
            linear.getParameters().get("weight").getArray().set(weights);
            java.io.ByteArrayOutputStream listed = new java.io.ByteArrayOutputStream();
            QuantizedWeights.write(linear, new java.io.DataOutputStream(listed), 8);
            java.io.ByteArrayOutputStream every = new java.io.ByteArrayOutputStream();
            QuantizedWeights.write(linear, new java.io.DataOutputStream(every), 8, 2);
            assertThat(listed.size()).isLessThan(every.size() / 10);
            for (byte[] file : new byte[][] {listed.toByteArray(), every.toByteArray()}) {
                linear.getParameters().get("weight").getArray().set(new float[8000]);
                QuantizedWeights.read(linear, new java.io.DataInputStream(new java.io.ByteArrayInputStream(file)), "t");
                float[] back = linear.getParameters().get("weight").getArray().toFloatArray();
                for (int i = 0; i < back.length; i++) {
                    assertThat(back[i]).as("value %d", i).isCloseTo(weights[i], within(0.05f));
                    if (weights[i] == 0f) {
                        assertThat(back[i]).isZero();
                    }
                }
            }
        }
    }

    /** A block holding one 3 x 2 table of type OTHER that it declares quantized by columns. */
    private static final class ColumnTable extends ai.djl.nn.AbstractBlock implements QuantizedWeights.Tables {
        private final ai.djl.nn.Parameter table = addParameter(ai.djl.nn.Parameter.builder().setName("table")
                .setType(ai.djl.nn.Parameter.Type.OTHER).optShape(new ai.djl.ndarray.types.Shape(3, 2))
                .optInitializer(new ai.djl.training.initializer.ConstantInitializer(0f)).build());

        @Override
        public java.util.Map<ai.djl.nn.Parameter, QuantizedWeights.Axis> quantizedTables() {
            return java.util.Map.of(table, QuantizedWeights.Axis.COLUMNS);
        }

        @Override
        protected ai.djl.ndarray.NDList forwardInternal(ai.djl.training.ParameterStore ps, ai.djl.ndarray.NDList inputs,
                boolean training, ai.djl.util.PairList<String, Object> params) {
            return inputs;
        }

        @Override
        public ai.djl.ndarray.types.Shape[] getOutputShapes(ai.djl.ndarray.types.Shape[] inputShapes) {
            return inputShapes;
        }
    }

    @Test
    void fourBitPackingKeepsNegativeCodes() {
        byte[] codes = {-7, 7, 0, -1, 3};
        assertThat(QuantizedWeights.unpack(QuantizedWeights.pack(codes, 4), codes.length, 4)).containsExactly(codes);
        assertThat(QuantizedWeights.pack(codes, 4)).hasSize(3);
    }
}
