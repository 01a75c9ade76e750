package dev.distillery.compress;

import dev.distillery.data.Dataset;
import dev.distillery.model.Classifier;
import dev.distillery.train.ClassifierTrainer;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainListener;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradual global magnitude pruning (Zhu and Gupta, 2017): sparsity rises along a cubic schedule
 * over {@code steps} steps, s_i = s_final * (1 - (1 - i/steps)^3), with fine-tuning after each step
 * while the mask holds pruned weights at zero. Pruning a trained network a little at a time lets the
 * remaining weights take over before more are removed; one-shot pruning to 90% loses far more.
 */
public final class MagnitudePruner {

    /** Sparsity reached after each step and the validation accuracy after its fine-tuning. */
    public record Step(int step, double targetSparsity, double sparsity, double validationAccuracy) {}

    private final TrainConfig fineTune;
    private final int steps;
    private final TrainListener listener;

    /**
     * @param fineTune epochs per step, learning rate and seed of the fine-tuning between steps
     * @param steps    number of pruning steps (at least 1)
     */
    public MagnitudePruner(TrainConfig fineTune, int steps, TrainListener listener) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got: " + steps);
        }
        this.fineTune = fineTune;
        this.steps = steps;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /** The target sparsity after step {@code i} of {@code steps}. */
    public static double scheduled(double finalSparsity, int i, int steps) {
        double remaining = 1.0 - i / (double) steps;
        return finalSparsity * (1.0 - remaining * remaining * remaining);
    }

    /** Prunes {@code model} in place to {@code finalSparsity}; its weights end masked. */
    public List<Step> prune(Classifier model, Dataset train, Dataset validation, double finalSparsity) {
        return prune(model, train, validation, finalSparsity, null);
    }

    /**
     * Like {@link #prune(Classifier, Dataset, Dataset, double)}, each step's fine-tuning keeping its checkpoints in
     * {@code checkpoints/step-N} (null: none), so an interrupted pruning continues where it was.
     */
    public List<Step> prune(Classifier model, Dataset train, Dataset validation, double finalSparsity,
            java.nio.file.Path checkpoints) {
        List<Step> out = new ArrayList<>();
        for (int i = 1; i <= steps; i++) {
            double target = scheduled(finalSparsity, i, steps);
            listener.onMessage(String.format("pruning step %d/%d: %.1f%% of the weights zeroed, then fine-tuning", i, steps,
                    100 * target));
            try (WeightMasks masks = WeightMasks.magnitude(model.block(), target, model.model().getNDManager())) {
                masks.apply();
                var result = new ClassifierTrainer(fineTune, listener, checkpoints == null ? null : checkpoints.resolve("step-" + i))
                        .afterEachStep(masks::apply)
                        .train(model, train, validation);
                masks.apply();
                double valAcc = result.history().isEmpty() ? Double.NaN
                        : result.history().get(result.bestEpoch() - 1).valAccuracy();
                out.add(new Step(i, target, WeightMasks.sparsity(model.block()), valAcc));
            }
        }
        return out;
    }
}
