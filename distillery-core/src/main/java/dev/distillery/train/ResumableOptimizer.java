package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Pair;
import dev.distillery.model.RowParts;
import dev.distillery.model.RowSparseTable;
import dev.distillery.model.TensorMemory;
import dev.distillery.model.TensorStreams;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
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
    private static final int FORMAT = 3; // 3: tensors written by TensorStreams
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
    /** For tables updated by rows ({@link #updateRows}), by parameter id: each row's moments side by side. */
    private final Map<String, NDArray> rowMoments = new HashMap<>();
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
     * The same update for the rows {@code rows.ids()} of the table {@code rows.table()} alone: {@code rows.values()}
     * holds them as the step read them (updated here and written back) and {@code rows.gradients()} their gradients
     * (consumed: rescaled in place). Rows a step did not read keep their weights and moments (lazy Adam, as fastText and
     * TensorFlow's LazyAdam treat embeddings). The update runs in Java, on copies of the rows read from and written back
     * to the table's and the moments' own memory ({@link TensorMemory}): with about 19,000 rows of 32 floats a step,
     * scattered over a 16 MB table, the time goes to fetching rows from memory, not to the arithmetic, and the engine's
     * gather and scatter kernels fetched each row several times. For the same reason a row's moments sit side by side
     * (one tensor of rows [first | second]). It is the arithmetic of the engine's kernels in {@link #step}, term for term,
     * over the rows' {@link RowParts} on all the process's threads.
     */
    void updateRows(RowSparseTable.Rows rows) {
        String parameterId = rows.table().getId();
        NDArray table = rows.table().getArray();
        int width = Math.toIntExact(table.getShape().get(1));
        boolean adam = kind == TrainConfig.Optimizer.ADAM;
        int stride = adam ? 2 * width : width;
        NDArray moments = rowMoments.computeIfAbsent(parameterId,
                k -> table.getManager().zeros(new Shape(table.getShape().get(0), stride)));
        int t = count(parameterId);
        float lr = learningRate.getNewValue(parameterId, t);
        float weightDecay = getWeightDecay();
        float corrected = adam ? biasCorrected(lr, t) : 0f;
        int[] ids = rows.ids();
        float[] w = rows.values();
        float[] g = rows.gradients();
        int size = ids.length * width; // the arrays may be longer: buffers the table reuses between steps
        float[] m = scratch(0, size);
        float[] v = adam ? scratch(1, size) : null;
        FloatBuffer momentMemory = TensorMemory.floats(moments);
        FloatBuffer weightMemory = TensorMemory.floats(table);
        // Each part updates its own rows; every float's update is the same whichever part or thread does it.
        RowParts.run(RowParts.worthParallel(size), p -> {
            int from = RowParts.start(ids.length, p);
            int to = RowParts.start(ids.length, p + 1);
            FloatBuffer momentRows = momentMemory.duplicate();
            for (int i = from; i < to; i++) {
                momentRows.get(ids[i] * stride, m, i * width, width);
                if (adam) {
                    momentRows.get(ids[i] * stride + width, v, i * width, width);
                }
            }
            update(w, g, m, v, from * width, to * width, lr, weightDecay, corrected);
            FloatBuffer weightRows = weightMemory.duplicate();
            for (int i = from; i < to; i++) {
                weightRows.put(ids[i] * width, w, i * width, width);
                momentRows.put(ids[i] * stride, m, i * width, width);
                if (adam) {
                    momentRows.put(ids[i] * stride + width, v, i * width, width);
                }
            }
        });
    }

    /** Elements {@code from}..{@code to} of the rows' update: one pass per term, loops the JIT vectorizes. */
    private void update(float[] w, float[] g, float[] m, float[] v, int from, int to, float lr, float weightDecay,
            float corrected) {
        for (int i = from; i < to; i++) {
            g[i] *= rescaleGrad;
        }
        if (clipGrad >= 0) {
            for (int i = from; i < to; i++) {
                g[i] = Math.min(g[i], clipGrad);
            }
        }
        for (int i = from; i < to; i++) {
            g[i] += weightDecay * w[i];
        }
        if (v != null) {
            for (int i = from; i < to; i++) {
                m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
            }
            for (int i = from; i < to; i++) {
                v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
            }
            for (int i = from; i < to; i++) {
                w[i] -= corrected * m[i] / ((float) Math.sqrt(v[i]) + EPSILON);
            }
        } else {
            for (int i = from; i < to; i++) {
                m[i] = MOMENTUM * m[i] + g[i] * lr;
            }
            for (int i = from; i < to; i++) {
                w[i] -= m[i];
            }
        }
    }

    /** Scratch for the two moments of one step's rows, kept between steps (one training step runs at a time). */
    private final float[][] scratch = {new float[0], new float[0]};

    private float[] scratch(int which, int size) {
        if (scratch[which].length < size) {
            scratch[which] = new float[Math.max(size, scratch[which].length * 3 / 2)];
        }
        return scratch[which];
    }

    /** DJL's Optimizer.updateCount: a parameter's own count, and the largest count of any parameter is the step. */
    private int count(String parameterId) {
        int count = counts.merge(parameterId, 1, Integer::sum);
        updates = Math.max(updates, count);
        return updates;
    }

    /** Adam's step size at update {@code t}: the learning rate with both moments' bias correction folded in. */
    private float biasCorrected(float lr, int t) {
        float corrected = (float) (lr * Math.sqrt(1.0 - Math.pow(BETA2, t)) / (1.0 - Math.pow(BETA1, t)));
        if (!Float.isFinite(corrected) || !Float.isFinite(getWeightDecay())) {
            throw new IllegalStateException("learning rate or weight decay is nan or infinite");
        }
        return corrected;
    }

    /** One Adam (moments m, v) or SGD-with-momentum (buffer m; v null) update of {@code weight}, in place. */
    private void step(int t, String parameterId, NDArray weight, NDArray grad, NDArray m, NDArray v) {
        float lr = learningRate.getNewValue(parameterId, t);
        float weightDecay = getWeightDecay();
        if (kind == TrainConfig.Optimizer.ADAM) {
            float corrected = biasCorrected(lr, t);
            weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, m, v), new NDList(weight), lr, corrected,
                    weightDecay, rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
        } else {
            weight.getNDArrayInternal().sgdUpdate(new NDList(weight, grad, m), new NDList(weight), lr, weightDecay,
                    rescaleGrad, clipGrad, MOMENTUM, true);
        }
    }

    /** The state of every parameter of {@code block}, by name in block order, onto {@code stream} (left open). */
    void save(Block block, OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
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
            writeOptional(out, rowMoments.get(id));
        }
        out.flush();
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
                readOptional(in, manager, rowMoments, id);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint's optimizer state", e);
        }
    }

    private static void writeOptional(DataOutputStream out, NDArray array) throws IOException {
        out.writeBoolean(array != null);
        if (array != null) {
            TensorStreams.write(array, out);
        }
    }

    private static void readOptional(DataInputStream in, NDManager manager, Map<String, NDArray> into, String id)
            throws IOException {
        if (in.readBoolean()) {
            NDArray array = TensorStreams.read(manager, in);
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
