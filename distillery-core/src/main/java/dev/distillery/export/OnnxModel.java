package dev.distillery.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.NgramFeaturizer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;

/**
 * An exported classifier run by ONNX Runtime: examples in, logits out, with the same input conventions as the export
 * (dense features as float32 shaped like the schema; texts as n-gram bucket ids padded with 0). Used by the parity
 * check and by anything that serves the exported file.
 */
public final class OnnxModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Schema schema;
    private final NgramFeaturizer ngrams;

    /**
     * @param ngrams the featurizer that computes a text's bucket ids (null for dense models)
     */
    public OnnxModel(byte[] onnx, Schema schema, NgramFeaturizer ngrams, int threads) {
        this.schema = schema;
        this.ngrams = ngrams;
        if (schema.kind() == Schema.Kind.TEXT && ngrams == null) {
            throw new IllegalArgumentException("a text model needs its n-gram featurizer");
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(Math.max(1, threads));
            options.setInterOpNumThreads(1);
            session = env.createSession(onnx, options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load the exported model: " + e.getMessage(), e);
        }
    }

    /** Raw scores, one row per example, in the schema's label order. */
    public float[][] logits(List<Example> batch) {
        try (OnnxTensor input = input(batch);
                OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, input), java.util.Set.of(OnnxExporter.LOGITS))) {
            return (float[][]) result.get(0).getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch.size() + ": " + e.getMessage(), e);
        }
    }

    private OnnxTensor input(List<Example> batch) throws OrtException {
        int n = batch.size();
        if (schema.kind() == Schema.Kind.TEXT) {
            long[][] ids = new long[n][];
            int longest = 1; // at least one position, all padding for an empty text, as the featurizer does
            for (int i = 0; i < n; i++) {
                ids[i] = ngrams.ids(batch.get(i).text());
                longest = Math.max(longest, ids[i].length);
            }
            long[] flat = new long[n * longest];
            for (int i = 0; i < n; i++) {
                System.arraycopy(ids[i], 0, flat, i * longest, ids[i].length);
            }
            return OnnxTensor.createTensor(env, LongBuffer.wrap(flat), new long[] {n, longest});
        }
        int size = schema.featureSize();
        float[] flat = new float[n * size];
        for (int i = 0; i < n; i++) {
            batch.get(i).copyFeaturesTo(flat, i * size);
        }
        long[] shape = new long[schema.featureShape().size() + 1];
        shape[0] = n;
        for (int d = 0; d < schema.featureShape().size(); d++) {
            shape[d + 1] = schema.featureShape().get(d);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(flat), shape);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
