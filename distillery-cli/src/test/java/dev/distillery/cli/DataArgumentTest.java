package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every command that reads one data file takes it as its argument or as --data, the same either way. */
class DataArgumentTest extends CliTestBase {
    @Test
    void dataIsTakenAsArgumentOrOptionByEveryCommandThatReadsIt() throws Exception {
        Path f = spamFile(20);
        String data = f.toString();
        Path out = dir.resolve("out");
        List<List<String>> commands = List.of(
                List.of("train", "--model", "linear", "--seed", "1"),
                List.of("data", "inspect"),
                List.of("data", "split", "--out", out.toString()),
                List.of("label", "issues", "--model", "linear", "--folds", "2"),
                List.of("curate", "--out", dir.resolve("clean.jsonl").toString()));
        for (List<String> command : commands) {
            Result asArgument = run(with(command, data));
            Result asOption = run(with(command, "--data", data));
            assertThat(asArgument.exitCode()).as(command + " " + asArgument.err()).isZero();
            assertThat(asOption.exitCode()).as(command + " --data: " + asOption.err()).isZero();
            assertThat(numbersOf(asOption.out())).as(command.toString()).isEqualTo(numbersOf(asArgument.out()));

            Result two = run(with(command, data, "--data", dir.resolve("other.jsonl").toString()));
            assertThat(two.exitCode()).as(command.toString()).isEqualTo(2);
            assertThat(two.err()).as(command.toString()).contains("given twice, differently", "--data");
            Result none = run(command.toArray(String[]::new));
            assertThat(none.exitCode()).as(command.toString()).isEqualTo(2);
            assertThat(none.err()).as(command.toString()).contains("Missing the", "--data");
        }
    }

    /** The figures a command printed (accuracies, counts), without run ids, times and speeds that differ between runs. */
    private static List<String> numbersOf(String out) {
        return out.lines().filter(l -> !l.contains("run saved") && !l.contains("ex/s") && !l.contains(" ms") && !l.contains("next:")
                        && !l.contains("summary:") && !l.contains("(0.") && !l.matches(".*\\d+\\.\\d s.*"))
                .flatMap(l -> java.util.regex.Pattern.compile("\\d+\\.\\d{3,}").matcher(l).results().map(m -> m.group()))
                .toList();
    }
}
