package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class TensorMemoryTest {
    @Test
    void writesThroughTheBufferReachTheTensorAndTheTensorsWritesReachTheBuffer() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray table = manager.zeros(new Shape(4, 3));
            FloatBuffer memory = TensorMemory.floats(table);
            memory.put(5, 7f);
            assertThat(table.toFloatArray()).containsExactly(0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0);
            table.addi(1); // in place, by the engine
            assertThat(memory.get(5)).isEqualTo(8f);
            assertThat(memory.get(0)).isEqualTo(1f);
        }
    }

    @Test
    void refusesWhatIsNotAFloatTensor() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ints = manager.zeros(new Shape(2), DataType.INT32);
            assertThatThrownBy(() -> TensorMemory.floats(ints)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected a float32 CPU tensor");
        }
    }
}
