package dev.distillery.train;

/** Hooks for progress display and metric logging; every method has a no-op default. */
public interface TrainListener {
    TrainListener NONE = new TrainListener() {};

    default void onEpochStart(int epoch, int totalEpochs, int batches) {}

    default void onBatch(int epoch, int batch, double loss, double accuracy) {}

    default void onEpochEnd(EpochStats stats) {}

    default void onMessage(String message) {}
}
