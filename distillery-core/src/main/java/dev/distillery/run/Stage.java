package dev.distillery.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One step of the workflow (curate, train, distill, quantize, ...) as the run store records it: a name, a typed
 * configuration with every default resolved, the files it reads, the work, and what it writes. {@link StageRunner}
 * does the bookkeeping every stage shares, so a stage holds only its own work. The CLI's commands and a recipe's
 * stages build a stage and hand it to the runner.
 *
 * @param <C> the configuration, recorded as {@code config.json} (a record or a map Jackson can write)
 * @param <R> what the work returns; results, summary and outputs are read from it
 */
public interface Stage<C, R> {
    /** The command as a user types it ("train", "label issues"); the run directory is named after it. */
    String command();

    /** The resolved configuration: what a later run must match to continue this one, and what a reader repeats. */
    C config();

    /** The seed the work uses (0 for deterministic stages without one). */
    default long seed() {
        return 0;
    }

    /**
     * Every file or directory the stage reads (data, test data, teacher and source models): provenance records each
     * one's SHA-256, and a continued run refuses inputs that changed.
     */
    List<Path> inputs();

    /** The work, writing its artifacts into {@code run}. */
    R execute(Run run);

    /** The figures for {@code results.json}. */
    Map<String, Object> results(R outcome);

    /** The Markdown for {@code summary.md}. */
    String summary(R outcome);

    /**
     * What the stage wrote, by name ({@code model}, {@code data}, {@code pairs}, ...), for later stages and recipes to
     * refer to; provenance records each one's path and SHA-256.
     */
    default Map<String, Path> outputs(Run run, R outcome) {
        return java.nio.file.Files.isDirectory(run.modelDir()) ? Map.of("model", run.modelDir()) : Map.of();
    }

    /**
     * A stage assembled from its parts, for a job whose work is a method call: {@code Stage.named("curate", settings)
     * .reads(inputs).seeded(seed).does(run -> ...).reports(Job::results, Job::summary).writes((run, o) -> ...)}.
     */
    static <C, R> Parts<C, R> named(String command, C config) {
        return new Parts<>(command, config, 0, List.of(), null, null, null, null);
    }

    /** The parts of a {@link #named} stage; each method returns a copy with one more part. */
    record Parts<C, R>(String command, C config, long seed, List<Path> inputs, java.util.function.Function<Run, R> work,
            java.util.function.Function<R, Map<String, Object>> resultsOf, java.util.function.Function<R, String> summaryOf,
            java.util.function.BiFunction<Run, R, Map<String, Path>> outputsOf) implements Stage<C, R> {
        public Parts<C, R> reads(List<Path> files) {
            return new Parts<>(command, config, seed, List.copyOf(files), work, resultsOf, summaryOf, outputsOf);
        }

        public Parts<C, R> seeded(long s) {
            return new Parts<>(command, config, s, inputs, work, resultsOf, summaryOf, outputsOf);
        }

        public Parts<C, R> does(java.util.function.Function<Run, R> w) {
            return new Parts<>(command, config, seed, inputs, w, resultsOf, summaryOf, outputsOf);
        }

        public Parts<C, R> reports(java.util.function.Function<R, Map<String, Object>> results,
                java.util.function.Function<R, String> summary) {
            return new Parts<>(command, config, seed, inputs, work, results, summary, outputsOf);
        }

        public Parts<C, R> writes(java.util.function.BiFunction<Run, R, Map<String, Path>> outputs) {
            return new Parts<>(command, config, seed, inputs, work, resultsOf, summaryOf, outputs);
        }

        @Override
        public R execute(Run run) {
            return work.apply(run);
        }

        @Override
        public Map<String, Object> results(R outcome) {
            return resultsOf.apply(outcome);
        }

        @Override
        public String summary(R outcome) {
            return summaryOf.apply(outcome);
        }

        @Override
        public Map<String, Path> outputs(Run run, R outcome) {
            return outputsOf == null ? Stage.super.outputs(run, outcome) : outputsOf.apply(run, outcome);
        }
    }
}
