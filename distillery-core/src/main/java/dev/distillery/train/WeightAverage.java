package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * An exponential moving average of a block's parameters, the weights FixMatch evaluates with (Sohn et al., 2020):
 * {@code average = decay * average + (1 - decay) * weights} after every optimizer step. Averaging smooths the
 * step-to-step noise that pseudo-labels add. Batch-normalization running statistics are parameters of the block
 * too and are averaged with the rest, so the averaged network is consistent. Decay 0 averages nothing: the block
 * keeps its last weights, and every method leaves it as it is.
 */
final class WeightAverage implements AutoCloseable {
    private final NDManager manager;
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<NDArray> averages = new ArrayList<>();
    private final float decay;

    /** Starts the average at the block's current weights. */
    WeightAverage(Block block, float decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("weight-average decay must be in [0, 1), got: " + decay);
        }
        this.decay = decay;
        this.manager = NDManager.newBaseManager();
        for (Pair<String, Parameter> p : decay == 0 ? List.<Pair<String, Parameter>>of() : block.getParameters()) {
            parameters.add(p.getValue());
            try (NDArray weights = p.getValue().getArray().stopGradient()) {
                averages.add(weights.duplicate());
            }
        }
        averages.forEach(a -> a.attach(manager));
    }

    /** Moves the average one step towards the block's current weights. */
    void update() {
        for (int i = 0; i < parameters.size(); i++) {
            try (NDArray weights = parameters.get(i).getArray().stopGradient(); NDArray step = weights.mul(1 - decay)) {
                averages.get(i).muli(decay).addi(step);
            }
        }
    }

    /** Runs {@code action} with the averaged weights in the block, then puts the trained weights back. */
    <T> T withAverage(Supplier<T> action) {
        List<NDArray> trained = new ArrayList<>();
        try (NDManager backup = NDManager.newBaseManager()) {
            for (Parameter p : parameters) {
                try (NDArray weights = p.getArray().stopGradient()) {
                    NDArray copy = weights.duplicate();
                    copy.attach(backup);
                    trained.add(copy);
                }
            }
            copyInto(averages);
            try {
                return action.get();
            } finally {
                copyInto(trained);
            }
        }
    }

    /** Whether there is nothing to average (decay 0). */
    boolean isEmpty() {
        return parameters.isEmpty();
    }

    /** The averages, for a checkpoint. */
    byte[] save() {
        return new NDList(averages).encode();
    }

    /** Puts back averages that {@link #save} wrote for the same block. */
    void load(byte[] saved) {
        NDList loaded = NDList.decode(manager, saved);
        if (loaded.size() != averages.size()) {
            throw new IllegalStateException("the checkpoint's weight average has " + loaded.size() + " arrays, the model "
                    + averages.size());
        }
        for (int i = 0; i < averages.size(); i++) {
            averages.get(i).close();
            averages.set(i, loaded.get(i));
        }
    }

    /** Leaves the averaged weights in the block for good. */
    void applyToBlock() {
        copyInto(averages);
    }

    private void copyInto(List<NDArray> values) {
        for (int i = 0; i < parameters.size(); i++) {
            try (NDArray weights = parameters.get(i).getArray().stopGradient()) {
                weights.muli(0).addi(values.get(i));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
