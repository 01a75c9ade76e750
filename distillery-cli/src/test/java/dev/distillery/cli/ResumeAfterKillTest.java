package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume, tested as it happens: {@code distillery train} runs as a real process, is killed with SIGKILL once it has
 * written a checkpoint, and {@code distillery resume} continues it in a new process. The resumed run must end with
 * the weights of an uninterrupted run of the same seed, bit for bit, and record each epoch once, with the losses of
 * the uninterrupted run (so training continued from where it was, not from random weights).
 */
class ResumeAfterKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void trainKilledAfterACheckpointAndResumedEndsWithTheUninterruptedRunsWeights() throws Exception {
        Path data = images(dir.resolve("images.jsonl"));
        // CNN with dropout and flips: weights, Adam's moments, the schedule and the random streams must all come back.
        List<String> train = List.of("train", "--data", data.toString(), "--model", "cnn", "--width", "8", "--epochs", "30",
                "--batch-size", "32", "--seed", "7");
        Path wholeHome = dir.resolve("whole");
        assertThat(cli(wholeHome, train).waitFor()).isZero();
        Path whole = onlyRun(wholeHome);
        // libtorch logs at ERROR from the start: on a CPU without NNPACK (these machines) its warning used to open every command
        assertThat(CliProcess.logs(wholeHome)).doesNotContain("NNPACK");

        Path home = dir.resolve("killed");
        Process process = cli(home, train);
        Path state = null;
        int killedAfter = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (killedAfter < 2 && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            state = state != null ? state : find(home, "state.json");
            killedAfter = state == null ? 0 : epochOf(state);
        }
        assertThat(process.isAlive()).as("the run was still training when a checkpoint appeared").isTrue();
        process.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no chance to tidy up
        Path run = onlyRun(home);
        assertThat(JSON.readTree(run.resolve("provenance.json").toFile()).get("status").asText()).isEqualTo("running");
        assertThat(new dev.distillery.run.RunStore(run.getParent()).at(run).status()).as("a killed run's status").isEqualTo("interrupted");
        killedAfter = epochOf(state);
        assertThat(killedAfter).isBetween(2, 29);

        Process resumed = cli(home, List.of("resume", run.getFileName().toString()));
        assertThat(resumed.waitFor()).as("resume exit code").isZero();
        assertThat(JSON.readTree(run.resolve("provenance.json").toFile()).get("status").asText()).isEqualTo("finished");
        assertThat(Files.readAllBytes(run.resolve("model/weights.params")))
                .as("weights after resuming from epoch %d", killedAfter)
                .isEqualTo(Files.readAllBytes(whole.resolve("model/weights.params")));
        List<JsonNode> resumedMetrics = metrics(run);
        List<JsonNode> wholeMetrics = metrics(whole);
        assertThat(resumedMetrics).extracting(m -> m.get("epoch").asInt())
                .containsExactlyElementsOf(wholeMetrics.stream().map(m -> m.get("epoch").asInt()).toList());
        assertThat(resumedMetrics).extracting(m -> m.get("train_loss").asDouble())
                .containsExactlyElementsOf(wholeMetrics.stream().map(m -> m.get("train_loss").asDouble()).toList());
        assertThat(JSON.readTree(run.resolve("results.json").toFile()).get("test_accuracy"))
                .isEqualTo(JSON.readTree(whole.resolve("results.json").toFile()).get("test_accuracy"));
    }

    @Test
    void aRecipeKilledMidStageResumesThatStageAndEndsLikeAnUninterruptedRecipe() throws Exception {
        Path data = images(dir.resolve("images.jsonl"));
        Path recipe = dir.resolve("bars.yaml");
        Files.writeString(recipe, """
                stages:
                  model:
                    command: train
                    with: {data: "%s", model: cnn, width: 8, epochs: 30, batch-size: 32, seed: 7}
                  check:
                    command: eval
                    with: {model: "${stages.model.run}", data: "%s"}
                """.formatted(data, data));
        Path wholeHome = dir.resolve("whole-recipe");
        assertThat(cli(wholeHome, List.of("run", recipe.toString())).waitFor()).isZero();

        Path home = dir.resolve("killed-recipe");
        Process process = cli(home, List.of("run", recipe.toString()));
        Path state = null;
        int epoch = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (epoch < 2 && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            state = state != null ? state : find(home, "state.json");
            epoch = state == null ? 0 : epochOf(state);
        }
        assertThat(process.isAlive()).as("the recipe was still training when a checkpoint appeared").isTrue();
        process.destroyForcibly().waitFor(); // SIGKILL, mid-stage

        Process again = cli(home, List.of("run", recipe.toString()));
        assertThat(again.waitFor()).as("re-run exit code").isZero();
        String log;
        try (Stream<Path> logs = Files.list(home)) {
            Path newest = logs.filter(p -> p.getFileName().toString().startsWith("log-")).max(java.util.Comparator.naturalOrder()).orElseThrow();
            log = Files.readString(newest);
        }
        assertThat(log).contains("stage model: resume");
        Path resumed = trainRun(home);
        assertThat(Files.readAllBytes(resumed.resolve("model/weights.params"))).as("weights of the resumed stage")
                .isEqualTo(Files.readAllBytes(trainRun(wholeHome).resolve("model/weights.params")));
        assertThat(metrics(resumed)).extracting(m -> m.get("train_loss").asDouble())
                .containsExactlyElementsOf(metrics(trainRun(wholeHome)).stream().map(m -> m.get("train_loss").asDouble()).toList());
    }

    private static Path trainRun(Path home) throws IOException {
        try (Stream<Path> runs = Files.list(home.resolve("runs"))) {
            List<Path> train = runs.filter(p -> p.getFileName().toString().contains("-train-")).toList();
            assertThat(train).as("one train run: resumed, not started again").hasSize(1);
            return train.get(0);
        }
    }

    private Process cli(Path home, List<String> args) throws IOException {
        return CliProcess.start(home, args);
    }

    private static Path onlyRun(Path home) throws IOException {
        try (Stream<Path> runs = Files.list(home.resolve("runs"))) {
            List<Path> all = runs.filter(Files::isDirectory).toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    private static Path find(Path home, String name) throws IOException {
        if (!Files.isDirectory(home.resolve("runs"))) {
            return null;
        }
        try (Stream<Path> files = Files.walk(home.resolve("runs"))) {
            return files.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElse(null);
        } catch (java.io.UncheckedIOException e) {
            return null; // a temporary file the running process moved away while we walked: the next poll looks again
        }
    }

    private static int epochOf(Path state) {
        try {
            return JSON.readTree(state.toFile()).get("epoch").asInt();
        } catch (IOException e) {
            return 0; // replaced while we read it; the next poll sees the new one
        }
    }

    private static List<JsonNode> metrics(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    /** 1x12x12 images of a vertical or horizontal bar with noise, 300 of each. */
    private static Path images(Path file) throws IOException {
        Random rng = new Random(3);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            boolean vertical = i % 2 == 0;
            int pos = 1 + rng.nextInt(10);
            StringBuilder px = new StringBuilder();
            for (int k = 0; k < 144; k++) {
                int y = k / 12;
                int x = k % 12;
                float v = rng.nextFloat() * 0.4f + ((vertical ? x : y) == pos ? 0.6f : 0f);
                px.append(k == 0 ? "" : ",").append(v);
            }
            lines.add("{\"id\":\"img" + i + "\",\"features\":[" + px + "],\"shape\":[1,12,12],\"label\":\""
                    + (vertical ? "v" : "h") + "\"}");
        }
        Files.write(file, lines);
        return file;
    }
}
