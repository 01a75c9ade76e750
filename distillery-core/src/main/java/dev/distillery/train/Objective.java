package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import java.util.List;

/**
 * What a training step minimizes for a batch: plain cross-entropy on hard labels by default,
 * or a distillation loss that also uses a teacher's outputs.
 */
public interface Objective {

    /** The mean loss over {@code batch}, a scalar allocated in {@code logits}' manager. */
    NDArray loss(NDArray logits, List<Example> batch, Schema schema);

    /** True if every training example must carry a label. */
    default boolean requiresLabels() {
        return true;
    }

    /** DJL's softmax cross-entropy over class indices, averaged over the batch. */
    Loss CROSS_ENTROPY = Loss.softmaxCrossEntropyLoss();

    /** Cross-entropy with the examples' own labels. */
    Objective HARD_LABELS = new Objective() {
        @Override
        public NDArray loss(NDArray logits, List<Example> batch, Schema schema) {
            NDArray labels = logits.getManager().create(ClassifierTrainer.labelIndices(schema, batch));
            return CROSS_ENTROPY.evaluate(new NDList(labels), new NDList(logits));
        }

        @Override
        public String toString() {
            return "cross-entropy on labels";
        }
    };
}
