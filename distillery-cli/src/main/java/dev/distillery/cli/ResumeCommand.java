package dev.distillery.cli;

import dev.distillery.run.Run;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code distillery resume RUN}: the interrupted run's own command line runs again in its directory, where each
 * training phase it finished hands back its model and the one it was in continues from its last epoch checkpoint
 * (weights, optimizer state, schedule position and random streams), so the outcome is the uninterrupted run's.
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Continue an interrupted run of a command that trains (train, distill, prune, factorize, lora, compress, "
                + "label simulate) from its checkpoints, with the options it was started with.",
                "Finished training phases are kept as they were; the one that was running continues after its last "
                        + "finished epoch, so the result equals an uninterrupted run's. The data must be unchanged."},
        footer = {"", "Example:", "  distillery resume 20261203-141500-distill-1a2b3c"})
final class ResumeCommand implements Callable<Integer> {
    /** The commands whose jobs checkpoint their training phases. */
    static final Set<String> RESUMABLE = Set.of("train", "distill", "prune", "factorize", "lora", "compress", "label simulate");

    @Parameters(index = "0", paramLabel = "RUN", description = "The interrupted run: its id, a unique part of it, or its directory.")
    String run;

    @Override
    public Integer call() {
        return rerun(run);
    }

    /** Runs the interrupted run's command line again, continuing its directory; returns that exit code. */
    static int rerun(String runRef) {
        Run interrupted = Context.fromEnvironment().runs().open(runRef);
        String status = interrupted.status();
        if (status.startsWith("incomplete") || status.startsWith("unreadable")) {
            throw new IllegalArgumentException("run " + interrupted.id() + " cannot be resumed: " + status + "; run the command again");
        }
        if ("running".equals(status)) {
            throw new IllegalArgumentException("run " + interrupted.id() + " is still running (process "
                    + interrupted.provenance().get("pid") + "); resume it once that process has stopped");
        }
        Map<String, Object> provenance = interrupted.provenance();
        Object command = provenance.get("command");
        if (!RESUMABLE.contains(String.valueOf(command))) {
            throw new IllegalArgumentException("run " + interrupted.id() + " is a '" + command + "' run, which keeps no "
                    + "checkpoints; run the command again");
        }
        if ("finished".equals(provenance.get("status"))) {
            throw new IllegalArgumentException("run " + interrupted.id() + " finished; there is nothing to resume");
        }
        List<String> args = provenance.get("args") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        Object cwd = provenance.get("cwd");
        if (cwd != null && !Path.of(cwd.toString()).equals(Path.of("").toAbsolutePath())) {
            throw new IllegalArgumentException("run " + interrupted.id() + " was started in " + cwd + " and its options may "
                    + "name files relative to it; resume it from there");
        }
        System.out.println("resuming run " + interrupted.id() + ": distillery " + String.join(" ", args));
        return Context.resuming(interrupted, () -> Main.commandLine().execute(args.toArray(String[]::new)));
    }
}
