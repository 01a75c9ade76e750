package dev.distillery.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link Stage} with the bookkeeping every stage shares: a run directory, the resolved configuration, provenance
 * (software, machine, seed, command line, SHA-256 of every input), results and summary, the outputs with their
 * SHA-256, and the status: "finished", or "failed: reason" with the failure rethrown. A run continued after an
 * interruption ({@link RunStore#resuming}) goes through the same steps, which then check rather than write.
 */
public final class StageRunner {
    private final RunStore runs;

    public StageRunner(RunStore runs) {
        this.runs = runs;
    }

    /** Runs {@code stage} in a new run directory (or the one being resumed); {@code args} is its command line. */
    public <C, R> R run(Stage<C, R> stage, List<String> args) {
        Run run = runs.create(stage.command().replace(' ', '-'));
        run.writeConfig(asMap(stage.config()));
        run.start(stage.command(), args, stage.seed(), stage.inputs());
        try {
            R outcome = stage.execute(run);
            Map<String, Path> outputs = stage.outputs(run, outcome);
            run.finish("finished", stage.results(outcome), outputs);
            run.writeSummary(stage.summary(outcome));
            return outcome;
        } catch (RuntimeException | Error e) {
            run.finish("failed: " + e.getMessage(), null, Map.of());
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object config) {
        return config instanceof Map<?, ?> m ? (Map<String, Object>) m : RunStore.JSON.convertValue(config, Map.class);
    }
}
