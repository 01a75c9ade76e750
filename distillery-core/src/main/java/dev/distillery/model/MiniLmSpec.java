package dev.distillery.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.distillery.data.Schema;
import dev.distillery.util.DistilleryHome;

/**
 * A frozen pretrained text encoder (all-MiniLM-L6-v2, 22.7M parameters, run with ONNX Runtime)
 * with a small trainable head: {@code width} hidden units (0 for a linear head) and dropout.
 * Embeddings are cached by content under {@code $DISTILLERY_HOME/cache/embeddings}, so the encoder
 * runs once per distinct text. Only the head's parameters are trained and saved.
 */
public record MiniLmSpec(int width, int maxTokens, float dropout) implements ModelSpec {
    public static final MiniLmSpec DEFAULT = new MiniLmSpec(0, 256, 0f);
    /**
     * Parameters of the frozen encoder, for honest size comparisons (they run at inference too):
     * embeddings 30522x384 + 512x384 + 2x384 + LayerNorm 768 = 11,918,592, plus 6 layers of
     * 1,774,464 (attention 591,360, feed-forward 1,181,568, two LayerNorms 1,536) = 22,565,376.
     * The shipped ONNX file (90,387,606 bytes, about 22.60M floats) has no pooler, which agrees.
     */
    public static final long ENCODER_PARAMETERS = 22_565_376L;

    public MiniLmSpec {
        if (width < 0) {
            throw new IllegalArgumentException("width must be >= 0 (0 = linear head), got: " + width);
        }
        if (maxTokens < 8 || maxTokens > 512) {
            throw new IllegalArgumentException("maxTokens must be in [8, 512], got: " + maxTokens);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got: " + dropout);
        }
    }

    @Override
    public float defaultLearningRate() {
        return 1e-2f;
    }

    @Override
    public ModelSpec withWidth(int newWidth) {
        return new MiniLmSpec(newWidth, maxTokens, dropout);
    }

    @Override
    public void checkCompatible(Schema schema) {
        if (schema.kind() != Schema.Kind.TEXT) {
            throw new IllegalArgumentException("a minilm model reads text; this data has dense features (use mlp or cnn)");
        }
    }

    @Override
    public Block build(Schema schema) {
        SequentialBlock head = new SequentialBlock();
        if (width > 0) {
            head.add(Linear.builder().setUnits(width).build()).add(Activation::relu);
            if (dropout > 0) {
                head.add(Dropout.builder().optRate(dropout).build());
            }
        }
        return head.add(Linear.builder().setUnits(schema.numClasses()).build());
    }

    @Override
    public Featurizer featurizer(Schema schema) {
        MiniLmEncoder encoder = MiniLmEncoder.shared(maxTokens);
        EmbeddingCache cache = new EmbeddingCache(DistilleryHome.fromEnvironment().root().resolve("cache").resolve("embeddings"),
                encoder.id(), MiniLmEncoder.DIM);
        return new EncoderFeaturizer(encoder, cache);
    }

    @Override
    public long frozenParameters() {
        return ENCODER_PARAMETERS;
    }

    /** The ONNX encoder file, which every deployment of this model carries besides the saved head. */
    @Override
    public long frozenBytes() {
        return MiniLmEncoder.modelBytes();
    }
}
