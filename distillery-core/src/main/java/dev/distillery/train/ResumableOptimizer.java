package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam, or SGD with momentum 0.9, doing exactly DJL's update (the same native kernels and arguments as
 * {@code ai.djl.training.optimizer.Adam} and {@code Sgd}) but holding its state where a checkpoint can reach it:
 * DJL keeps the moment estimates in private maps keyed by parameter ids that are random per process, so a resumed
 * run would restart them from zero. Here they are saved by parameter name, in the block's order, with the update
 * count that drives Adam's bias correction.
 */
final class ResumableOptimizer extends Optimizer {
    private static final int FORMAT = 1;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;
    private static final float MOMENTUM = 0.9f;

    private final TrainConfig.Optimizer kind;
    private final ParameterTracker learningRate;
    /** Adam's first moments, or SGD's momentum buffers, by parameter id. */
    private final Map<String, NDArray> first = new HashMap<>();
    /** Adam's second moments by parameter id. */
    private final Map<String, NDArray> second = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private int updates;

    ResumableOptimizer(TrainConfig config, ParameterTracker learningRate) {
        super(new Builder().optWeightDecays(config.weightDecay()));
        this.kind = config.optimizer();
        this.learningRate = learningRate;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        NDArray m = first.computeIfAbsent(parameterId, k -> weight.zerosLike());
        NDArray v = kind == TrainConfig.Optimizer.ADAM ? second.computeIfAbsent(parameterId, k -> weight.zerosLike()) : null;
        step(count(parameterId), parameterId, weight, grad, m, v);
    }

    /**
     * The same update for the rows {@code ids} of {@code table} alone: {@code read} is those rows as the step read
     * them (a copy, updated here in place) and {@code gradient} theirs; their moments are gathered, updated by the same
     * kernel and all three written back. Rows a step did not read keep their weights and moments (lazy Adam, as
     * fastText and TensorFlow's LazyAdam treat embeddings).
     */
    void updateRows(String parameterId, NDArray table, NDArray ids, NDArray read, NDArray gradient) {
        NDIndex at = new NDIndex("{}", ids);
        NDArray allFirst = first.computeIfAbsent(parameterId, k -> table.zerosLike());
        NDArray allSecond = kind == TrainConfig.Optimizer.ADAM ? second.computeIfAbsent(parameterId, k -> table.zerosLike()) : null;
        try (NDManager rows = ids.getManager().newSubManager()) {
            NDArray weight = read.stopGradient(); // the same memory, outside autograd, so the kernel may write it
            weight.attach(rows);
            NDArray m = rowsOf(allFirst, ids, rows);
            NDArray v = allSecond == null ? null : rowsOf(allSecond, ids, rows);
            step(count(parameterId), parameterId, weight, gradient, m, v);
            table.set(at, weight);
            allFirst.set(at, m);
            if (v != null) {
                allSecond.set(at, v);
            }
        }
    }

    /** A copy of rows {@code ids} of {@code table} in {@code into}: an embedding lookup, 3-4x faster than indexing. */
    private static NDArray rowsOf(NDArray table, NDArray ids, NDManager into) {
        NDArray rows = Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        rows.attach(into);
        return rows;
    }

    /** DJL's Optimizer.updateCount: a parameter's own count, and the largest count of any parameter is the step. */
    private int count(String parameterId) {
        int count = counts.merge(parameterId, 1, Integer::sum);
        updates = Math.max(updates, count);
        return updates;
    }

    /** One Adam (moments m, v) or SGD-with-momentum (buffer m; v null) update of {@code weight}, in place. */
    private void step(int t, String parameterId, NDArray weight, NDArray grad, NDArray m, NDArray v) {
        float lr = learningRate.getNewValue(parameterId, t);
        float weightDecay = getWeightDecay();
        if (kind == TrainConfig.Optimizer.ADAM) {
            float corrected = (float) (lr * Math.sqrt(1.0 - Math.pow(BETA2, t)) / (1.0 - Math.pow(BETA1, t)));
            if (!Float.isFinite(corrected) || !Float.isFinite(weightDecay)) {
                throw new IllegalStateException("learning rate or weight decay is nan or infinite");
            }
            weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, m, v), new NDList(weight), lr, corrected,
                    weightDecay, rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
        } else {
            weight.getNDArrayInternal().sgdUpdate(new NDList(weight, grad, m), new NDList(weight), lr, weightDecay,
                    rescaleGrad, clipGrad, MOMENTUM, true);
        }
    }

    /** The state of every parameter of {@code block}, by name in block order. */
    byte[] save(Block block) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(FORMAT);
                out.writeUTF(kind.name());
                out.writeInt(updates);
                out.writeInt(block.getParameters().size());
                for (Pair<String, Parameter> p : block.getParameters()) {
                    String id = p.getValue().getId();
                    out.writeUTF(p.getKey());
                    out.writeInt(counts.getOrDefault(id, 0));
                    writeOptional(out, first.get(id));
                    writeOptional(out, second.get(id));
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restores what {@link #save} wrote for a block of the same layout; arrays are created in {@code manager}. */
    void load(byte[] state, Block block, NDManager manager) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (in.readInt() != FORMAT || !in.readUTF().equals(kind.name())) {
                throw new IllegalStateException("the checkpoint's optimizer state is not " + kind + " state of this format");
            }
            updates = in.readInt();
            int n = in.readInt();
            if (n != block.getParameters().size()) {
                throw new IllegalStateException("the checkpoint's optimizer state has " + n + " parameters, the model "
                        + block.getParameters().size());
            }
            for (Pair<String, Parameter> p : block.getParameters()) {
                String name = in.readUTF();
                if (!name.equals(p.getKey())) {
                    throw new IllegalStateException("the checkpoint's optimizer state names parameter " + name + " where the model has "
                            + p.getKey());
                }
                String id = p.getValue().getId();
                int count = in.readInt();
                if (count > 0) {
                    counts.put(id, count);
                }
                readOptional(in, manager, first, id);
                readOptional(in, manager, second, id);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint's optimizer state", e);
        }
    }

    private static void writeOptional(DataOutputStream out, NDArray array) throws IOException {
        out.writeBoolean(array != null);
        if (array != null) {
            byte[] encoded = array.encode();
            out.writeInt(encoded.length);
            out.write(encoded);
        }
    }

    private static void readOptional(DataInputStream in, NDManager manager, Map<String, NDArray> into, String id)
            throws IOException {
        if (in.readBoolean()) {
            byte[] encoded = new byte[in.readInt()];
            in.readFully(encoded);
            NDArray array = manager.decode(encoded);
            NDArray previous = into.put(id, array);
            if (previous != null) {
                previous.close();
            }
        }
    }

    /** DJL's builder, for the settings every optimizer shares (weight decay). */
    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
