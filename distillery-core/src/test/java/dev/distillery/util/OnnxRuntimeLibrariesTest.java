package dev.distillery.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeLibrariesTest {

    /** Started in a new JVM by the test below: loads ONNX Runtime the way Distillery does and exits. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("onnxruntime " + OnnxRuntimeLibraries.environment().getVersion());
        }
    }

    @Test
    void aProcessThatLoadsOnnxRuntimeLeavesNothingInTheTemporaryDirectory(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path home = dir.resolve("home");
        for (int run = 1; run <= 2; run++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + tmp, "-Ddistillery.home=" + home,
                    Probe.class.getName())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log-" + run + ".txt").toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not finish");
            String log = Files.readString(dir.resolve("log-" + run + ".txt"));
            assertEquals(0, p.exitValue(), log);
            assertTrue(log.contains("onnxruntime 1."), log);
            try (var left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "run " + run + " left these behind");
            }
        }
        try (var cached = Files.list(home.resolve("cache").resolve("onnxruntime"))) {
            assertEquals(1, cached.count(), "both runs share one copy of the libraries");
        }
    }

    @Test
    void theLibrariesAreCopiedOnceAndReused(@TempDir Path cacheRoot) throws IOException {
        Path dir = OnnxRuntimeLibraries.cache(cacheRoot).orElseThrow();
        Path library = dir.resolve(System.mapLibraryName("onnxruntime"));
        assertTrue(Files.size(library) > 1_000_000, "the runtime library, not a stub");
        assertTrue(Files.isRegularFile(dir.resolve(System.mapLibraryName("onnxruntime4j_jni"))));
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(library, old);

        assertEquals(dir, OnnxRuntimeLibraries.cache(cacheRoot).orElseThrow());
        assertEquals(old, Files.getLastModifiedTime(library), "a complete copy is not written again");
    }
}
