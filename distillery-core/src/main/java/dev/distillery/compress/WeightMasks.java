package dev.distillery.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Binary masks over a network's prunable weights (the weight tensors of convolutions, dense layers
 * and embeddings; never biases or batch-norm parameters), chosen by global magnitude: the
 * smallest-magnitude weights across all layers are zeroed together, so layers with more redundant
 * weights lose more of them.
 */
public final class WeightMasks implements AutoCloseable {
    private final List<Parameter> parameters;
    private final List<NDArray> masks;

    private WeightMasks(List<Parameter> parameters, List<NDArray> masks) {
        this.parameters = parameters;
        this.masks = masks;
    }

    /** The parameters magnitude pruning may zero: weight tensors of two or more dimensions. */
    public static List<Parameter> prunable(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            if (param.getType() == Parameter.Type.WEIGHT && param.getArray().getShape().dimension() >= 2) {
                out.add(param);
            }
        }
        return out;
    }

    /**
     * Masks that zero the {@code sparsity} share of {@code block}'s prunable weights with the smallest
     * magnitude. Ties at the threshold are broken by keeping, so the share zeroed is at most the target.
     */
    public static WeightMasks magnitude(Block block, double sparsity, NDManager manager) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got: " + sparsity);
        }
        List<Parameter> params = prunable(block);
        if (params.isEmpty()) {
            throw new IllegalArgumentException("the network has no prunable weight tensors");
        }
        List<float[]> values = new ArrayList<>();
        long total = 0;
        for (Parameter p : params) {
            float[] v = p.getArray().toFloatArray();
            values.add(v);
            total += v.length;
        }
        float[] all = new float[Math.toIntExact(total)];
        int at = 0;
        for (float[] v : values) {
            for (float x : v) {
                all[at++] = Math.abs(x);
            }
        }
        Arrays.sort(all);
        int cut = (int) Math.floor(sparsity * all.length);
        // Weights strictly below the cut's magnitude go; with cut 0 nothing does.
        float threshold = cut == 0 ? Float.NEGATIVE_INFINITY : all[cut - 1];
        List<NDArray> masks = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            float[] v = values.get(i);
            float[] m = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                m[j] = Math.abs(v[j]) > threshold ? 1f : 0f;
            }
            masks.add(manager.create(m, params.get(i).getArray().getShape()));
        }
        return new WeightMasks(params, masks);
    }

    /** Zeroes the masked weights in place, outside autograd, so it can run between optimizer steps. */
    public void apply() {
        for (int i = 0; i < parameters.size(); i++) {
            try (NDArray weights = parameters.get(i).getArray().stopGradient()) {
                weights.muli(masks.get(i));
            }
        }
    }

    /** Share of the prunable weights of {@code block} that are exactly zero. */
    public static double sparsity(Block block) {
        long zeros = 0;
        long total = 0;
        for (Parameter p : prunable(block)) {
            for (float x : p.getArray().toFloatArray()) {
                zeros += x == 0f ? 1 : 0;
                total++;
            }
        }
        return total == 0 ? 0 : zeros / (double) total;
    }

    @Override
    public void close() {
        masks.forEach(NDArray::close);
    }
}
