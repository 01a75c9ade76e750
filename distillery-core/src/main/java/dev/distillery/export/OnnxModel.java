package dev.distillery.export;

import dev.distillery.util.OnnxRuntimeLibraries;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Featurizer;
import dev.distillery.model.NgramFeaturizer;
import dev.distillery.model.TfidfFeaturizer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;

/**
 * An exported classifier run by ONNX Runtime: examples in, logits out, with the same input conventions as the export
 * (dense features as float32 shaped like the schema; texts as n-gram bucket ids padded with 0, or for the TF-IDF model
 * as its featurizer's ids and term frequencies). Used by the parity check and by anything that serves the exported file.
 */
public final class OnnxModel implements AutoCloseable {
    private final OrtEnvironment env = OnnxRuntimeLibraries.environment();
    private final OrtSession session;
    private final Schema schema;
    private final Featurizer text;

    /**
     * @param featurizer the model's featurizer: for a text model the one that turns a text into the graph's input
     *                   ({@link NgramFeaturizer} or {@link TfidfFeaturizer}); unused, and may be null, for dense models
     */
    public OnnxModel(byte[] onnx, Schema schema, Featurizer featurizer, int threads) {
        this.schema = schema;
        this.text = schema.kind() == Schema.Kind.TEXT ? featurizer : null;
        if (schema.kind() == Schema.Kind.TEXT && !(text instanceof NgramFeaturizer || text instanceof TfidfFeaturizer)) {
            throw new IllegalArgumentException("a text model needs its n-gram or TF-IDF featurizer");
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
        if (text instanceof TfidfFeaturizer tfidf) {
            TfidfFeaturizer.Packed packed = tfidf.pack(batch.stream().map(Example::text).toList());
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(packed.values()), new long[] {n, 2, packed.length()});
        }
        if (text instanceof NgramFeaturizer ngrams) {
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
