package dev.distillery.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStoreTest {
    @TempDir
    Path dir;

    @Test
    void createsOpensByPrefixOrSuffixAndListsRuns() {
        RunStore store = new RunStore(dir);
        Run a = store.create("train");
        Run b = store.create("eval");
        a.start("train", List.of("--x"), 5, List.of());
        b.start("eval", List.of(), 0, List.of());
        assertThat(a.id()).matches("\\d{8}-\\d{6}-train-[0-9a-f]{6}");
        assertThat(RunStore.commandOf(a.dir())).isEqualTo("train");
        assertThat(RunStore.commandOf(store.create("data-split").dir())).isEqualTo("data-split");
        assertThat(RunStore.commandOf(dir.resolve("not-a-run"))).isNull();
        assertThat(store.list()).hasSize(2);
        assertThat(store.open(a.id()).dir()).isEqualTo(a.dir());
        assertThat(store.open(a.id().substring(a.id().length() - 6)).dir()).isEqualTo(a.dir());
        assertThat(store.open(a.dir().toString()).dir()).isEqualTo(a.dir());
        assertThatThrownBy(() -> store.open("nope")).hasMessageContaining("no run 'nope'");
        String commonPrefix = a.id().substring(0, 4);
        assertThatThrownBy(() -> store.open(commonPrefix)).hasMessageContaining("matches 2 runs");
    }

    @Test
    void deletingARunRemovesItsDirectoryReportsItsBytesAndRefusesOneStillRunning() throws Exception {
        Path root = dir.resolve("runs");
        RunStore store = new RunStore(root);
        Run done = store.create("train");
        done.start("train", List.of(), 1, List.of());
        done.finish("finished", Map.of("test_accuracy", 0.5), Map.of());
        java.nio.file.Files.createDirectories(done.dir().resolve("model"));
        java.nio.file.Files.write(done.dir().resolve("model").resolve("weights.params"), new byte[10_000]);
        Run running = store.create("eval");
        running.start("eval", List.of(), 1, List.of()); // this process: alive
        // what a delete killed half-way left behind
        java.nio.file.Files.createDirectories(root.resolve(".deleting-20200101-000000-train-abcdef").resolve("model"));

        long bytes = dev.distillery.util.AtomicFiles.sizeOf(done.dir());
        assertThat(bytes).isGreaterThan(10_000);
        assertThat(store.delete(done)).isEqualTo(bytes);
        assertThat(done.dir()).doesNotExist();
        assertThat(store.list()).containsExactly(running.dir());
        assertThat(root).isDirectoryNotContaining("glob:**/.deleting-*");
        assertThatThrownBy(() -> store.delete(running)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is still running (pid " + ProcessHandle.current().pid() + ")");
        assertThat(running.dir()).isDirectory();
        Path elsewhere = java.nio.file.Files.createDirectories(dir.resolve("other").resolve("x"));
        assertThatThrownBy(() -> store.delete(store.at(elsewhere))).hasMessageContaining("is not a run of");
    }

    @Test
    void finishRecordsStatusAndResults() {
        Run run = new RunStore(dir).create("train");
        run.start("train", List.of(), 1, List.of());
        assertThat(run.provenance()).containsEntry("status", "running").containsKeys("software", "machine", "started");
        run.finish("finished", Map.of("test_accuracy", 0.5), Map.of());
        assertThat(run.provenance()).containsEntry("status", "finished").containsKey("finished");
        assertThat(run.results()).containsEntry("test_accuracy", 0.5);
        run.appendMetrics(Map.of("epoch", 1));
        run.appendMetrics(Map.of("epoch", 2));
        assertThat(run.dir().resolve(Run.METRICS)).content().isEqualTo("{\"epoch\":1}\n{\"epoch\":2}\n");
    }

    @Test
    void finishRecordsTheCpuTimeTheProcessSpentSinceTheStart() {
        Run run = new RunStore(dir).create("train");
        double processAtStart = Run.processCpuSeconds();
        run.start("train", List.of(), 1, List.of());
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long busyFrom = threads.getCurrentThreadCpuTime();
        long sink = 0;
        while (threads.getCurrentThreadCpuTime() - busyFrom < 200_000_000L) { // 0.2 s of this thread's CPU
            sink += Long.numberOfTrailingZeros(sink + System.nanoTime());
        }
        double busy = (threads.getCurrentThreadCpuTime() - busyFrom) / 1e9;
        run.finish("finished", Map.of("sink", sink), Map.of());
        double recorded = ((Number) run.provenance().get("cpu_seconds")).doubleValue();
        // At least this thread's busy time (the process's figure holds every thread's), at most what the process spent
        // since the run started (not what it spent before: starting the JVM and the tests before this one). The
        // process's clock counts in ticks (10 ms on Linux) and the record is rounded to the millisecond: 11 ms of slack.
        double slack = 0.011;
        assertThat(recorded).isGreaterThanOrEqualTo(busy - slack)
                .isLessThanOrEqualTo(Run.processCpuSeconds() - processAtStart + slack);
    }
}
