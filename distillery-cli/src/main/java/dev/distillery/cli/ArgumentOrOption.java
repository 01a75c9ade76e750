package dev.distillery.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What a command reads, given either as its argument or as an option ({@code RUN} or {@code --model RUN}, {@code DATA}
 * or {@code --data DATA}). Commands had learned one form each: {@code train --data} but {@code label issues DATA}; a
 * user who carried one form to another command got "Unknown option" or "Unmatched argument", so each takes both.
 */
final class ArgumentOrOption {
    private ArgumentOrOption() {}

    /**
     * The one value given, in whichever form; a usage error if both are given and differ, or neither (for example
     * {@code what} "the model", {@code label} "RUN", {@code option} "--model").
     */
    static String one(CommandSpec spec, String argument, String option, String what, String label, String optionName) {
        if (argument != null && option != null && !argument.equals(option)) {
            throw new ParameterException(spec.commandLine(), capitalized(what) + " given twice, differently (" + argument
                    + " and " + optionName + " " + option + "): give it once, as " + label + " or as " + optionName + " " + label);
        }
        if (argument == null && option == null) {
            throw new ParameterException(spec.commandLine(), "Missing " + what + ": give it as " + label + " or as "
                    + optionName + " " + label);
        }
        return argument != null ? argument : option;
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
