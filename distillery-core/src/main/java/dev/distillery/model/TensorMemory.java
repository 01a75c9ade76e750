package dev.distillery.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The memory of a float32 CPU tensor as a Java buffer that reads and writes the tensor itself, not a copy. For work on
 * a few rows of a large tensor (the hashed n-gram table: a batch reads about 19,000 of its 131,072 rows) one bulk copy
 * per row costs less than the engine's gather and scatter kernels, each a native call with its own index tensor.
 *
 * <p>The view is valid only while the tensor lives: take it afresh for each use, never keep it.
 */
public final class TensorMemory {
    private TensorMemory() {}

    /** The tensor's floats, shared with the engine: a write here is a write to {@code array}. */
    public static FloatBuffer floats(NDArray array) {
        if (array.getDataType() != DataType.FLOAT32 || !Device.Type.CPU.equals(array.getDevice().getDeviceType())) {
            throw new IllegalArgumentException("expected a float32 CPU tensor, got " + array.getDataType() + " on "
                    + array.getDevice());
        }
        // The tables and optimizer moments passed here are dense and contiguous (created so by this code).
        ByteBuffer bytes = bytes(array);
        if (!bytes.isDirect()) {
            throw new IllegalStateException("the engine did not share this tensor's memory");
        }
        return bytes.asFloatBuffer();
    }

    /**
     * The tensor's bytes in native order. PyTorch's engine hands out the tensor's own storage (a direct buffer, which
     * reads and writes the tensor) when the tensor is dense and contiguous on the CPU; otherwise a direct buffer over a
     * contiguous copy (DJL 0.36's {@code JniUtils.getByteBuffer}), which reads right but does not write through. The
     * tensors written through here (the n-gram tables, their optimizer moments, parameters read from a stream) are
     * created dense and contiguous.
     */
    public static ByteBuffer bytes(NDArray array) {
        return array.toByteBuffer(true).order(ByteOrder.nativeOrder());
    }
}
