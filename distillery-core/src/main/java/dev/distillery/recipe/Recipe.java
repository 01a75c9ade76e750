package dev.distillery.recipe;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A workflow as one file: named stages, each a Distillery command with its arguments and options, which may refer to
 * another stage's outputs ({@code ${stages.NAME.run}}, {@code .model}, {@code .out}) instead of run ids copied by hand.
 *
 * @param name   the recipe's name: where its cache and reports live
 * @param file   the YAML file it was read from
 * @param stages in the file's order
 * @param intendedUse what the final model is for and not for, in the author's words (the report's model card); may be null
 */
public record Recipe(String name, Path file, List<Stage> stages, String intendedUse) {

    /**
     * One stage.
     *
     * @param command the command's words, e.g. {@code [train]} or {@code [data, split]}
     * @param args    positional arguments, in order
     * @param options option name (without dashes) to value: a string, number, boolean (a flag) or list (comma-joined)
     * @param after   stages that must finish first although no reference says so
     * @param line    the line of the stage in the file
     * @param lines   the line of its {@code args} and of each option, for messages about them
     */
    public record Stage(String name, List<String> command, List<String> args, Map<String, Object> options, List<String> after,
            int line, Map<String, Integer> lines) {
        /** The line where {@code key} ("args" or an option name) is written, or the stage's own. */
        public int lineOf(String key) {
            return lines == null ? line : lines.getOrDefault(key, line);
        }

        public String commandLine() {
            return String.join(" ", command);
        }
    }

    public Stage stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
}
