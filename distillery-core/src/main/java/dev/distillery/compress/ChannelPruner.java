package dev.distillery.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.ndarray.types.DataType;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Structured pruning of the CNN: removes whole convolution channels and hidden units and rebuilds
 * the network with smaller layers, so the pruned model does less work, not just holds zeros.
 *
 * <p>A channel's importance is its batch-norm scale |gamma| times the norm of the weights that read
 * it in the next layer (a channel the next layer ignores costs nothing to drop, whatever its own
 * scale); a hidden unit's is the norm of its input weights times the norm of its output weights.
 */
public final class ChannelPruner {
    private ChannelPruner() {}

    /** The channels kept in each convolution stage and the hidden units kept, as sorted indices. */
    public record Plan(List<int[]> channels, int[] hidden) {
        public List<Integer> channelCounts() {
            return channels.stream().map(c -> c.length).toList();
        }
    }

    /** The layers of a {@link CnnSpec} network, in order. */
    private record Layers(List<Conv2d> convs, List<BatchNorm> norms, Linear hidden, Linear output) {}

    private static Layers layers(Classifier model) {
        if (!(model.spec() instanceof CnnSpec cnn) || cnn.hiddenRank() != null) {
            throw new IllegalArgumentException("structured pruning works on cnn models without a factorized dense layer; "
                    + "this model is " + model.spec());
        }
        List<Conv2d> convs = new ArrayList<>();
        List<BatchNorm> norms = new ArrayList<>();
        List<Linear> linears = new ArrayList<>();
        for (Block child : model.block().getChildren().values()) {
            if (child instanceof Conv2d c) {
                convs.add(c);
            } else if (child instanceof BatchNorm b) {
                norms.add(b);
            } else if (child instanceof Linear l) {
                linears.add(l);
            }
        }
        return new Layers(convs, norms, linears.get(0), linears.get(1));
    }

    /** Chooses what to keep: {@code keep} of every stage's channels and of the hidden units (at least one each). */
    public static Plan plan(Classifier model, double keep) {
        if (!(keep > 0 && keep <= 1)) {
            throw new IllegalArgumentException("keep must be in (0, 1], got: " + keep);
        }
        Layers l = layers(model);
        CnnSpec spec = (CnnSpec) model.spec();
        List<int[]> kept = new ArrayList<>();
        int stages = l.convs().size();
        for (int s = 0; s < stages; s++) {
            float[] gamma = values(l.norms().get(s), "gamma");
            double[] downstream = s + 1 < stages
                    ? inputNorms(values(l.convs().get(s + 1), "weight"), shape(l.convs().get(s + 1), "weight"), gamma.length)
                    : flatInputNorms(values(l.hidden(), "weight"), spec.hidden(), gamma.length);
            double[] score = new double[gamma.length];
            for (int c = 0; c < score.length; c++) {
                score[c] = Math.abs(gamma[c]) * downstream[c];
            }
            kept.add(top(score, keep));
        }
        float[] w1 = values(l.hidden(), "weight");
        float[] w2 = values(l.output(), "weight");
        int hidden = spec.hidden();
        int inputs = w1.length / hidden;
        int classes = w2.length / hidden;
        double[] score = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            double in = 0;
            for (int i = 0; i < inputs; i++) {
                in += w1[j * inputs + i] * (double) w1[j * inputs + i];
            }
            double out = 0;
            for (int k = 0; k < classes; k++) {
                out += w2[k * hidden + j] * (double) w2[k * hidden + j];
            }
            score[j] = Math.sqrt(in) * Math.sqrt(out);
        }
        return new Plan(kept, top(score, keep));
    }

    /** A new, smaller classifier holding exactly the kept weights of {@code model}. */
    public static Classifier apply(Classifier model, Plan plan) {
        Layers from = layers(model);
        CnnSpec spec = ((CnnSpec) model.spec()).withLayerSizes(plan.channelCounts(), plan.hidden().length);
        Classifier pruned = Classifier.create(spec, model.schema());
        try {
            pruned.block().initialize(pruned.model().getNDManager(), DataType.FLOAT32, pruned.featurizer().inputShape(1));
            Layers to = layers(pruned);
            int[] previous = IntStream.range(0, model.schema().featureShape().get(0).intValue()).toArray();
            for (int s = 0; s < plan.channels().size(); s++) {
                int[] keep = plan.channels().get(s);
                long[] shape = shape(from.convs().get(s), "weight");
                copy(to.convs().get(s), "weight", sliceConv(values(from.convs().get(s), "weight"), shape, keep, previous));
                for (String name : List.of("gamma", "beta", "runningMean", "runningVar")) {
                    copy(to.norms().get(s), name, pick(values(from.norms().get(s), name), keep));
                }
                previous = keep;
            }
            int oldHidden = ((CnnSpec) model.spec()).hidden();
            float[] w1 = values(from.hidden(), "weight");
            int flatIn = w1.length / oldHidden;
            int spatial = flatIn / channelCount(model, plan.channels().size() - 1);
            int[] columns = flatColumns(previous, spatial);
            copy(to.hidden(), "weight", sliceMatrix(w1, flatIn, plan.hidden(), columns));
            copy(to.hidden(), "bias", pick(values(from.hidden(), "bias"), plan.hidden()));
            float[] w2 = values(from.output(), "weight");
            int classes = w2.length / oldHidden;
            copy(to.output(), "weight", sliceMatrix(w2, oldHidden, IntStream.range(0, classes).toArray(), plan.hidden()));
            copy(to.output(), "bias", values(from.output(), "bias"));
            return pruned;
        } catch (RuntimeException e) {
            pruned.close();
            throw e;
        }
    }

    /**
     * Sets to zero, in {@code model} itself, everything {@link #apply} would drop: the batch-norm scale and
     * shift of dropped channels (so they output exactly 0 after ReLU) and the weights and bias of dropped
     * hidden units. The result computes what the pruned network computes, at full size.
     */
    public static void zeroDropped(Classifier model, Plan plan) {
        Layers l = layers(model);
        for (int s = 0; s < plan.channels().size(); s++) {
            for (String name : List.of("gamma", "beta")) {
                float[] v = values(l.norms().get(s), name);
                zeroOutside(v, plan.channels().get(s), 1);
                copy(l.norms().get(s), name, v);
            }
        }
        int hidden = ((CnnSpec) model.spec()).hidden();
        float[] w1 = values(l.hidden(), "weight");
        zeroOutside(w1, plan.hidden(), w1.length / hidden);
        copy(l.hidden(), "weight", w1);
        float[] b1 = values(l.hidden(), "bias");
        zeroOutside(b1, plan.hidden(), 1);
        copy(l.hidden(), "bias", b1);
    }

    private static void zeroOutside(float[] v, int[] keep, int rowLength) {
        boolean[] kept = new boolean[v.length / rowLength];
        for (int k : keep) {
            kept[k] = true;
        }
        for (int r = 0; r < kept.length; r++) {
            if (!kept[r]) {
                Arrays.fill(v, r * rowLength, (r + 1) * rowLength, 0f);
            }
        }
    }

    private static int channelCount(Classifier model, int stage) {
        return ((CnnSpec) model.spec()).stageChannels().get(stage);
    }

    /** Indices of the {@code keep} share of highest scores, in ascending index order. */
    static int[] top(double[] score, double keep) {
        int count = Math.max(1, (int) Math.round(keep * score.length));
        return IntStream.range(0, score.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i))
                .limit(count).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** Per input channel, the L2 norm of a convolution's weights that read it. */
    private static double[] inputNorms(float[] w, long[] shape, int channels) {
        int out = (int) shape[0];
        int in = (int) shape[1];
        int k = (int) (shape[2] * shape[3]);
        double[] norms = new double[channels];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < k; j++) {
                    float x = w[(o * in + i) * k + j];
                    norms[i] += x * (double) x;
                }
            }
        }
        return Arrays.stream(norms).map(Math::sqrt).toArray();
    }

    /** Per channel of the last stage, the L2 norm of the dense layer's weights over that channel's flattened cells. */
    private static double[] flatInputNorms(float[] w, int rows, int channels) {
        int flat = w.length / rows;
        int spatial = flat / channels;
        double[] norms = new double[channels];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < flat; col++) {
                float x = w[r * flat + col];
                norms[col / spatial] += x * (double) x;
            }
        }
        return Arrays.stream(norms).map(Math::sqrt).toArray();
    }

    private static int[] flatColumns(int[] channels, int spatial) {
        int[] out = new int[channels.length * spatial];
        for (int i = 0; i < channels.length; i++) {
            for (int p = 0; p < spatial; p++) {
                out[i * spatial + p] = channels[i] * spatial + p;
            }
        }
        return out;
    }

    private static float[] sliceConv(float[] w, long[] shape, int[] outKeep, int[] inKeep) {
        int in = (int) shape[1];
        int k = (int) (shape[2] * shape[3]);
        float[] out = new float[outKeep.length * inKeep.length * k];
        int at = 0;
        for (int o : outKeep) {
            for (int i : inKeep) {
                System.arraycopy(w, (o * in + i) * k, out, at, k);
                at += k;
            }
        }
        return out;
    }

    private static float[] sliceMatrix(float[] w, int columns, int[] rows, int[] cols) {
        float[] out = new float[rows.length * cols.length];
        int at = 0;
        for (int r : rows) {
            for (int c : cols) {
                out[at++] = w[r * columns + c];
            }
        }
        return out;
    }

    private static float[] pick(float[] v, int[] keep) {
        float[] out = new float[keep.length];
        for (int i = 0; i < keep.length; i++) {
            out[i] = v[keep[i]];
        }
        return out;
    }

    private static Parameter parameter(Block block, String name) {
        Parameter p = block.getParameters().get(name);
        if (p == null) {
            throw new IllegalStateException(block.getClass().getSimpleName() + " has no parameter '" + name + "'");
        }
        return p;
    }

    private static float[] values(Block block, String name) {
        return parameter(block, name).getArray().toFloatArray();
    }

    private static long[] shape(Block block, String name) {
        return parameter(block, name).getArray().getShape().getShape();
    }

    private static void copy(Block block, String name, float[] values) {
        NDArray target = parameter(block, name).getArray();
        if (target.size() != values.length) {
            throw new IllegalStateException(name + ": expected " + target.size() + " values, got " + values.length);
        }
        target.set(values);
    }
}
