package dev.distillery.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One training phase's checkpoint directory. While the phase runs it holds the progress after the last finished
 * epoch: weights, optimizer state, the best weights so far and {@code state.json} (epoch, optimizer steps,
 * early-stopping bookkeeping, history, and whatever the training method adds). When the phase ends it holds the
 * outcome instead ({@code final.params} and {@code result.json}), so a command that is run again in the same run
 * directory takes a finished phase's model as it was and trains only what was left.
 *
 * <p>Every file is written whole and atomically, and the file that points at the others goes last, so a process
 * killed at any moment leaves either the previous checkpoint or the new one.
 */
final class TrainingCheckpoint {
    static final String STATE = "state.json";
    static final String LAST = "last.params";
    static final String BEST = "best.params";
    static final String OPTIMIZER = "optimizer.bin";
    static final String FINAL = "final.params";
    static final String RESULT = "result.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where an unfinished phase stands after {@code epoch} epochs ({@code steps} optimizer steps). */
    record Progress(int epoch, long steps, int bestEpoch, double bestValAccuracy, int epochsWithoutImprovement,
            List<EpochStats> history, Map<String, Object> extra) {
        static Progress fresh() {
            return new Progress(0, 0, 0, Double.NEGATIVE_INFINITY, 0, List.of(), Map.of());
        }
    }

    private final Path dir;

    /** @param dir the phase's directory, or null for a phase that keeps no checkpoints */
    TrainingCheckpoint(Path dir) {
        this.dir = dir;
    }

    boolean enabled() {
        return dir != null;
    }

    Path dir() {
        return dir;
    }

    boolean finished() {
        return dir != null && Files.isRegularFile(dir.resolve(RESULT)) && Files.isRegularFile(dir.resolve(FINAL));
    }

    TrainResult result() {
        return read(RESULT, TrainResult.class);
    }

    /** The progress of an unfinished phase, or null when it has not finished an epoch yet. */
    Progress progress() {
        if (dir == null || finished() || !Files.isRegularFile(dir.resolve(STATE))) {
            return null;
        }
        return read(STATE, Progress.class);
    }

    byte[] bytes(String name) {
        try {
            return Files.readAllBytes(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read checkpoint " + dir.resolve(name), e);
        }
    }

    /** Saves the end of an epoch; {@code files} are the binary parts (weights, optimizer, ...), written before the state. */
    void saveProgress(Progress progress, Map<String, AtomicFiles.StreamWriter> files) {
        if (dir == null) {
            return;
        }
        files.forEach((name, content) -> AtomicFiles.write(dir.resolve(name), content));
        AtomicFiles.write(dir.resolve(STATE), out -> JSON.writeValue(out, progress));
    }

    /** Saves the phase's outcome and drops its per-epoch files, which a finished phase no longer needs. */
    void saveFinished(AtomicFiles.StreamWriter weights, TrainResult result) {
        if (dir == null) {
            return;
        }
        AtomicFiles.write(dir.resolve(FINAL), weights);
        AtomicFiles.write(dir.resolve(RESULT), out -> JSON.writeValue(out, result));
        for (String name : List.of(STATE, LAST, BEST, OPTIMIZER)) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException("could not remove " + dir.resolve(name), e);
            }
        }
    }

    private <T> T read(String name, Class<T> type) {
        try {
            return JSON.readValue(dir.resolve(name).toFile(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }
}
