package dev.distillery.serve;

import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.export.OnnxModel;
import java.util.List;

/** An exported ONNX graph run by ONNX Runtime; probabilities are the softmax of its logits. */
final class OnnxPredictor implements Predictor {
    private final OnnxModel model;
    private final Schema schema;
    private final String description;

    OnnxPredictor(OnnxModel model, Schema schema, String description) {
        this.model = model;
        this.schema = schema;
        this.description = description;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public String runtime() {
        return "onnx";
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public float[][] probabilities(List<Example> batch) {
        float[][] logits = model.logits(batch);
        for (float[] row : logits) {
            softmaxInPlace(row);
        }
        return logits;
    }

    static void softmaxInPlace(float[] row) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int j = 0; j < row.length; j++) {
            row[j] = (float) Math.exp(row[j] - max);
            sum += row[j];
        }
        for (int j = 0; j < row.length; j++) {
            row[j] = (float) (row[j] / sum);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
