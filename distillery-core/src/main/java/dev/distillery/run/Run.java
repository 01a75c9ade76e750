package dev.distillery.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run directory: {@code config.json} (resolved configuration), {@code provenance.json},
 * {@code metrics.jsonl} (one object per epoch or step), {@code results.json}, {@code summary.md},
 * and artifacts such as {@code model/} and {@code plots/}. Every whole-file write is atomic.
 */
public final class Run {
    public static final String CONFIG = "config.json";
    public static final String PROVENANCE = "provenance.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String RESULTS = "results.json";
    public static final String SUMMARY = "summary.md";

    private final Path dir;
    private java.util.Set<String> recordedEpochs;

    Run(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public String id() {
        return dir.getFileName().toString();
    }

    public Path modelDir() {
        return dir.resolve("model");
    }

    public Path checkpointDir() {
        return dir.resolve("checkpoints");
    }

    /** The checkpoint directory of one training phase of this run ({@code checkpoints/<phase>}). */
    public Path checkpointDir(String phase) {
        return checkpointDir().resolve(phase);
    }

    public Path plotsDir() {
        return dir.resolve("plots");
    }

    public void writeConfig(Map<String, Object> config) {
        writeJson(CONFIG, config);
    }

    public Map<String, Object> config() {
        return RunStore.readJson(dir.resolve(CONFIG));
    }

    public Map<String, Object> provenance() {
        return RunStore.readJson(dir.resolve(PROVENANCE));
    }

    public Map<String, Object> results() {
        return RunStore.readJson(dir.resolve(RESULTS));
    }

    /**
     * Records the start of the command: software and machine, the seed, the command line, and the
     * SHA-256 of every input file.
     */
    public void start(String command, List<String> args, long seed, List<Path> inputs) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("run", id());
        p.put("command", command);
        p.put("args", args);
        p.put("seed", seed);
        p.put("started", Instant.now().toString());
        p.put("status", "running");
        p.put("software", Provenance.software());
        p.put("machine", Provenance.machine());
        Map<String, String> sums = new LinkedHashMap<>();
        for (Path in : inputs) {
            if (Files.isRegularFile(in)) {
                sums.put(in.toAbsolutePath().toString(), Hashing.sha256(in));
            }
        }
        p.put("inputs", sums);
        writeJson(PROVENANCE, p);
    }

    /** Marks the run finished (or failed) in its provenance and writes its final results. */
    public void finish(String status, Map<String, Object> results) {
        Map<String, Object> p = new LinkedHashMap<>(provenance());
        p.put("status", status);
        p.put("finished", Instant.now().toString());
        writeJson(PROVENANCE, p);
        if (results != null) {
            writeJson(RESULTS, results);
        }
    }

    /**
     * Runs {@code work}, then records its results and summary and marks the run finished; if the
     * work fails, the failure becomes the run's status and is rethrown.
     */
    public <T> T record(java.util.function.Supplier<T> work, java.util.function.Function<T, Map<String, Object>> results,
            java.util.function.Function<T, String> summary) {
        try {
            T outcome = work.get();
            finish("finished", results.apply(outcome));
            writeSummary(summary.apply(outcome));
            return outcome;
        } catch (RuntimeException | Error e) {
            finish("failed: " + e.getMessage(), null);
            throw e;
        }
    }

    /** Appends one JSON object as a line; a line is written whole with a single append. */
    public void appendMetrics(Map<String, Object> metrics) {
        try {
            String line = RunStore.JSON.copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(metrics) + "\n";
            Files.writeString(dir.resolve(METRICS), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to " + dir.resolve(METRICS), e);
        }
    }

    /**
     * Appends one epoch's metrics unless the file already has a line for that {@code epoch}: a resumed run replays at
     * most the epoch it was killed in, and each epoch keeps one line.
     */
    public void appendEpochMetrics(Map<String, Object> metrics) {
        Object epoch = metrics.get("epoch");
        if (recordedEpochs == null) {
            recordedEpochs = new java.util.HashSet<>();
            for (Map<String, Object> line : metrics()) {
                recordedEpochs.add(String.valueOf(line.get("epoch")));
            }
        }
        if (recordedEpochs.add(String.valueOf(epoch))) {
            appendMetrics(metrics);
        }
    }

    /** Every line of {@code metrics.jsonl}, in order. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> metrics() {
        Path file = dir.resolve(METRICS);
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            List<Map<String, Object>> lines = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    lines.add(RunStore.JSON.readValue(line, Map.class));
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    public void writeSummary(String markdown) {
        AtomicFiles.writeString(dir.resolve(SUMMARY), markdown);
    }

    public String summary() {
        try {
            Path f = dir.resolve(SUMMARY);
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeJson(String name, Map<String, Object> doc) {
        try {
            AtomicFiles.writeString(dir.resolve(name), RunStore.JSON.writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + name + " as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
