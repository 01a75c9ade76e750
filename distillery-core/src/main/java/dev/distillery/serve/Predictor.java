package dev.distillery.serve;

import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import java.util.List;

/**
 * A loaded model that turns a batch of examples into class probabilities, in its schema's label order. One thread
 * calls it at a time (the model's {@link Batcher}), so implementations need not be thread-safe.
 */
public interface Predictor extends AutoCloseable {
    Schema schema();

    /** "djl" or "onnx": which engine computes. */
    String runtime();

    /** What the model is, for listings: its spec. */
    String description();

    float[][] probabilities(List<Example> batch);

    @Override
    void close();
}
