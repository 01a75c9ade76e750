package dev.distillery.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.distillery.data.Example;
import java.util.List;
import java.util.Random;

/** Turns examples into the input arrays of a network, one batch at a time. */
public interface Featurizer {

    /** The input shape for {@code batchSize} examples, used to initialize a network. */
    Shape inputShape(int batchSize);

    /**
     * Builds the inputs of one batch in {@code manager}. With {@code training} true the featurizer
     * may augment, drawing randomness only from {@code rng} so runs are reproducible.
     */
    NDList batch(NDManager manager, List<Example> examples, boolean training, Random rng);

    /**
     * This featurizer without any cache of precomputed features, so timing measures the real cost
     * of a new input. Featurizers without caches return themselves.
     */
    default Featurizer uncached() {
        return this;
    }
}
