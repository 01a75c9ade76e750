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
                List.of("curate", "--out", dir.resolve("clean.jsonl").toString()),
                List.of("federate", "--model", "ngram", "--width", "4", "--clients", "2", "--rounds", "1", "--seed", "1"));
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

    /** eval and predict take the model and the data in every form the other commands teach, with the same answers. */
    @Test
    void modelAndDataAreTakenInEveryFormByEvalAndPredict() throws Exception {
        String data = spamFile(20).toString();
        Result train = run("train", "--model", "linear", "--seed", "1", data);
        assertThat(train.exitCode()).as(train.err()).isZero();
        String model = train.runId();
        List<List<String>> forms = List.of(List.of(model, data), List.of("--model", model, data), List.of(model, "--data", data),
                List.of("--model", model, "--data", data), List.of("--model", model, "--input", data));
        Result predicted = null;
        for (List<String> form : forms) {
            Result predict = run(with(List.of("predict"), form.toArray(String[]::new)));
            assertThat(predict.exitCode()).as(form + " " + predict.err()).isZero();
            assertThat(predict.out().lines()).as(form.toString()).hasSize(40);
            if (predicted != null) {
                assertThat(predict.out()).as(form.toString()).isEqualTo(predicted.out());
            }
            predicted = predict;
            Result eval = run(with(List.of("eval"), form.toArray(String[]::new)));
            assertThat(eval.exitCode()).as("eval " + form + " " + eval.err()).isZero();
            assertThat(eval.out()).contains("accuracy");
        }

        Result twice = run("predict", model, data, "--data", dir.resolve("other.jsonl").toString());
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("given twice, differently", "--data");
        Result both = run("predict", model, data, "--text", "free money");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("Both data and --text given");
        Result none = run("predict", model);
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing what to predict on", "--text");
        Result noData = run("eval", "--model", model);
        assertThat(noData.exitCode()).isEqualTo(2);
        assertThat(noData.err()).contains("Missing the data");
        Result text = run("predict", "--model", model, "--text", "free money");
        assertThat(text.exitCode()).as(text.err()).isZero();
    }

    /** The figures a command printed (accuracies, counts), without run ids, times and speeds that differ between runs. */
    private static List<String> numbersOf(String out) {
        return out.lines().filter(l -> !l.contains("run saved") && !l.contains("ex/s") && !l.contains(" ms") && !l.contains("next:")
                        && !l.contains("summary:") && !l.contains("(0.") && !l.matches(".*\\d+\\.\\d s.*"))
                .flatMap(l -> java.util.regex.Pattern.compile("\\d+\\.\\d{3,}").matcher(l).results().map(m -> m.group()))
                .toList();
    }
}
