package dev.distillery.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The saved model a command works on, given either as its first argument or as {@code --model RUN}. eval and predict
 * took the option and export and compress the argument; a user who had learned one form and tried it on another
 * command got "Unknown option: '--model'", so every command that reads one saved model takes both.
 */
final class ModelArgument {
    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN",
            description = "The model: a run id (or a unique part of it), a run directory or a model directory.")
    String argument;

    @Option(names = "--model", paramLabel = "RUN", description = "The model, as an option instead of the argument.")
    String option;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** What the user gave, in whichever form: exactly one is required. */
    String ref() {
        if (argument != null && option != null && !argument.equals(option)) {
            throw new ParameterException(spec.commandLine(), "Two models given (" + argument + " and --model " + option
                    + "): give one, as RUN or as --model RUN");
        }
        if (argument == null && option == null) {
            throw new ParameterException(spec.commandLine(), "Missing the model: give a run id, run directory or model "
                    + "directory, as RUN or as --model RUN");
        }
        return argument != null ? argument : option;
    }
}
