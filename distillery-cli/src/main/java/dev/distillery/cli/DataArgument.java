package dev.distillery.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The one data set a command reads, given either as its first argument or as {@code --data DATA}: {@code train} took
 * the option and {@code label issues}, {@code curate} and {@code data inspect} the argument, so a user who carried one
 * form to another command got "Unmatched argument" or "Unknown option". Each such command now takes both, as
 * {@link ModelArgument} does for a saved model.
 */
final class DataArgument {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DATA",
            description = "The data: a known data set (see `distillery data list`) or a file; as the argument or as --data.")
    String argument;

    @Option(names = "--data", paramLabel = "DATA", description = "The data, as an option instead of the argument.")
    String option;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** What the user gave, in whichever form: exactly one is required. */
    String ref() {
        return ArgumentOrOption.one(spec, argument, option, "the data", "DATA", "--data");
    }
}
