package dev.distillery.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageRunnerTest {
    @TempDir
    Path dir;

    /** The configuration of the test's stage, recorded as config.json. */
    record Doubling(String input, int times) {}

    @Test
    void aFinishedStageRecordsConfigInputsResultsSummaryAndItsOutputsWithChecksums() throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"), "21");
        Path output = dir.resolve("out.txt");
        RunStore store = new RunStore(dir.resolve("runs"));
        Run finished = new StageRunner(store).run(Stage.<Doubling, Run>named("label issues", new Doubling(input.toString(), 2))
                .seeded(7)
                .reads(List.of(input))
                .does(run -> {
                    dev.distillery.util.AtomicFiles.writeString(output, "42");
                    return run;
                })
                .reports(run -> Map.of("value", 42), run -> "# doubled\n")
                .writes((run, o) -> Map.of("data", output)), List.of("--times", "2"));

        assertThat(finished.id()).contains("-label-issues-");
        assertThat(finished.config()).containsEntry("input", input.toString()).containsEntry("times", 2);
        Map<String, Object> p = finished.provenance();
        assertThat(p).containsEntry("status", "finished").containsEntry("command", "label issues").containsEntry("seed", 7);
        assertThat(p.get("inputs")).isEqualTo(Map.of(input.toAbsolutePath().toString(), Hashing.sha256(input)));
        assertThat(p.get("outputs")).isEqualTo(Map.of("data", Map.of("path", output.toAbsolutePath().toString(),
                "sha256", Hashing.sha256(output))));
        assertThat(finished.results()).containsEntry("value", 42);
        assertThat(finished.summary()).isEqualTo("# doubled\n");
    }

    @Test
    void aFailingStageIsRecordedAsFailedWithTheReasonAndTheErrorReachesTheCaller() {
        RunStore store = new RunStore(dir.resolve("runs"));
        Stage<Map<String, Object>, Object> failing = Stage.<Map<String, Object>, Object>named("train", Map.of("epochs", 1))
                .does(run -> {
                    throw new IllegalArgumentException("the data has one class");
                })
                .reports(o -> Map.of(), o -> "");
        assertThatThrownBy(() -> new StageRunner(store).run(failing, List.of())).hasMessage("the data has one class");
        Run run = store.open(store.list().get(0).toString());
        assertThat(run.status()).isEqualTo("failed: the data has one class");
        assertThat(run.dir().resolve(Run.RESULTS)).doesNotExist();
    }
}
