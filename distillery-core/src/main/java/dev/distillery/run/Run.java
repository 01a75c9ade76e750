package dev.distillery.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
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

    /** The process's cache-fill seconds when this run started here (-1: not started in this process). */
    private double cacheFillAtStart = -1;
    /** The process's CPU seconds when this run started here (-1: not started in this process, or not measurable). */
    private double cpuAtStart = -1;

    private final Path dir;
    /** True for a run continued after an interruption: it checks, rather than writes, what the first attempt recorded. */
    private final boolean continued;
    private java.util.Set<String> recordedEpochs;

    Run(Path dir) {
        this(dir, false);
    }

    private Run(Path dir, boolean continued) {
        this.dir = dir;
        this.continued = continued;
    }

    /** This run, to be continued by the same command after an interruption. */
    Run continued() {
        return new Run(dir, true);
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

    /**
     * Records the resolved configuration. A continued run must resolve to the configuration it started with, or its
     * checkpoints would belong to another computation.
     */
    public void writeConfig(Map<String, Object> config) {
        if (continued) {
            if (!sameJson(config(), config)) {
                throw new IllegalArgumentException("run " + id() + " cannot be continued: its command now resolves to a "
                        + "different configuration than it recorded in " + CONFIG + " (was Distillery updated?); start a new run");
            }
            return;
        }
        writeJson(CONFIG, config);
    }

    /** Equal as JSON text would be: numbers compared as written, whatever Java type produced them. */
    private static boolean sameJson(Map<String, Object> a, Map<String, Object> b) {
        try {
            return RunStore.JSON.readTree(RunStore.JSON.writeValueAsString(a)).equals(RunStore.JSON.readTree(RunStore.JSON.writeValueAsString(b)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot compare configurations: " + e.getOriginalMessage(), e);
        }
    }

    public Map<String, Object> config() {
        return RunStore.readJson(dir.resolve(CONFIG));
    }

    /**
     * What the run read, as its configuration names it: its data, input, pool or transfer set, else the model it
     * changed or measured; "" when it names none. The one answer for the dashboard's and {@code runs list}'s column.
     */
    public String input() {
        Map<String, Object> config = config();
        for (String key : java.util.List.of("data", "input", "pool", "transfer", "model")) {
            if (config.get(key) instanceof String s) {
                return s;
            }
        }
        return "";
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
        cacheFillAtStart = dev.distillery.util.CacheFill.seconds();
        cpuAtStart = processCpuSeconds();
        if (continued) {
            restart(inputs);
            return;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("run", id());
        p.put("command", command);
        p.put("args", args);
        p.put("seed", seed);
        p.put("started", Instant.now().toString());
        p.put("status", "running");
        p.putAll(process());
        p.put("software", Provenance.software());
        p.put("machine", Provenance.machine());
        Map<String, String> sums = new LinkedHashMap<>();
        long bytes = 0;
        for (Path in : inputs) {
            String sum = checksum(in);
            if (sum != null) {
                sums.put(in.toAbsolutePath().toString(), sum);
                bytes += dev.distillery.util.AtomicFiles.sizeOf(in);
            }
        }
        p.put("inputs", sums);
        // what `run --plan` scales this run's time by, kept here because the files may be gone when it reads them
        p.put("input_bytes", bytes);
        p.put("cwd", Path.of("").toAbsolutePath().toString());
        writeJson(PROVENANCE, p);
    }

    /** Marks a continued run running again, after checking that its inputs are the files it started from. */
    private void restart(List<Path> inputs) {
        Map<String, Object> p = new LinkedHashMap<>(provenance());
        Object recorded = p.get("inputs");
        Map<?, ?> sums = recorded instanceof Map<?, ?> m ? m : Map.of();
        for (Path in : inputs) {
            String key = in.toAbsolutePath().toString();
            if (sums.containsKey(key) && !String.valueOf(sums.get(key)).equals(checksum(in))) {
                throw new IllegalArgumentException("run " + id() + " cannot be continued: " + key
                        + " changed since the run started (its SHA-256 differs); start a new run");
            }
        }
        List<Object> resumed = new java.util.ArrayList<>(p.get("resumed") instanceof List<?> l ? l : List.of());
        resumed.add(Instant.now().toString());
        p.put("resumed", resumed);
        p.put("status", "running");
        p.putAll(process());
        p.put("software", Provenance.software());
        writeJson(PROVENANCE, p);
    }

    /** The SHA-256 of an input file, or of a directory's content (mail); null for what does not exist. */
    private static String checksum(Path in) {
        if (Files.isRegularFile(in)) {
            return Hashing.sha256(in);
        }
        return Files.isDirectory(in) ? Hashing.sha256Tree(in) : null;
    }

    /**
     * The process's peak resident memory in KiB (Linux's VmHWM), or 0 where it cannot be read: what a run cost in
     * memory, and what `distillery run --plan` estimates from. A recipe resets the mark before each stage.
     */
    public static long peakResidentKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /**
     * The CPU time this process has used, in seconds: user and system time of every thread, the engine's native ones
     * included, so a run's CPU-hours can be told from its wall time on any number of cores. -1 where the JVM cannot
     * measure it.
     */
    public static double processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? -1 : nanos / 1e9;
        }
        return -1;
    }

    /** Which process runs this run, so that a run whose process died can be told from one still running. */
    private static Map<String, Object> process() {
        ProcessHandle self = ProcessHandle.current();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", self.pid());
        self.info().startInstant().ifPresent(t -> m.put("process_started", t.toString()));
        m.put("host", Provenance.hostName());
        return m;
    }

    /**
     * The run's status as a reader should see it: the recorded one ("finished", "failed: ...", "running"), except that a
     * run recorded as running whose process is gone (killed, or the machine restarted) is "interrupted", and a
     * directory without a readable provenance is "incomplete" or "unreadable". Never throws.
     */
    public String status() {
        Map<String, Object> p;
        try {
            p = provenance();
        } catch (RuntimeException e) {
            return "unreadable: " + PROVENANCE + " is damaged";
        }
        if (p.isEmpty()) {
            return "incomplete: no " + PROVENANCE;
        }
        String recorded = String.valueOf(p.getOrDefault("status", "?"));
        if (!"running".equals(recorded)) {
            return recorded;
        }
        return processAlive(p) ? "running" : "interrupted";
    }

    /**
     * Whether the process recorded in {@code p} still runs. A run started on another host cannot be checked from here
     * and is taken to be alive; a record without a pid (written before pids were recorded) is taken to be dead.
     */
    private static boolean processAlive(Map<String, Object> p) {
        if (!(p.get("pid") instanceof Number pid)) {
            return false;
        }
        if (p.get("host") != null && !p.get("host").equals(Provenance.hostName())) {
            return true;
        }
        return ProcessHandle.of(pid.longValue()).map(h -> {
            Object started = p.get("process_started");
            // A pid can be reused by a later process: the start time tells them apart.
            return h.isAlive() && (started == null || h.info().startInstant().map(t -> t.toString().equals(started)).orElse(true));
        }).orElse(false);
    }

    /**
     * Marks the run finished (or failed) in its provenance, with what it wrote (each output's path and SHA-256: a
     * later stage's input can be traced to the run that made it), and writes its final results.
     */
    void finish(String status, Map<String, Object> results, Map<String, Path> outputs) {
        Map<String, Object> p = new LinkedHashMap<>(provenance());
        p.put("status", status);
        p.put("finished", Instant.now().toString());
        // Again at the end: the engine is named by the version it loaded if the run loaded it (not known at the start).
        p.put("software", Provenance.software());
        if (cacheFillAtStart >= 0) {
            p.put("cache_fill_seconds", dev.distillery.util.CacheFill.seconds() - cacheFillAtStart);
        }
        double cpu = processCpuSeconds();
        if (cpuAtStart >= 0 && cpu >= 0) {
            // A continued run's earlier attempts ran in processes of their own: their share is not in this figure.
            p.put("cpu_seconds", Math.round((cpu - cpuAtStart) * 1000) / 1000.0);
        }
        long peak = peakResidentKib();
        if (peak > 0) {
            p.put("peak_rss_mib", peak / 1024);
        }
        if (!outputs.isEmpty()) {
            Map<String, Object> written = new LinkedHashMap<>();
            outputs.forEach((name, path) -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("path", path.toAbsolutePath().toString());
                o.put("sha256", checksum(path));
                written.put(name, o);
            });
            p.put("outputs", written);
        }
        writeJson(PROVENANCE, p);
        if (results != null) {
            writeJson(RESULTS, results);
        }
    }

    /** Appends one JSON object as a line; a line is written whole with a single append. */
    public void appendMetrics(Map<String, Object> metrics) {
        try {
            String line = RunStore.JSON.copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(metrics) + "\n";
            Files.createDirectories(dir);
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
            dropPartialLastLine();
            recordedEpochs = new java.util.HashSet<>();
            for (Map<String, Object> line : metrics()) {
                recordedEpochs.add(String.valueOf(line.get("epoch")));
            }
        }
        if (recordedEpochs.add(String.valueOf(epoch))) {
            appendMetrics(metrics);
        }
    }

    /** A process killed in the middle of an append can leave half a line; the epoch it belonged to is replayed. */
    private void dropPartialLastLine() {
        Path file = dir.resolve(METRICS);
        try {
            if (!Files.exists(file)) {
                return;
            }
            byte[] bytes = Files.readAllBytes(file);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
            if (end < bytes.length) {
                byte[] whole = java.util.Arrays.copyOf(bytes, end);
                AtomicFiles.write(file, out -> out.write(whole));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
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
