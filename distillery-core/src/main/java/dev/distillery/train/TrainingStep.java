package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One optimizer step as every network of the toolkit takes it (the classifiers' loop, the collapse lab's VAE and
 * language model): the batch lives in a child manager of the trainer's, freed after the step; forward and backward
 * under a gradient collector; a loss that is not finite stops training with one {@link TrainingDivergedException}
 * saying where and what to try; then the optimizer steps.
 */
public final class TrainingStep {
    private TrainingStep() {}

    /**
     * Computes {@code loss} in a child manager, back-propagates it, checks it and steps the optimizer; the loss value.
     * {@code where} describes the step for the error ("epoch 3, batch 17 (learning rate 1e-3)").
     */
    public static float run(Trainer trainer, Function<NDManager, NDArray> loss, Supplier<String> where) {
        float value;
        try (NDManager batch = trainer.getManager().newSubManager()) {
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray l = loss.apply(batch);
                gc.backward(l);
                value = l.getFloat();
            }
            checkFinite(value, where);
            trainer.step();
        }
        return value;
    }

    /** The divergence check of every loop: a NaN or infinite loss stops training, naming the step. */
    public static void checkFinite(float loss, Supplier<String> where) {
        if (!Float.isFinite(loss)) {
            throw new TrainingDivergedException("loss became " + loss + " at " + where.get()
                    + "; lower --lr or check the input for extreme values");
        }
    }
}
