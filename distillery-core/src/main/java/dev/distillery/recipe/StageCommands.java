package dev.distillery.recipe;

import java.nio.file.Path;
import java.util.List;

/**
 * How a recipe's stages reach the commands: the CLI implements it with its own command classes, so a stage takes
 * exactly the options, checks and defaults the command takes on the command line (one mechanism for both).
 */
public interface StageCommands {
    /**
     * Checks a stage's command line without running it (unknown command or option, a value of the wrong type, a
     * missing required option); throws a {@link dev.distillery.data.DataFormatException} naming {@code where}.
     */
    void check(String where, List<String> argv);

    /** Runs a command line; what it left behind and whether it succeeded. */
    Executed run(List<String> argv);

    /** Continues an interrupted run from its last checkpoint (the CLI's {@code resume}). */
    Executed resume(Path runDir);

    /** Whether runs of this command keep checkpoints, so an interrupted one can be resumed. */
    boolean resumable(List<String> command);

    /**
     * @param exitCode 0 success, 2 bad input, 1 failure
     * @param runDir   the run directory the command wrote, or null
     * @param error    the error it printed, or null
     */
    record Executed(int exitCode, Path runDir, String error) {}
}
