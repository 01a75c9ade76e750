package dev.distillery.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
        return ArgumentOrOption.one(spec, argument, option, "the model (a run id, run directory or model directory)", "RUN",
                "--model");
    }
}
