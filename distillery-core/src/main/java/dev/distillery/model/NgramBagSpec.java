package dev.distillery.model;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.distillery.data.Schema;

/**
 * A fastText-style text classifier: word n-grams (1..{@code ngrams}) hashed into {@code buckets}
 * embedding rows of size {@code width}, averaged, then a linear layer to the classes. At most
 * {@code maxTokens} n-grams are read per text, so cost per example is bounded.
 */
public record NgramBagSpec(int width, int buckets, int ngrams, int maxTokens) implements ModelSpec {
    public static final NgramBagSpec DEFAULT = new NgramBagSpec(32, 1 << 17, 2, 2000);

    public NgramBagSpec {
        if (width <= 0) {
            throw new IllegalArgumentException("width must be > 0, got: " + width);
        }
        if (buckets < 2) {
            throw new IllegalArgumentException("buckets must be >= 2, got: " + buckets);
        }
        if (ngrams < 1 || ngrams > 5) {
            throw new IllegalArgumentException("ngrams must be in [1, 5], got: " + ngrams);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got: " + maxTokens);
        }
    }

    @Override
    public float defaultLearningRate() {
        return 1e-2f;
    }

    @Override
    public ModelSpec withWidth(int newWidth) {
        return new NgramBagSpec(newWidth, buckets, ngrams, maxTokens);
    }

    @Override
    public void checkCompatible(Schema schema) {
        if (schema.kind() != Schema.Kind.TEXT) {
            throw new IllegalArgumentException("an ngram model needs text; this data has dense features (use mlp or cnn)");
        }
    }

    @Override
    public Block build(Schema schema) {
        return new SequentialBlock()
                .add(new HashedBagBlock(buckets, width))
                .add(Linear.builder().setUnits(schema.numClasses()).build());
    }

    @Override
    public Featurizer featurizer(Schema schema) {
        return new NgramFeaturizer(this);
    }
}
