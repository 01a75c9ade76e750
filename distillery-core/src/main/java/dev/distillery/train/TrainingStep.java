package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One optimizer step as every network of the toolkit takes it (the classifiers' loop, the collapse lab's VAE and
 * language model): the batch lives in a child manager of the trainer's, freed after the step; forward and backward
 * under a gradient collector; a loss that is not finite stops training with one {@link TrainingDivergedException}
 * saying where and what to try ({@link #checkFinite}); then the optimizer steps (the classifiers' loop, which also
 * updates row-trained tables, through {@link #updateParameters}).
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

    /**
     * DJL's {@code Trainer.step()} without the check it makes on a trainer's first step: it adds up every gradient with
     * its sign and refuses a sum of exactly zero as "backward was not called". Where the only layer trained by gradient
     * is the classifier's last linear layer (the n-gram model: its table is updated by rows), that sum is zero in exact
     * arithmetic for every batch (a softmax's gradients over the classes add up to zero), so in floats it can come out
     * exactly zero: `label issues` on 2 texts a class failed so in a fold of 3. The classifiers' loop steps this way
     * (the VAE and language model, with hidden layers, keep {@link #run}). The update is DJL's own: each parameter
     * that takes a gradient updated by the optimizer with a copy of its gradient (the set DJL's check reads).
     */
    public static void updateParameters(Block block, Optimizer optimizer) {
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.requiresGradient()) {
                NDArray weight = parameter.getArray();
                try (NDArray gradient = weight.getGradient(); NDArray copy = gradient.duplicate()) {
                    optimizer.update(parameter.getId(), weight, copy);
                }
            }
        }
    }
}
