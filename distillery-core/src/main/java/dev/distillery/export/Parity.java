package dev.distillery.export;

import ai.djl.ndarray.NDManager;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import java.util.List;

/**
 * How closely an exported model reproduces the original on the same examples: the largest difference of any logit, how
 * much of its tolerance the worst logit used, and the share of examples whose predicted class agrees.
 *
 * <p>A logit may move by {@link #ABS_TOLERANCE} plus {@link #REL_TOLERANCE} times its example's largest |logit| (the
 * form of numpy's {@code allclose}): the two engines add the same products in different orders, and float32 rounds a
 * sum in proportion to its size. An absolute limit alone refused a linear model over 784 pixels whose logits near 100
 * moved by 1.2e-4, a relative error of 1e-6, while a graph that computes something else moves logits by far more.
 *
 * @param examples          examples compared
 * @param maxAbsDiff        the largest |logit(ONNX) - logit(DJL)| over all examples and classes
 * @param maxToleranceUsed  the largest |difference| / tolerance over all logits: at most 1 when every logit is within
 * @param argmaxAgreement   the fraction of examples with the same predicted class on both sides
 */
public record Parity(int examples, double maxAbsDiff, double maxToleranceUsed, double argmaxAgreement) {
    /** What any logit may move (float rounding of folded batch norms, summation order), however small the logits. */
    public static final double ABS_TOLERANCE = 1e-4;
    /** What a logit may move besides, per unit of its example's largest |logit|. */
    public static final double REL_TOLERANCE = 1e-5;
    /** The rule, as model cards and errors state it. */
    public static final String RULE = "1e-4 + 1e-5 x the example's largest |logit|";

    /** Whether the export may stand in for the original: every prediction agrees and every logit is within tolerance. */
    public boolean passes() {
        return argmaxAgreement == 1.0 && maxToleranceUsed <= 1.0;
    }

    /**
     * How much of its tolerance {@code got} uses against {@code expected}, one example's logits: the largest |difference|
     * over {@link #ABS_TOLERANCE} + {@link #REL_TOLERANCE} x max |expected|; NaN anywhere gives infinity.
     */
    public static double toleranceUsed(float[] got, double[] expected) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double tolerance = ABS_TOLERANCE + REL_TOLERANCE * scale;
        double used = 0;
        for (int j = 0; j < expected.length; j++) {
            double diff = Math.abs(got[j] - expected[j]);
            used = Math.max(used, Double.isNaN(diff) || Double.isNaN(scale) ? Double.POSITIVE_INFINITY : diff / tolerance);
        }
        return used;
    }

    /** Compares {@code original} (DJL) with {@code exported} (ONNX Runtime) on {@code examples}, batch by batch. */
    public static Parity measure(Classifier original, OnnxModel exported, List<Example> examples, int batchSize) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("the parity check needs at least one example");
        }
        double maxDiff = 0;
        double maxUsed = 0;
        int agree = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<Example> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
            float[][] onnx = exported.logits(batch);
            float[] djl;
            int k = original.schema().numClasses();
            try (NDManager sub = original.model().getNDManager().newSubManager()) {
                djl = original.logits(sub, batch).toFloatArray();
            }
            for (int i = 0; i < batch.size(); i++) {
                float[] row = java.util.Arrays.copyOfRange(djl, i * k, (i + 1) * k);
                double[] expected = new double[k];
                for (int j = 0; j < k; j++) {
                    expected[j] = row[j];
                    maxDiff = Math.max(maxDiff, Math.abs(row[j] - onnx[i][j])); // NaN, once seen, stays
                }
                maxUsed = Math.max(maxUsed, toleranceUsed(onnx[i], expected));
                if (Classifier.argmax(row) == Classifier.argmax(onnx[i])) {
                    agree++;
                }
            }
        }
        return new Parity(examples.size(), maxDiff, maxUsed, agree / (double) examples.size());
    }
}
