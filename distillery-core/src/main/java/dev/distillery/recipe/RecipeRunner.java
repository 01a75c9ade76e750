package dev.distillery.recipe;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.Provenance;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;

/**
 * {@code distillery run recipe.yaml}: runs a recipe's stages in dependency order, each as its command, and remembers
 * each stage's identity (command line with references replaced by their stage's identity, code version, checksums of
 * its input files and data sets) in {@code $DISTILLERY_HOME/recipes/NAME/state.json}. A stage whose identity matches a
 * finished execution is not run again; one whose identity matches an execution that was killed is resumed from its
 * last checkpoint (for commands that keep them); a changed stage runs, and so, through their references, do the stages
 * that depend on it. One run of a recipe at a time: a second is refused while the first holds the lock. Every run ends
 * with {@code report.html}, also when a stage fails.
 */
public final class RecipeRunner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What happened to each stage of one run of a recipe. */
    public record Outcome(Recipe recipe, Dag dag, Map<String, StageState> states, Map<String, String> actions, String failedStage,
            int exitCode, Path report) {}

    private final RunStore runs;
    private final DataCatalog catalog;
    private final Path recipesRoot;
    private final StageCommands commands;
    private final Consumer<String> log;

    public RecipeRunner(RunStore runs, DataCatalog catalog, Path recipesRoot, StageCommands commands, Consumer<String> log) {
        this.runs = runs;
        this.catalog = catalog;
        this.recipesRoot = recipesRoot;
        this.commands = commands;
        this.log = log;
    }

    /** Checks every stage's command line before anything runs. */
    public Dag check(Recipe recipe) {
        Dag dag = Dag.of(recipe);
        for (Recipe.Stage s : dag.order()) {
            commands.check(recipe.file() + ":" + s.line() + " (stage " + s.name() + ")", commandLine(recipe, s, name -> placeholder(recipe, name)));
        }
        return dag;
    }

    /** The plan: each stage's action (cached, resume, run) and, for those to run, estimated seconds and peak memory. */
    public Outcome plan(Recipe recipe, String from) {
        Dag dag = check(recipe);
        Path dir = recipesRoot.resolve(recipe.name());
        Map<String, StageState> previous = readState(dir);
        Map<String, StageState> planned = new LinkedHashMap<>();
        Map<String, String> actions = new LinkedHashMap<>();
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> forced = forced(dag, from);
        for (Recipe.Stage s : dag.order()) {
            warnOfMissingFiles(recipe, s);
            // Upstream sizes from this plan, not the last run's state: a recipe never run before has none, and its
            // stages' estimates would go unscaled (the 286 s of a Fashion-MNIST run for a 60-row file).
            Identity id = identity(recipe, s, keys, planned, false);
            keys.put(s.name(), id.key());
            String action = action(s, id, previous.get(s.name()), forced);
            actions.put(s.name(), action);
            double[] estimate = action.equals("cached") ? new double[] {0, 0} : estimate(s, id, previous.get(s.name()));
            planned.put(s.name(), new StageState(id.key(), null, null, action, 0, 0, id.inputBytes(), estimate[0], estimate[1], 0, null));
        }
        return new Outcome(recipe, dag, planned, actions, null, 0, null);
    }

    /** Runs the recipe; {@code from}, when given, runs that stage and its descendants again even if cached. */
    public Outcome run(Recipe recipe, String from) {
        Outcome plan = plan(recipe, from);
        Path dir = recipesRoot.resolve(recipe.name());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + dir, e);
        }
        try (FileChannel lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(lockFile)) {
            if (lock == null) {
                throw new IllegalArgumentException("another run of recipe " + recipe.name() + " is in progress (it holds "
                        + dir.resolve("lock") + "); wait for it to end");
            }
            return runLocked(recipe, plan, dir, forced(plan.dag(), from));
        } catch (IOException e) {
            throw new UncheckedIOException("could not lock " + dir, e);
        }
    }

    /** The recipe's lock, or null when another process, or another run in this one, holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    private Outcome runLocked(Recipe recipe, Outcome plan, Path dir, List<String> forced) {
        Map<String, StageState> state = new LinkedHashMap<>(readState(dir));
        Map<String, String> actions = new LinkedHashMap<>(plan.actions());
        Map<String, String> keys = new LinkedHashMap<>();
        String failed = null;
        int exit = 0;
        writePlan(dir, recipe, plan.dag(), actions);
        for (Recipe.Stage s : plan.dag().order()) {
            if (failed != null) {
                actions.put(s.name(), "not run");
                writePlan(dir, recipe, plan.dag(), actions);
                continue;
            }
            StageState before = state.get(s.name());
            Identity id = identity(recipe, s, keys, state, true); // upstream outputs as they are now (re-run ones included)
            keys.put(s.name(), id.key());
            String action = action(s, id, before, forced);
            actions.put(s.name(), action);
            writePlan(dir, recipe, plan.dag(), actions);
            StageState estimate = plan.states().get(s.name());
            if (action.equals("cached")) {
                log.accept(String.format("stage %s: cached (run %s)", s.name(), before.run()));
                continue;
            }
            List<String> argv = commandLine(recipe, s, name -> output(recipe, state, name));
            log.accept(String.format("stage %s: %s %s%s", s.name(), action, String.join(" ", argv),
                    estimate.estimateSeconds() >= 0 ? String.format(" (estimate %.0f s)", estimate.estimateSeconds()) : ""));
            String out = s.options().containsKey("out") ? besideRecipe(recipe,
                    work(recipe, resolve(String.valueOf(s.options().get("out")), name -> output(recipe, state, name))), true) : null;
            // Written before the stage starts: a recipe killed now finds, next time, the run this process left interrupted.
            String resuming = action.equals("resume") ? interruptedRunOf(before) : null;
            state.put(s.name(), new StageState(id.key(), resuming, out, "running", 0, 0, id.inputBytes(), estimate.estimateSeconds(),
                    estimate.estimatePeakMb(), ProcessHandle.current().pid(), java.time.Instant.now().toString()));
            writeState(dir, state);
            PeakMemory.reset();
            long start = System.nanoTime();
            StageCommands.Executed e = resuming != null ? commands.resume(Path.of(resuming)) : commands.run(argv);
            double seconds = (System.nanoTime() - start) / 1e9;
            String runDir = e.runDir() != null ? e.runDir().toString() : resuming;
            String status = e.exitCode() == 0 ? "finished"
                    : "failed: " + (e.error() == null ? "exit code " + e.exitCode() : e.error().replaceFirst("^(error|failed): ", ""));
            state.put(s.name(), new StageState(id.key(), runDir, out, status, seconds, PeakMemory.peakMb(), id.inputBytes(),
                    estimate.estimateSeconds(), estimate.estimatePeakMb(), 0, null));
            writeState(dir, state);
            log.accept(String.format("stage %s: %s in %.1f s", s.name(), status, seconds));
            if (e.exitCode() != 0) {
                failed = s.name();
                exit = e.exitCode();
            }
        }
        Outcome o = new Outcome(recipe, plan.dag(), state, actions, failed, exit, dir.resolve("report.html"));
        RecipeReport.write(o, runs);
        return o;
    }

    private static List<String> forced(Dag dag, String from) {
        if (from == null) {
            return List.of();
        }
        if (dag.order().stream().noneMatch(s -> s.name().equals(from))) {
            throw new IllegalArgumentException("--from " + from + ": no such stage; the stages are "
                    + dag.order().stream().map(Recipe.Stage::name).toList());
        }
        List<String> out = new ArrayList<>(List.of(from));
        out.addAll(dag.descendants(from));
        return out;
    }

    private String action(Recipe.Stage s, Identity id, StageState before, List<String> forced) {
        if (forced.contains(s.name()) || before == null || !before.key().equals(id.key())) {
            return "run";
        }
        if (before.finished() && (before.run() == null || Files.isDirectory(Path.of(before.run())))) {
            return "cached";
        }
        if (before.status().equals("running") && commands.resumable(s.command()) && interruptedRunOf(before) != null) {
            return "resume";
        }
        return "run";
    }

    /** A value that reads as a file's name: a data file's ending, or a directory in it. */
    private static final java.util.regex.Pattern FILE_LIKE = java.util.regex.Pattern.compile(
            "(?i).*\\.(csv|tsv|jsonl|json|gz|eml|mbox|png|jpe?g|gif|bmp|tiff?|idx|ubyte|ya?ml)|.*/.*");

    /**
     * Says, before anything runs, which file a stage names that is not there (neither beside the recipe nor in the working
     * directory): the stage would fail on it, after the stages before it had run. Values written by a stage (its
     * {@code --out}), references to other stages' outputs and the recipe's work directory are made by the run, and known
     * data sets are fetched by it, so none of them is looked for.
     */
    private void warnOfMissingFiles(Recipe recipe, Recipe.Stage s) {
        List<String> argv = commandLine(recipe, s, reference -> "ref:" + reference);
        String work = recipesRoot.resolve(recipe.name()).resolve("work").toString();
        for (int i = s.command().size(); i < argv.size(); i++) {
            String token = argv.get(i);
            String before = argv.get(i - 1);
            if (token.startsWith("-") || token.contains("ref:") || token.startsWith(work) || OUTPUT_OPTIONS.contains(before)
                    || !FILE_LIKE.matcher(token).matches() || catalog.isKnown(token)) {
                continue;
            }
            try {
                if (Files.exists(Path.of(token))) {
                    continue;
                }
            } catch (java.nio.file.InvalidPathException e) {
                continue; // not a path
            }
            String key = before.startsWith("--") ? before.substring(2) : "args";
            log.accept(String.format("warning: %s:%d (stage %s): %s does not exist (a relative path is read from the recipe's"
                    + " directory, %s, or else from the working directory)", recipe.file(), s.lineOf(key), s.name(), token,
                    recipeDirectory(recipe)));
        }
    }

    /**
     * The run a killed stage left: {@code before.run()} when known, else the interrupted run that the recipe's process
     * (its pid, recorded when the stage started) created after the stage started. Null when there is none.
     */
    private String interruptedRunOf(StageState before) {
        if (before.run() != null) {
            return Files.isDirectory(Path.of(before.run())) && "interrupted".equals(runs.at(Path.of(before.run())).status())
                    ? before.run() : null;
        }
        if (before.started() == null) {
            return null;
        }
        java.time.Instant started = java.time.Instant.parse(before.started());
        for (Path p : runs.list()) {
            Run r = runs.at(p);
            Map<String, Object> prov;
            try {
                prov = r.provenance();
            } catch (RuntimeException e) {
                continue; // a damaged run is no candidate
            }
            Object pid = prov.get("pid");
            Object runStarted = prov.get("started");
            if (pid != null && Long.parseLong(String.valueOf(pid)) == before.pid() && runStarted != null
                    && !java.time.Instant.parse(String.valueOf(runStarted)).isBefore(started) && "interrupted".equals(r.status())) {
                return p.toString();
            }
        }
        return null;
    }

    /** {@code ${recipe.work}}: a directory of the recipe's own under $DISTILLERY_HOME for files its stages write. */
    static final String WORK = "${recipe.work}";

    private String work(Recipe recipe, String token) {
        return token.replace(WORK, recipesRoot.resolve(recipe.name()).resolve("work").toString());
    }

    /**
     * A stage's command line with references resolved by {@code outputs}, {@code ${recipe.work}} expanded and relative
     * paths read from the recipe's directory ({@link #besideRecipe}).
     */
    List<String> commandLine(Recipe recipe, Recipe.Stage s, java.util.function.Function<String, String> outputs) {
        List<String> argv = argv(s, outputs);
        List<String> out = new ArrayList<>(s.command()); // command words are no paths, whatever the directory holds
        for (int i = s.command().size(); i < argv.size(); i++) {
            boolean output = OUTPUT_OPTIONS.contains(argv.get(i - 1));
            out.add(besideRecipe(recipe, work(recipe, argv.get(i)), output));
        }
        return out;
    }

    /**
     * A relative path in a recipe names a file beside the recipe, as a compose file's or a DVC pipeline's do, wherever
     * {@code distillery run} is started: a recipe kept with its data ran only from that directory, and from anywhere else
     * failed with "file not found" (or hashed a directory of the working directory that shared a word's name). A value
     * that names nothing there stays as written: a known data set, a number, a word, or a path the working directory
     * holds. An {@code output} (the value of {@code --out}) goes beside the recipe whether it exists yet or not.
     */
    private static String besideRecipe(Recipe recipe, String token, boolean output) {
        if (token.isEmpty() || token.startsWith("-")) {
            return token;
        }
        try {
            Path path = Path.of(token);
            if (path.isAbsolute()) {
                return token;
            }
            Path beside = recipeDirectory(recipe).resolve(path).normalize();
            return output || Files.exists(beside) ? beside.toString() : token;
        } catch (java.nio.file.InvalidPathException e) {
            return token;
        }
    }

    /** The directory the recipe file is in. */
    static Path recipeDirectory(Recipe recipe) {
        Path parent = recipe.file().toAbsolutePath().getParent();
        return parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    /** A stage's command line, with each reference replaced by what {@code outputs} gives for it. */
    static List<String> argv(Recipe.Stage s, java.util.function.Function<String, String> outputs) {
        List<String> argv = new ArrayList<>(s.command());
        for (String a : s.args()) {
            argv.add(resolve(a, outputs));
        }
        for (Map.Entry<String, Object> o : s.options().entrySet()) {
            String flag = "--" + o.getKey();
            Object v = o.getValue();
            if (v instanceof Boolean b) {
                if (b) {
                    argv.add(flag);
                }
            } else if (v instanceof List<?> list) {
                argv.add(flag);
                argv.add(resolve(String.join(",", list.stream().map(String::valueOf).toList()), outputs));
            } else {
                argv.add(flag);
                argv.add(resolve(String.valueOf(v), outputs));
            }
        }
        return argv;
    }

    static String resolve(String value, java.util.function.Function<String, String> outputs) {
        Matcher m = Dag.REFERENCE.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(outputs.apply(m.group(1) + "." + m.group(2))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String placeholder(Recipe recipe, String reference) {
        return System.getProperty("java.io.tmpdir") + "/recipe-" + recipe.name() + "/" + reference.replace('.', '/');
    }

    /** An upstream stage's output as it now is: its run directory, saved model or {@code out}. */
    private static String output(Recipe recipe, Map<String, StageState> state, String reference) {
        String[] parts = reference.split("\\.", 2);
        StageState s = state.get(parts[0]);
        if (s == null || !s.finished()) {
            throw new IllegalStateException("stage " + parts[0] + " has not finished, so " + reference + " is not known");
        }
        return switch (parts[1]) {
            case "run" -> require(s.run(), reference, "wrote no run directory");
            case "model" -> require(s.run(), reference, "wrote no run directory") + "/model";
            case "out" -> require(s.out(), reference, "has no out");
            default -> recordedOutput(require(s.run(), reference, "wrote no run directory"), parts[1], reference);
        };
    }

    /**
     * The file a run recorded as its output {@code name} ({@code data split}'s parts, train and test): their names depend
     * on the data (train.csv for a CSV file, train.jsonl otherwise), so a recipe names the part, not the file.
     */
    @SuppressWarnings("unchecked")
    private static String recordedOutput(String run, String name, String reference) {
        Map<String, Object> outputs;
        try {
            Map<String, Object> provenance = new ObjectMapper().readValue(java.nio.file.Path.of(run, Run.PROVENANCE).toFile(), Map.class);
            outputs = (Map<String, Object>) provenance.getOrDefault("outputs", Map.of());
        } catch (IOException e) {
            throw new IllegalStateException(reference + ": the stage's run record cannot be read (" + e.getMessage() + ")", e);
        }
        if (!(outputs.get(name) instanceof Map<?, ?> output) || output.get("path") == null) {
            throw new IllegalStateException(reference + ": the stage recorded no output '" + name + "' (its outputs: "
                    + String.join(", ", outputs.keySet()) + ")");
        }
        return String.valueOf(output.get("path"));
    }

    private static String require(String v, String reference, String why) {
        if (v == null) {
            throw new IllegalStateException(reference + ": the stage " + why);
        }
        return v;
    }

    /** Options whose value is where a command writes, never what it reads. */
    private static final java.util.Set<String> OUTPUT_OPTIONS = java.util.Set.of("--out", "--output");

    /** A stage's identity and the size of its inputs. */
    record Identity(String key, long inputBytes) {}

    /**
     * Hash of what decides a stage's result: its command line with each reference replaced by the referenced stage's
     * own identity (so a changed upstream stage changes every stage below it), the code version, and the checksum of
     * every file, directory or known data set its arguments name.
     */
    private Identity identity(Recipe recipe, Recipe.Stage s, Map<String, String> keys, Map<String, StageState> state,
            boolean fetch) {
        List<String> material = new ArrayList<>();
        material.add("distillery " + Provenance.version() + " " + Provenance.commit());
        long bytes = 0;
        List<String> argv = commandLine(recipe, s, reference -> "ref:" + reference + ":" + keys.getOrDefault(reference.split("\\.", 2)[0], "?"));
        for (int i = 0; i < argv.size(); i++) {
            String token = argv.get(i);
            material.add(token);
            boolean command = i < s.command().size(); // "train", "split": words, though a directory may bear the name
            boolean output = i > 0 && OUTPUT_OPTIONS.contains(argv.get(i - 1)); // what a stage writes is not its input
            if (command || token.startsWith("-") || token.contains("ref:") || output) {
                continue;
            }
            for (Path p : inputsNamedBy(token, fetch)) {
                material.add(p + "=" + (Files.isDirectory(p) ? Hashing.sha256Tree(p) : Hashing.sha256(p)));
                bytes += dev.distillery.util.AtomicFiles.sizeOf(p);
            }
        }
        // The data flowing in from upstream stages' outputs (.out: a split, a curated file) counts as this stage's input,
        // for estimates. A model (.run, .model) does not: the runs that estimates come from recorded its size, not the
        // data it was trained on, and a quantize stage after a training on 1.2 MB was estimated at 256 s for 3.
        for (Map.Entry<String, String> k : keys.entrySet()) {
            if (material.stream().anyMatch(t -> t.contains("ref:" + k.getKey() + ".out:"))) {
                StageState up = state.get(k.getKey());
                bytes += up == null ? 0 : up.inputBytes();
            }
        }
        return new Identity(Hashing.sha256(String.join("\u0000", material)), bytes);
    }

    /**
     * Files a command-line value names: a known data set's files (fetched first when {@code fetch}: a stage about to
     * run would fetch it anyway, and its identity must be the one the next run computes), or an existing file or
     * directory.
     */
    private List<Path> inputsNamedBy(String token, boolean fetch) {
        try {
            if (catalog.isKnown(token)) {
                return fetch ? catalog.inputFiles(token, log) : catalog.inputFiles(token);
            }
            Path p = Path.of(token);
            return Files.exists(p) ? List.of(p) : List.of();
        } catch (RuntimeException e) {
            return List.of(); // not a path (a number, a word)
        }
    }

    /**
     * Seconds and peak MiB for a stage to run, from its last execution in this recipe scaled by the size of its
     * inputs, or from the most recent finished run of the same command in the run store; -1 when neither exists.
     */
    private double[] estimate(Recipe.Stage s, Identity id, StageState before) {
        if (before != null && before.seconds() > 0 && before.finished()) {
            double scale = before.inputBytes() > 0 && id.inputBytes() > 0 ? id.inputBytes() / (double) before.inputBytes() : 1;
            return new double[] {before.seconds() * scale, before.peakRssMb()};
        }
        return RunHistory.estimate(runs, argv(s, reference -> "<run>"), id.inputBytes());
    }

    static Map<String, StageState> readState(Path dir) {
        Path f = dir.resolve("state.json");
        if (!Files.isRegularFile(f)) {
            return new LinkedHashMap<>();
        }
        try {
            return JSON.readValue(f.toFile(), new TypeReference<LinkedHashMap<String, StageState>>() {});
        } catch (IOException e) {
            throw new IllegalArgumentException(f + " is damaged (" + e.getMessage() + "); delete it to run every stage again");
        }
    }

    /**
     * {@code plan.json}: the DAG of the run in progress (each stage's command, the stages it waits for, and what this run
     * does with it: run, cached, resume, not run), beside {@code state.json}, for readers such as the dashboard.
     */
    private static void writePlan(Path dir, Recipe recipe, Dag dag, Map<String, String> actions) {
        List<Map<String, Object>> stages = new ArrayList<>();
        for (Recipe.Stage s : dag.order()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("command", s.commandLine());
            m.put("after", List.copyOf(dag.dependsOn().get(s.name())));
            m.put("action", actions.getOrDefault(s.name(), "?"));
            stages.add(m);
        }
        try {
            AtomicFiles.writeString(dir.resolve("plan.json"), JSON.writeValueAsString(Map.of("recipe", recipe.file().toAbsolutePath().toString(),
                    "stages", stages)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeState(Path dir, Map<String, StageState> state) {
        try {
            AtomicFiles.writeString(dir.resolve("state.json"), JSON.writeValueAsString(state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
