package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.distillery.model.TensorStreams;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A network's weights for checkpoints and the best epoch: every parameter of the block (running statistics included),
 * by name in the block's order, streamed with {@link TensorStreams} and restored in place into a block of the same
 * layout. A {@link Snapshot} holds them in the engine's memory, so keeping the best epoch puts nothing on the Java heap.
 */
final class BlockWeights {
    /** Marks the format; weights files of an earlier format are refused with a clear error. */
    private static final int FORMAT = 0x44575431; // "DWT1"

    private BlockWeights() {}

    /** The weights of {@code block} onto {@code stream} (left open). */
    static void write(Block block, OutputStream stream) throws IOException {
        write(arrays(block), stream);
    }

    /** Restores {@code bytes}, written by {@link #write} for a block of the same layout, into {@code block}'s parameters. */
    static void read(byte[] bytes, Block block) {
        read(bytes, arrays(block), "weights");
    }

    /** Copies {@code from}'s weights into {@code to}, a block of the same layout, in place. */
    static void copy(Block from, Block to) {
        List<Pair<String, NDArray>> source = arrays(from);
        List<Pair<String, NDArray>> target = arrays(to);
        if (!names(source).equals(names(target))) {
            throw new IllegalArgumentException("the blocks differ: " + names(source) + " against " + names(target));
        }
        copyAll(source, target);
    }

    /**
     * One block's weights held apart from it, in the engine's memory (owned by a sub-manager): empty until first taken,
     * then taken again and restored in place, so keeping the best epoch allocates once per run.
     */
    static final class Snapshot implements AutoCloseable {
        private final NDManager manager;
        private List<Pair<String, NDArray>> arrays = List.of();

        Snapshot(NDManager parent) {
            this.manager = parent.newSubManager();
        }

        boolean isEmpty() {
            return arrays.isEmpty();
        }

        /** Takes {@code block}'s current weights. */
        void take(Block block) {
            List<Pair<String, NDArray>> current = arrays(block);
            allocateLike(current);
            copyAll(current, arrays);
        }

        /** Takes the weights in {@code bytes}, written by {@link BlockWeights#write} for {@code block}. */
        void read(byte[] bytes, Block block) {
            allocateLike(arrays(block));
            BlockWeights.read(bytes, arrays, "best weights");
        }

        /** Puts these weights back into {@code block}'s parameters. */
        void restoreInto(Block block) {
            copyAll(arrays, arrays(block));
        }

        private void allocateLike(List<Pair<String, NDArray>> like) {
            if (arrays.isEmpty()) {
                List<Pair<String, NDArray>> copies = new ArrayList<>();
                for (Pair<String, NDArray> p : like) {
                    copies.add(new Pair<>(p.getKey(), manager.zeros(p.getValue().getShape(), p.getValue().getDataType())));
                }
                arrays = copies;
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    private static List<Pair<String, NDArray>> arrays(Block block) {
        List<Pair<String, NDArray>> arrays = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            arrays.add(new Pair<>(p.getKey(), p.getValue().getArray()));
        }
        return arrays;
    }

    private static List<String> names(List<Pair<String, NDArray>> arrays) {
        return arrays.stream().map(Pair::getKey).toList();
    }

    private static void copyAll(List<Pair<String, NDArray>> from, List<Pair<String, NDArray>> to) {
        for (int i = 0; i < from.size(); i++) {
            TensorStreams.copy(from.get(i).getValue(), to.get(i).getValue());
        }
    }

    private static void write(List<Pair<String, NDArray>> arrays, OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.writeInt(FORMAT);
        out.writeInt(arrays.size());
        for (Pair<String, NDArray> p : arrays) {
            out.writeUTF(p.getKey());
            TensorStreams.write(p.getValue(), out);
        }
        out.flush();
    }

    private static void read(byte[] bytes, List<Pair<String, NDArray>> into, String what) {
        try {
            read(new DataInputStream(new ByteArrayInputStream(bytes)), into);
        } catch (IOException e) {
            throw new IllegalStateException("the checkpoint's " + what + " do not match the model: " + e.getMessage(), e);
        }
    }

    private static void read(DataInputStream in, List<Pair<String, NDArray>> into) throws IOException {
        if (in.readInt() != FORMAT) {
            throw new IOException("not weights of this format (written by an earlier version?)");
        }
        int n = in.readInt();
        if (n != into.size()) {
            throw new IOException(n + " parameters written, the model has " + into.size());
        }
        for (Pair<String, NDArray> p : into) {
            String name = in.readUTF();
            if (!name.equals(p.getKey())) {
                throw new IOException("parameter " + name + " written where the model has " + p.getKey());
            }
            TensorStreams.readInto(p.getValue(), in, "parameter " + name);
        }
    }
}
