package dev.distillery.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Scalars;
import dev.distillery.train.Objective;
import java.util.List;
import java.util.Map;

/**
 * Knowledge distillation (Hinton, Vinyals and Dean, 2015). For an example with a label:
 * <pre>{@code
 *   loss = alpha * CE(y, softmax(s)) + (1 - alpha) * T^2 * KL(softmax(t / T) || softmax(s / T))
 * }</pre>
 * and for an unlabeled one only the distillation term, {@code T^2 * KL(...)}, so a transfer set
 * without labels still teaches the student. {@code s} are the student's logits, {@code t} the
 * teacher's; T^2 keeps the soft term's gradients on the scale of the hard term's as T grows.
 * The batch loss is the mean over examples.
 */
public final class DistillationObjective implements Objective {
    private final Map<String, float[]> teacherLogits;
    private final float alpha;
    private final float temperature;

    /**
     * @param teacherLogits the teacher's logits by example id, for every example the student trains on
     */
    public DistillationObjective(Map<String, float[]> teacherLogits, float alpha, float temperature) {
        if (alpha < 0 || alpha > 1) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got: " + alpha);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got: " + temperature);
        }
        this.teacherLogits = teacherLogits;
        this.alpha = alpha;
        this.temperature = temperature;
    }

    @Override
    public boolean requiresLabels() {
        return false;
    }

    @Override
    public NDArray loss(NDArray logits, List<Example> batch, Schema schema) {
        NDManager m = logits.getManager();
        int n = batch.size();
        int k = schema.numClasses();
        float[] softTargets = new float[n * k];
        float[] hard = new float[n * k];
        float[] hardWeight = new float[n];
        float[] softWeight = new float[n];
        float t2 = temperature * temperature;
        for (int i = 0; i < n; i++) {
            Example e = batch.get(i);
            float[] t = teacherLogits.get(e.id());
            if (t == null || t.length != k) {
                throw new IllegalStateException("no teacher output for example " + e.id());
            }
            System.arraycopy(softmax(t, temperature), 0, softTargets, i * k, k);
            if (e.hasLabel()) {
                hard[i * k + schema.indexOf(e.label().get())] = 1f;
                hardWeight[i] = alpha;
                softWeight[i] = (1 - alpha) * t2;
            } else {
                softWeight[i] = t2;
            }
        }
        NDArray p = m.create(softTargets, new ai.djl.ndarray.types.Shape(n, k));
        NDArray logStudentT = logits.div(Scalars.like(logits, temperature)).logSoftmax(1);
        // KL(p || q) = sum p (log p - log q); 0 log 0 = 0, so clip only inside the log.
        NDArray kl = p.mul(p.maximum(1e-12f).log().sub(logStudentT)).sum(new int[] {1});
        NDArray ce = m.create(hard, new ai.djl.ndarray.types.Shape(n, k)).mul(logits.logSoftmax(1)).sum(new int[] {1}).neg();
        NDArray perExample = ce.mul(m.create(hardWeight)).add(kl.mul(m.create(softWeight)));
        return perExample.mean();
    }

    /** Softmax of {@code logits / temperature}, computed stably in double. */
    static float[] softmax(float[] logits, float temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v / temperature);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] / temperature - max);
            sum += e[i];
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (e[i] / sum);
        }
        return out;
    }

    @Override
    public String toString() {
        return "distillation (alpha " + alpha + ", temperature " + temperature + ")";
    }
}
