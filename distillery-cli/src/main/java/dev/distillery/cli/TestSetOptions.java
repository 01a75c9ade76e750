package dev.distillery.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where a command that trains finds its test examples: a test set of its own ({@code --test}), or a stratified share of
 * its training data held out ({@code --test-fraction}, groups of duplicates kept on one side). One reading for train,
 * federate and lora, so each refuses the same mistakes the same way.
 */
final class TestSetOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--test", paramLabel = "DATA", description = "Labeled test data, read as the training data is; if absent,"
            + " --test-fraction of the training data is held out.")
    String test;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Stratified share of the training data held out for testing when --test is absent (duplicates"
                    + " kept on one side). Default: ${DEFAULT-VALUE}.")
    double fraction;

    /**
     * Refuses both options at once (a fraction given with a test set would be ignored without a word) and a fraction
     * outside (0, 1) where one is held out.
     */
    void check() {
        if (test != null && command.commandLine().getParseResult().hasMatchedOption("--test-fraction")) {
            throw new ParameterException(command.commandLine(), "--test and --test-fraction both given: the fraction is"
                    + " held out only when there is no test set");
        }
        if (test == null && !(fraction > 0 && fraction < 1)) {
            throw new ParameterException(command.commandLine(), "--test-fraction must be between 0 and 1, exclusive, got "
                    + fraction);
        }
    }
}
