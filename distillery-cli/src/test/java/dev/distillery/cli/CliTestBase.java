package dev.distillery.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the CLI in-process against a fresh $DISTILLERY_HOME under a temporary directory, capturing its output. */
abstract class CliTestBase {
    @TempDir
    Path dir;

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    /** What commands print to System.err themselves (warnings beside predict's JSON lines), after picocli's errors. */
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    record Result(int exitCode, String out, String err) {
        /** The directory of the run the command saved, from its first "run saved to DIR" line. */
        Path runDir() {
            return Path.of(out.lines().filter(l -> l.startsWith("run saved to ")).findFirst().orElseThrow().substring("run saved to ".length()));
        }

        /** That run's id. */
        String runId() {
            return runDir().getFileName().toString();
        }
    }

    @BeforeEach
    void isolate() {
        System.setProperty("distillery.home", dir.resolve("home").toString());
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        System.clearProperty("distillery.home");
    }

    Result run(String... args) {
        stdout.reset();
        stderr.reset();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, stdout.toString(StandardCharsets.UTF_8), err + stderr.toString(StandardCharsets.UTF_8));
    }

    /** {@code command} followed by {@code more}, as the arguments of {@link #run}. */
    static String[] with(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** A JSONL file of short spam and ham texts, {@code perClass} of each, told apart by their words. */
    Path spamFile(int perClass) throws Exception {
        Random rng = new Random(1);
        String[] spam = {"free", "money", "winner", "click", "offer", "prize"};
        String[] ham = {"meeting", "patch", "review", "kernel", "thanks", "agenda"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2 * perClass; i++) {
            String[] v = i % 2 == 0 ? spam : ham;
            String text = v[rng.nextInt(6)] + " the " + v[rng.nextInt(6)] + " and " + v[rng.nextInt(6)];
            lines.add("{\"id\":\"m" + i + "\",\"text\":\"" + text + "\",\"label\":\"" + (i % 2 == 0 ? "spam" : "ham") + "\"}");
        }
        Path f = dir.resolve("mail.jsonl");
        Files.write(f, lines);
        return f;
    }
}
