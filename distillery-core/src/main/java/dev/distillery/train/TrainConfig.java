package dev.distillery.train;

/**
 * How to train: optimizer, learning-rate schedule, epochs, early stopping and the seed.
 *
 * @param epochs        maximum passes over the training data
 * @param batchSize     examples per gradient step
 * @param learningRate  peak learning rate, or {@link #MODEL_DEFAULT} (NaN) for the model's own default
 * @param optimizer     ADAM or SGD (with Nesterov-free momentum 0.9)
 * @param schedule      CONSTANT, COSINE (decay to 0 over all steps) or STEP (x0.1 at 50% and 75%)
 * @param weightDecay   L2 penalty added by the optimizer
 * @param patience      epochs without a better validation accuracy before stopping; 0 turns early stopping off
 * @param seed          drives initialization, shuffling, augmentation and dropout
 * @param minSteps      the fewest optimizer steps plain supervised training takes: on small data each epoch makes
 *                      several passes over the examples to reach it (see {@link SmallData}); 0 for none
 */
public record TrainConfig(
        int epochs, int batchSize, float learningRate, Optimizer optimizer, Schedule schedule,
        float weightDecay, int patience, long seed, int minSteps) {

    public enum Optimizer { ADAM, SGD }

    public enum Schedule { CONSTANT, COSINE, STEP }

    public static final long DEFAULT_SEED = 42L;

    /** Marks "use the model's default learning rate"; a training job resolves it before training. */
    public static final float MODEL_DEFAULT = Float.NaN;

    /** A configuration without a minimum number of steps: exactly {@code epochs} passes over the data. */
    public TrainConfig(int epochs, int batchSize, float learningRate, Optimizer optimizer, Schedule schedule,
            float weightDecay, int patience, long seed) {
        this(epochs, batchSize, learningRate, optimizer, schedule, weightDecay, patience, seed, 0);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public TrainConfig {
        if (minSteps < 0) {
            throw new IllegalArgumentException("minSteps must be >= 0, got: " + minSteps);
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be > 0, got: " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got: " + batchSize);
        }
        if (!Float.isNaN(learningRate) && (!(learningRate > 0) || !Float.isFinite(learningRate))) {
            throw new IllegalArgumentException("learningRate must be a positive number, got: " + learningRate);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weightDecay must be >= 0, got: " + weightDecay);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got: " + patience);
        }
        java.util.Objects.requireNonNull(optimizer, "optimizer");
        java.util.Objects.requireNonNull(schedule, "schedule");
    }

    public static TrainConfig defaults() {
        return new TrainConfig(15, 128, MODEL_DEFAULT, Optimizer.ADAM, Schedule.COSINE, 0f, 5, DEFAULT_SEED, SmallData.MIN_STEPS);
    }

    /** The learning rate after {@code step} of {@code totalSteps} updates. */
    public float learningRateAt(long step, long totalSteps) {
        double progress = totalSteps <= 1 ? 0 : Math.min(1.0, step / (double) (totalSteps - 1));
        return switch (schedule) {
            case CONSTANT -> learningRate;
            case COSINE -> (float) (learningRate * 0.5 * (1 + Math.cos(Math.PI * progress)));
            case STEP -> learningRate * (progress < 0.5 ? 1f : progress < 0.75 ? 0.1f : 0.01f);
        };
    }

    public boolean hasLearningRate() {
        return !Float.isNaN(learningRate);
    }

    public TrainConfig withEpochs(int n) {
        return new TrainConfig(n, batchSize, learningRate, optimizer, schedule, weightDecay, patience, seed, minSteps);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(epochs, batchSize, learningRate, optimizer, schedule, weightDecay, patience, s, minSteps);
    }

    public TrainConfig withLearningRate(float lr) {
        return new TrainConfig(epochs, batchSize, lr, optimizer, schedule, weightDecay, patience, seed, minSteps);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(epochs, b, learningRate, optimizer, schedule, weightDecay, patience, seed, minSteps);
    }

    public TrainConfig withMinSteps(int n) {
        return new TrainConfig(epochs, batchSize, learningRate, optimizer, schedule, weightDecay, patience, seed, n);
    }
}
