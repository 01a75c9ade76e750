package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Federated training as it runs for real: a coordinator process and three client processes, each with its own home
 * and its own silo file, talking HTTP on loopback. One client is killed after the first round: the coordinator must go
 * on (round deadline, the killed client's masks removed with the others' revealed secrets) and finish every round.
 */
class FederatedProcessesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A silo of short texts: spam and ham told apart by their words, {@code perClass} of each. */
    private Path silo(String name, int perClass, long seed) throws Exception {
        Random rng = new Random(seed);
        String[] spam = {"free", "money", "winner", "click", "offer", "prize"};
        String[] ham = {"meeting", "patch", "review", "kernel", "thanks", "agenda"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2 * perClass; i++) {
            String[] v = i % 2 == 0 ? spam : ham;
            String text = v[rng.nextInt(6)] + " the " + v[rng.nextInt(6)] + " and " + v[rng.nextInt(6)];
            lines.add("{\"id\":\"" + name + i + "\",\"text\":\"" + text + "\",\"label\":\"" + (i % 2 == 0 ? "spam" : "ham") + "\"}");
        }
        Path f = dir.resolve(name + ".jsonl");
        Files.write(f, lines);
        return f;
    }

    @Test
    void aCoordinatorAndThreeClientProcessesFinishEveryRoundThoughOneClientIsKilled() throws Exception {
        Path test = silo("test", 40, 9);
        Path coordinatorHome = dir.resolve("coordinator");
        Process coordinator = CliProcess.start(coordinatorHome, List.of("federate", "coordinator", "--test", test.toString(), "--clients", "3",
                "--rounds", "4", "--local-epochs", "2", "--round-timeout", "20", "--join-timeout", "120", "--model", "ngram", "--width", "8",
                "--batch-size", "16", "--lr", "0.05"));
        String url = null;
        Pattern listening = Pattern.compile("coordinator listening on (http://\\S+)");
        for (int i = 0; i < 600 && url == null; i++) {
            Matcher m = listening.matcher(CliProcess.logs(coordinatorHome));
            url = m.find() ? m.group(1) : null;
            Thread.sleep(100);
            assertThat(coordinator.isAlive()).as(CliProcess.logs(coordinatorHome)).isTrue();
        }
        assertThat(url).as("the coordinator printed its address").isNotNull();
        List<Process> clients = new ArrayList<>();
        List<Path> homes = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            Path home = dir.resolve("client" + c);
            homes.add(home);
            clients.add(CliProcess.start(home, List.of("federate", "join", "--coordinator", url, "--data",
                    silo("silo" + c, 20 + 10 * c, c).toString(), "--name", "silo" + c)));
        }
        Path metrics = runOf(coordinatorHome).resolve("metrics.jsonl");
        for (int i = 0; i < 1200 && !(Files.exists(metrics) && !Files.readAllLines(metrics).isEmpty()); i++) {
            Thread.sleep(100);
        }
        assertThat(metrics).as(CliProcess.logs(coordinatorHome)).exists();
        clients.get(2).destroyForcibly(); // gone without a word, mid-federation

        assertThat(coordinator.waitFor(180, TimeUnit.SECONDS)).as("the coordinator did not wait forever for the killed client").isTrue();
        assertThat(coordinator.exitValue()).as(CliProcess.logs(coordinatorHome)).isZero();
        for (int c = 0; c < 2; c++) {
            assertThat(clients.get(c).waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(clients.get(c).exitValue()).as(CliProcess.logs(homes.get(c))).isZero();
        }
        Path run = runOf(coordinatorHome);
        List<JsonNode> rounds = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            rounds.add(JSON.readTree(line));
        }
        assertThat(rounds).hasSize(4);
        assertThat(rounds.stream().anyMatch(r -> r.path("dropped").size() > 0)).as("a round saw the killed client drop out").isTrue();
        assertThat(rounds.get(3).path("test_accuracy").asDouble()).isGreaterThan(0.8);
        assertThat(run.resolve("model/model.json")).exists();
        // The coordinator read only the test file: no silo's data is among its inputs.
        String provenance = Files.readString(run.resolve("provenance.json"));
        assertThat(provenance).contains(test.toString()).doesNotContain("silo0.jsonl", "silo1.jsonl", "silo2.jsonl");
        JsonNode client0 = JSON.readTree(runOf(homes.get(0)).resolve("results.json").toFile());
        assertThat(client0.path("rounds_trained").asInt()).isEqualTo(4);
        assertThat(client0.path("bytes_sent").asLong()).isPositive();
    }

    private static Path runOf(Path home) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Files.isDirectory(home.resolve("runs"))) {
                try (Stream<Path> runs = Files.list(home.resolve("runs"))) {
                    var found = runs.filter(Files::isDirectory).findFirst();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no run in " + home);
    }
}
