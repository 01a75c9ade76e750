package dev.distillery.train;

/**
 * How training adapts to how many labeled examples there are, the same rule for every data set. A schedule given in
 * epochs of batch 128 gives 134 examples two optimizer steps an epoch and a few dozen in all; a 10% hold-out of them
 * judges early stopping on 13 examples. So: batches shrink with the data, every supervised run takes at least
 * {@link TrainConfig#minSteps()} optimizer steps (an epoch makes several passes over small data), and a validation hold-out is
 * made only when it holds enough examples a class to judge anything.
 */
public final class SmallData {
    /**
     * The default fewest optimizer steps of a supervised run ({@link TrainConfig#minSteps()}): 134 labeled digits
     * reached 0.884 in 200 steps of batch 128 where 15 epochs' 30 steps gave 0.362.
     */
    public static final int MIN_STEPS = 200;
    /** The smallest batch the cap goes down to. */
    public static final int MIN_BATCH = 16;
    /** Batches are capped so that an epoch has at least this many steps. */
    public static final int MIN_STEPS_PER_EPOCH = 8;
    /** A hold-out is made only if it gets at least this many examples a class on average. */
    public static final int MIN_VALIDATION_PER_CLASS = 5;

    private SmallData() {}

    /** Whether holding {@code fraction} of {@code examples} out for validation gives enough examples a class to judge. */
    public static boolean holdsOut(int examples, int classes, double fraction) {
        return fraction > 0 && examples * fraction >= MIN_VALIDATION_PER_CLASS * (double) classes;
    }

    /**
     * {@code config} with its batch capped for {@code examples} training examples, so that a pass over them has at
     * least {@link #MIN_STEPS_PER_EPOCH} steps (never below {@link #MIN_BATCH}). Large data sets are returned unchanged.
     */
    public static TrainConfig capBatch(TrainConfig config, int examples) {
        int batch = Math.min(config.batchSize(), Math.max(MIN_BATCH, ceilDiv(examples, MIN_STEPS_PER_EPOCH)));
        return batch == config.batchSize() ? config : config.withBatchSize(batch);
    }

    /**
     * Passes over {@code examples} in one epoch so that {@code config}'s epochs take at least its
     * {@link TrainConfig#minSteps()} optimizer steps: 1 for all but small data. Epochs stay the unit of validation,
     * checkpoints and early stopping; on small data an epoch is several shuffled passes.
     */
    public static int passesPerEpoch(int examples, TrainConfig config) {
        long stepsPerPass = ceilDiv(examples, config.batchSize());
        long perEpoch = stepsPerPass * config.epochs();
        return (int) Math.max(1, (config.minSteps() + perEpoch - 1) / perEpoch);
    }

    private static int ceilDiv(int a, int b) {
        return Math.max(1, (a + b - 1) / b);
    }
}
