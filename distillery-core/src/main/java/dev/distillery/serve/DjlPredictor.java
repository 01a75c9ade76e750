package dev.distillery.serve;

import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import java.util.List;

/** A saved model run by Distillery's own engine (DJL on PyTorch). */
final class DjlPredictor implements Predictor {
    private final Classifier classifier;

    DjlPredictor(Classifier classifier) {
        this.classifier = classifier;
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
        return classifier.spec().toString();
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
