package dev.distillery.export;

import ai.djl.ndarray.NDManager;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import java.util.List;

/**
 * How closely an exported model reproduces the original on the same examples: the largest absolute difference of any
 * logit and the share of examples whose predicted class agrees.
 *
 * @param examples        examples compared
 * @param maxAbsDiff      the largest |logit(ONNX) - logit(DJL)| over all examples and classes
 * @param argmaxAgreement the fraction of examples with the same predicted class on both sides
 */
public record Parity(int examples, double maxAbsDiff, double argmaxAgreement) {
    /** The largest logit difference a float export may show (float rounding of folded batch norms, summation order). */
    public static final double MAX_ABS_DIFF = 1e-4;

    /** Whether the export may stand in for the original: every prediction agrees and no logit moves beyond the limit. */
    public boolean passes() {
        return argmaxAgreement == 1.0 && maxAbsDiff <= MAX_ABS_DIFF;
    }

    /** Compares {@code original} (DJL) with {@code exported} (ONNX Runtime) on {@code examples}, batch by batch. */
    public static Parity measure(Classifier original, OnnxModel exported, List<Example> examples, int batchSize) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("the parity check needs at least one example");
        }
        double maxDiff = 0;
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
                for (int j = 0; j < k; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(row[j] - onnx[i][j]));
                }
                if (Classifier.argmax(row) == Classifier.argmax(onnx[i])) {
                    agree++;
                }
            }
        }
        return new Parity(examples.size(), maxDiff, agree / (double) examples.size());
    }
}
