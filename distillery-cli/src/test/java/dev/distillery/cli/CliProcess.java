package dev.distillery.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CLI in a new JVM, for tests of what only real processes show: kills, resumes, processes talking over HTTP. */
final class CliProcess {
    private CliProcess() {}

    /** Starts the CLI with this build's classpath and thread settings, in its own home; output goes to a log file in it. */
    static Process start(Path home, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), "-Ddistillery.home=" + home,
                "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                "-Dai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads", "2"),
                "-Dai.djl.pytorch.num_interop_threads=1", "dev.distillery.cli.Main"));
        command.addAll(args);
        Files.createDirectories(home);
        return new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("log-" + System.nanoTime() + ".txt").toFile()).start();
    }

    /** Everything the processes started in {@code home} have printed so far. */
    static String logs(Path home) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(home)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("log-")).sorted().toList()) {
                sb.append(Files.readString(f));
            }
        }
        return sb.toString();
    }
}
