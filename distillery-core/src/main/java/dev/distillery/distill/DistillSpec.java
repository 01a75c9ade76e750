package dev.distillery.distill;

import dev.distillery.data.OnError;
import dev.distillery.model.ModelSpec;
import dev.distillery.train.TrainConfig;
import java.util.List;

/**
 * A distillation run, every default resolved (written to {@code config.json}).
 *
 * @param teacher        a run id, run directory or model directory holding the teacher
 * @param student        the student architecture; {@code sweepWidths} overrides its width
 * @param transfer       the transfer set: labels optional
 * @param test           labeled test data
 * @param labeled        keep only this many of the transfer set's labels ("100", "1%"); null keeps all; "0" none
 * @param alpha          weight of the hard-label term (the soft term gets 1 - alpha)
 * @param temperature    softmax temperature T for the soft targets
 * @param sweepWidths    student widths to train; empty means just {@code student}
 * @param labelsOnly     also train each student on the labels alone, for comparison
 * @param teacherViews   add this many unlabeled augmented images (some mixing two) to the transfer set, for the
 *                       students to learn the teacher's outputs on; images only, 0 for none
 */
public record DistillSpec(String teacher, ModelSpec student, String transfer, String test, String labeled,
        float alpha, float temperature, List<Integer> sweepWidths, boolean labelsOnly, int teacherViews, TrainConfig train,
        OnError onError) {
    public DistillSpec {
        sweepWidths = sweepWidths == null ? List.of() : List.copyOf(sweepWidths);
        if (alpha < 0 || alpha > 1) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got: " + alpha);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got: " + temperature);
        }
        if (teacherViews < 0) {
            throw new IllegalArgumentException("teacher views must be >= 0, got: " + teacherViews);
        }
        java.util.Objects.requireNonNull(student, "student");
        java.util.Objects.requireNonNull(train, "train");
    }
}
