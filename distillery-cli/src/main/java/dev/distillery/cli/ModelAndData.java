package dev.distillery.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The saved model and the data a command applies it to ({@code eval}, {@code predict}), in any of the forms a user
 * carries over from the other commands: {@code RUN DATA}, {@code --model RUN --data DATA}, {@code --model RUN DATA} or
 * {@code RUN --data DATA}. Both commands took the model as their one argument, so {@code predict --model RUN data.csv}
 * (the form {@code train DATA} teaches) read data.csv as a second model and failed with "Missing required argument".
 */
final class ModelAndData {
    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN",
            description = "The model: a run id (or a unique part of it), a run directory or a model directory.")
    String first;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DATA",
            description = "The data, after RUN (or alone, after --model RUN): a known data set or a file.")
    String second;

    @Option(names = "--model", paramLabel = "RUN", description = "The model, as an option instead of the argument.")
    String modelOption;

    @Option(names = {"--data", "--input"}, paramLabel = "DATA", description = "The data, as an option instead of the argument.")
    String dataOption;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The model, given once in either form. */
    String model() {
        return ArgumentOrOption.one(spec, modelArgument(), modelOption, "the model (a run id, run directory or model directory)",
                "RUN", "--model");
    }

    /** The data, given once in either form. */
    String data() {
        return ArgumentOrOption.one(spec, dataArgument(), dataOption, "the data", "DATA", "--data");
    }

    /** Whether any form of the data was given ({@code predict --text} takes texts instead). */
    boolean hasData() {
        return dataArgument() != null || dataOption != null;
    }

    /** One argument is the data when the model came as --model and the data did not come as --data. */
    private boolean loneArgumentIsData() {
        return second == null && modelOption != null && dataOption == null;
    }

    private String modelArgument() {
        return loneArgumentIsData() ? null : first;
    }

    private String dataArgument() {
        return loneArgumentIsData() ? first : second;
    }
}
