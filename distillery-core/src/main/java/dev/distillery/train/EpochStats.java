package dev.distillery.train;

/** One epoch's figures; validation figures are NaN when there is no validation set. */
public record EpochStats(
        int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
        double learningRate, double seconds, double examplesPerSecond, boolean best) {}
