package dev.distillery.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Tensors to and from streams, and from tensor to tensor, without a copy of their values on the Java heap: the values
 * pass between the stream and the tensor's own memory ({@link TensorMemory}) in chunks of 64 KB.
 *
 * <p>Why not DJL's {@code NDArray.encode}: it builds each tensor as a byte array (the engine's copy of its memory, a
 * buffer grown as it is written, and a final copy of that). Checkpointing the n-gram model's 16.8 MB table and its two
 * moments that way made about 200 MB of garbage an epoch (SpamAssassin, where an epoch's training steps make as much
 * again): the young generation filled twice as often, and collections that had to copy a live checkpoint or best-epoch
 * array took up to 100 ms, landing in the next epoch's steps of 6 ms each.
 *
 * <p>The format: the type's name, the shape, the byte order and the values' byte count, then the values as the tensor
 * holds them.
 */
public final class TensorStreams {
    private static final int CHUNK = 1 << 16;

    private TensorStreams() {}

    /** Writes {@code array}'s type, shape and values onto {@code out}. */
    public static void write(NDArray array, DataOutputStream out) throws IOException {
        out.writeUTF(array.getDataType().name());
        long[] dims = array.getShape().getShape();
        out.writeInt(dims.length);
        for (long d : dims) {
            out.writeLong(d);
        }
        ByteBuffer values = TensorMemory.bytes(array);
        out.writeBoolean(values.order() == ByteOrder.LITTLE_ENDIAN);
        out.writeLong(values.remaining());
        byte[] chunk = new byte[Math.min(CHUNK, values.remaining())];
        while (values.hasRemaining()) {
            int n = Math.min(chunk.length, values.remaining());
            values.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Reads what {@link #write} wrote into a new tensor of {@code manager}. */
    public static NDArray read(NDManager manager, DataInputStream in) throws IOException {
        Header header = Header.read(in);
        NDArray array = manager.zeros(header.shape(), header.type());
        try {
            readValues(header, array, in);
        } catch (IOException | RuntimeException e) {
            array.close();
            throw e;
        }
        return array;
    }

    /**
     * Reads what {@link #write} wrote into {@code target}, in place: its type and shape must be the written ones.
     *
     * @param what names the tensor in the error when they are not
     * @throws IOException when they are not, or the stream ends early
     */
    public static void readInto(NDArray target, DataInputStream in, String what) throws IOException {
        Header header = Header.read(in);
        if (header.type() != target.getDataType() || !header.shape().equals(target.getShape())) {
            throw new IOException(what + ": expected " + target.getDataType() + " " + target.getShape()
                    + ", found " + header.type() + " " + header.shape());
        }
        readValues(header, target, in);
    }

    /** Copies {@code source}'s values into {@code target}, in place; both have the same type and shape. */
    public static void copy(NDArray source, NDArray target) {
        if (source.getDataType() != target.getDataType() || !source.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("cannot copy a " + source.getDataType() + " " + source.getShape()
                    + " tensor into a " + target.getDataType() + " " + target.getShape() + " one");
        }
        ByteBuffer from = TensorMemory.bytes(source);
        ByteBuffer to = TensorMemory.bytes(target);
        if (to.isDirect()) {
            to.put(from);
        } else {
            // Never set() a direct buffer over the source's memory: the target would share, and outlive, that memory.
            ByteBuffer values = ByteBuffer.allocate(from.remaining()).order(ByteOrder.nativeOrder());
            values.put(from).flip();
            target.set(values);
        }
    }

    private static void readValues(Header header, NDArray target, DataInputStream in) throws IOException {
        ByteBuffer to = TensorMemory.bytes(target);
        if (header.byteCount() != to.remaining()) {
            throw new IOException("a " + header.type() + " " + header.shape() + " tensor holds " + to.remaining()
                    + " bytes, the stream says " + header.byteCount());
        }
        if ((ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) != header.littleEndian()) {
            throw new IOException("the tensor was written on a machine of the other byte order");
        }
        if (!to.isDirect()) { // the engine handed out a copy: fill a buffer, then give it to the tensor
            to = ByteBuffer.allocate(to.remaining()).order(ByteOrder.nativeOrder());
        }
        byte[] chunk = new byte[(int) Math.min(CHUNK, header.byteCount())];
        ByteBuffer values = to.duplicate();
        while (values.hasRemaining()) {
            int n = Math.min(chunk.length, values.remaining());
            in.readFully(chunk, 0, n);
            values.put(chunk, 0, n);
        }
        if (!to.isDirect()) {
            target.set(to);
        }
    }

    private record Header(DataType type, Shape shape, boolean littleEndian, long byteCount) {
        static Header read(DataInputStream in) throws IOException {
            String typeName = in.readUTF();
            DataType type;
            try {
                type = DataType.valueOf(typeName);
            } catch (IllegalArgumentException e) {
                throw new IOException("unknown tensor type '" + typeName + "'", e);
            }
            int rank = in.readInt();
            if (rank < 0 || rank > 32) {
                throw new IOException("a tensor of rank " + rank);
            }
            long[] dims = new long[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readLong();
            }
            if (Arrays.stream(dims).anyMatch(d -> d < 0)) {
                throw new IOException("a tensor of shape " + Arrays.toString(dims));
            }
            return new Header(type, new Shape(dims), in.readBoolean(), in.readLong());
        }
    }
}
