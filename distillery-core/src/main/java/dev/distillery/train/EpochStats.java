package dev.distillery.train;

/**
 * One epoch's figures; validation figures are NaN when there is no validation set, the learning rate NaN for a model
 * solved in one pass (a linear model or an SVM), which has none.
 */
public record EpochStats(
        int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
        double learningRate, double seconds, double examplesPerSecond, boolean best) {}
