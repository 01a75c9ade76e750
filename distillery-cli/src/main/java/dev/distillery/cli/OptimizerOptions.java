package dev.distillery.cli;

import dev.distillery.data.OnError;
import dev.distillery.train.TrainConfig;
import picocli.CommandLine.Option;

/** Optimizer, schedule, seed and bad-record options shared by every command that trains. */
final class OptimizerOptions {
    @Option(names = "--epochs", paramLabel = "N", defaultValue = "15", description = "Maximum epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128",
            description = "Examples per step; train caps it on small data so a pass has at least 8 steps (never below 16). "
                    + "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--min-steps", paramLabel = "N", defaultValue = "" + dev.distillery.train.SmallData.MIN_STEPS,
            description = "Fewest optimizer steps of a supervised run: on small data each epoch makes several passes "
                    + "over the examples; 0 for exactly --epochs passes. Default: ${DEFAULT-VALUE}.")
    int minSteps;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Peak learning rate. Default: the model's own (0.001 for cnn and mlp, 0.01 for ngram).")
    Float learningRate;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam", description = "adam or sgd (momentum 0.9). Default: ${DEFAULT-VALUE}.")
    TrainConfig.Optimizer optimizer;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "cosine",
            description = "Learning-rate schedule: constant, cosine, step. Default: ${DEFAULT-VALUE}.")
    TrainConfig.Schedule schedule;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0", description = "L2 weight decay. Default: ${DEFAULT-VALUE}.")
    float weightDecay;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "5",
            description = "Stop after N epochs without a better validation accuracy; 0 disables. Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed for splits, init, order, augmentation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @picocli.CommandLine.Mixin
    OnErrorOption onError;

    TrainConfig trainConfig() {
        return new TrainConfig(epochs, batchSize, learningRate == null ? TrainConfig.MODEL_DEFAULT : learningRate, optimizer,
                schedule, weightDecay, patience, seed, minSteps);
    }
}
