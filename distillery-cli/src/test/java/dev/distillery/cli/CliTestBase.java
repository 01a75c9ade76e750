package dev.distillery.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the CLI in-process against a fresh $DISTILLERY_HOME under a temporary directory, capturing its output. */
abstract class CliTestBase {
    @TempDir
    Path dir;

    private final PrintStream originalOut = System.out;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    record Result(int exitCode, String out, String err) {}

    @BeforeEach
    void isolate() {
        System.setProperty("distillery.home", dir.resolve("home").toString());
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.clearProperty("distillery.home");
    }

    Result run(String... args) {
        stdout.reset();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, stdout.toString(StandardCharsets.UTF_8), err.toString());
    }
}
