package dev.distillery.serve;

import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import java.util.List;

/** A saved model run by Distillery's own engine (DJL on PyTorch). */
final class DjlPredictor implements Predictor {
    private final Classifier classifier;
    /** Why DJL serves a model that could have run on ONNX Runtime, or null. */
    private final String why;

    DjlPredictor(Classifier classifier) {
        this(classifier, null);
    }

    DjlPredictor(Classifier classifier, String why) {
        this.classifier = classifier;
        this.why = why;
    }

    @Override
    public Schema schema() {
        return classifier.schema();
    }

    @Override
    public String runtime() {
        return "djl";
    }

    @Override
    public String description() {
        return classifier.spec().describe(classifier.schema()) + (why == null ? "" : " (" + why + ")");
    }

    @Override
    public float[][] probabilities(List<Example> batch) {
        return classifier.probabilities(batch, Math.max(1, batch.size()));
    }

    @Override
    public void close() {
        classifier.close();
    }
}
