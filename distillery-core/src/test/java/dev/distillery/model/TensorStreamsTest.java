package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TensorStreamsTest {
    private static byte[] written(NDArray... arrays) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (NDArray a : arrays) {
            TensorStreams.write(a, out);
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static DataInputStream in(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    @Test
    void tensorsOfEveryShapeReadBackAsWrittenOneAfterAnother() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            // More than one 64 KB chunk, a matrix, an int vector, a scalar and an empty tensor.
            float[] large = new float[70_000];
            for (int i = 0; i < large.length; i++) {
                large[i] = i * 0.25f - 3f;
            }
            NDArray[] arrays = {manager.create(large), manager.create(new float[] {1, -2, 3, 4.5f, 5, 6}, new Shape(2, 3)),
                    manager.create(new int[] {7, -8, 9}), manager.create(2.5f), manager.zeros(new Shape(0, 4))};
            DataInputStream in = in(written(arrays));
            for (NDArray expected : arrays) {
                NDArray read = TensorStreams.read(manager, in);
                assertThat(read.getDataType()).isEqualTo(expected.getDataType());
                assertThat(read.getShape()).isEqualTo(expected.getShape());
                assertThat(read.toByteBuffer().array()).isEqualTo(expected.toByteBuffer().array());
            }
            assertThat(in.read()).isEqualTo(-1); // nothing left over
        }
    }

    @Test
    void readIntoFillsTheTargetInPlaceAndRefusesAnotherShapeOrType() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray source = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            byte[] bytes = written(source);
            NDArray target = manager.zeros(new Shape(2, 3));
            NDArray sameMemory = target; // the parameter a trainer holds on to must be the one that changes
            TensorStreams.readInto(target, in(bytes), "t");
            assertThat(sameMemory.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);

            assertThatThrownBy(() -> TensorStreams.readInto(manager.zeros(new Shape(3, 2)), in(bytes), "the table"))
                    .isInstanceOf(IOException.class).hasMessageContaining("the table: expected float32 (3, 2), found float32 (2, 3)");
            assertThatThrownBy(() -> TensorStreams.readInto(manager.zeros(new Shape(2, 3), DataType.INT32), in(bytes), "t"))
                    .isInstanceOf(IOException.class).hasMessageContaining("expected int32");
            assertThatThrownBy(() -> TensorStreams.readInto(target, in(Arrays.copyOf(bytes, bytes.length - 1)), "t"))
                    .isInstanceOf(EOFException.class);
        }
    }

    @Test
    void copyWritesTheTargetsOwnMemory() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray source = manager.create(new float[] {1, 2, 3, 4});
            NDArray target = manager.zeros(new Shape(4));
            TensorStreams.copy(source, target);
            assertThat(target.toFloatArray()).containsExactly(1, 2, 3, 4);
            source.addi(1); // a copy, not a view
            assertThat(target.toFloatArray()).containsExactly(1, 2, 3, 4);
            assertThatThrownBy(() -> TensorStreams.copy(source, manager.zeros(new Shape(2, 2))))
                    .hasMessageContaining("cannot copy a float32 (4) tensor into a float32 (2, 2) one");
        }
    }
}
