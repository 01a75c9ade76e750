package dev.distillery.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.distillery.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Texts to MiniLM sentence embeddings, read from the content-addressed cache or computed and stored. */
final class EncoderFeaturizer implements Featurizer {
    private final MiniLmEncoder encoder;
    private final EmbeddingCache cache;

    EncoderFeaturizer(MiniLmEncoder encoder, EmbeddingCache cache) {
        this.encoder = encoder;
        this.cache = cache;
    }

    @Override
    public Shape inputShape(int batchSize) {
        return new Shape(batchSize, MiniLmEncoder.DIM);
    }

    @Override
    public NDList batch(NDManager manager, List<Example> examples, boolean training, Random rng) {
        return toArray(manager, embed(examples));
    }

    @Override
    public Featurizer uncached() {
        EncoderFeaturizer self = this;
        return new Featurizer() {
            @Override
            public Shape inputShape(int batchSize) {
                return self.inputShape(batchSize);
            }

            @Override
            public NDList batch(NDManager manager, List<Example> examples, boolean training, Random rng) {
                List<String> texts = examples.stream().map(Example::text).toList();
                return self.toArray(manager, encoder.encode(texts, 32));
            }
        };
    }

    private NDList toArray(NDManager manager, float[][] vectors) {
        float[] flat = new float[vectors.length * MiniLmEncoder.DIM];
        for (int i = 0; i < vectors.length; i++) {
            System.arraycopy(vectors[i], 0, flat, i * MiniLmEncoder.DIM, MiniLmEncoder.DIM);
        }
        return new NDList(manager.create(flat, inputShape(vectors.length)));
    }

    float[][] embed(List<Example> examples) {
        float[][] out = new float[examples.size()][];
        List<String> missingKeys = new ArrayList<>();
        List<String> missingTexts = new ArrayList<>();
        List<Integer> missingAt = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            String text = examples.get(i).text();
            String key = EmbeddingCache.key(text);
            out[i] = cache.get(key);
            if (out[i] == null) {
                missingKeys.add(key);
                missingTexts.add(text);
                missingAt.add(i);
            }
        }
        if (!missingTexts.isEmpty()) {
            float[][] fresh = dev.distillery.util.CacheFill.time(() -> encoder.encode(missingTexts, 32));
            cache.putAll(missingKeys, List.of(fresh));
            for (int j = 0; j < fresh.length; j++) {
                out[missingAt.get(j)] = fresh[j];
            }
        }
        return out;
    }
}
