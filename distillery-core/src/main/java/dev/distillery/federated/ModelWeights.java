package dev.distillery.federated;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.distillery.model.Classifier;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's parameters as plain float arrays, in the block's parameter order: what federated clients send and the
 * coordinator averages. Batch-normalization running statistics are parameters too and travel with the weights.
 */
public record ModelWeights(List<float[]> arrays) {

    /** The current weights of {@code model}. */
    public static ModelWeights of(Classifier model) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            try (NDArray w = p.getValue().getArray().stopGradient()) {
                out.add(w.toFloatArray());
            }
        }
        return new ModelWeights(out);
    }

    /** Puts these weights into {@code model}, which must have the same architecture. */
    public void into(Classifier model) {
        model.initializeWeights(0); // shapes only: every value is overwritten below
        ai.djl.nn.ParameterList params = model.block().getParameters();
        if (params.size() != arrays.size()) {
            throw new IllegalArgumentException("weights for " + arrays.size() + " parameters, the model has " + params.size());
        }
        for (int i = 0; i < arrays.size(); i++) {
            NDArray target = params.get(i).getValue().getArray();
            if (target.size() != arrays.get(i).length) {
                throw new IllegalArgumentException("parameter " + params.get(i).getKey() + " has " + target.size() + " values, the weights "
                        + arrays.get(i).length);
            }
            target.set(arrays.get(i));
        }
    }

    /** Total number of values. */
    public int size() {
        return arrays.stream().mapToInt(a -> a.length).sum();
    }

    /** All values in one array, parameter after parameter. */
    public float[] flat() {
        float[] out = new float[size()];
        int at = 0;
        for (float[] a : arrays) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }

    /** Weights shaped like these from one flat array. */
    public ModelWeights unflat(float[] values) {
        List<float[]> out = new ArrayList<>();
        int at = 0;
        for (float[] a : arrays) {
            float[] b = new float[a.length];
            System.arraycopy(values, at, b, 0, a.length);
            out.add(b);
            at += a.length;
        }
        return new ModelWeights(out);
    }

    /** {@code this - base}, value by value. */
    public float[] minus(ModelWeights base) {
        float[] a = flat();
        float[] b = base.flat();
        for (int i = 0; i < a.length; i++) {
            a[i] -= b[i];
        }
        return a;
    }

    /** {@code this + delta}. */
    public ModelWeights plus(float[] delta) {
        float[] a = flat();
        for (int i = 0; i < a.length; i++) {
            a[i] += delta[i];
        }
        return unflat(a);
    }
}
