package dev.distillery.train;

import java.util.List;

/**
 * What a training run did: the per-epoch history, the epoch whose weights were kept, and whether
 * early stopping ended it.
 */
public record TrainResult(List<EpochStats> history, int bestEpoch, boolean stoppedEarly, int resumedFromEpoch) {
    public TrainResult {
        history = List.copyOf(history);
    }

    /** Mean training throughput over the epochs run in this process, or over all epochs when none ran here. */
    public double examplesPerSecond() {
        return history.stream().filter(h -> h.epoch() > resumedFromEpoch)
                .mapToDouble(EpochStats::examplesPerSecond).average()
                .orElse(history.stream().mapToDouble(EpochStats::examplesPerSecond).average().orElse(Double.NaN));
    }

    public double trainingSeconds() {
        return history.stream().mapToDouble(EpochStats::seconds).sum();
    }
}
