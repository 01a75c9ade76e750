package dev.distillery.cli;

import dev.distillery.data.DataFormatException;
import dev.distillery.run.Provenance;
import dev.distillery.train.TrainingDivergedException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code distillery}: train small, strong models from scarce data and scarce compute.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 bad input (options, files, records).
 */
@Command(name = "distillery", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train small, strong models from scarce data and scarce compute, on the JVM.",
        subcommands = {QuickstartCommand.class, DataCommand.class, CurateCommand.class, SynthCommand.class, CollapseCommand.class, TrainCommand.class, EvalCommand.class,
                DistillCommand.class, CompressCommands.Prune.class, CompressCommands.Quantize.class, CompressCommands.Factorize.class,
                CompressCommands.Lora.class, CompressCommands.Compress.class, LabelCommand.class, PredictCommand.class, ExportCommand.class, ServeCommand.class, UiCommand.class, FederateCommand.class, RunCommand.class, RunsCommand.class, ResumeCommand.class, EngineCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (a bug, an I/O error, training diverged; the trace goes to $DISTILLERY_HOME/logs)",
                "2:bad input (options, files, records)"},
        footer = {"", "Data and runs live under $DISTILLERY_HOME (default ~/.cache/distillery)."})
public final class Main implements Runnable {
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? EXIT_BAD_INPUT : 1);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Bad input (a data-format error, an option or argument our own checks refuse, a file that is missing or unreadable)
     * becomes one clear line and exit code 2. Anything else is a failure of the tool (exit code 1): its cause in one line,
     * and the full trace written to a file under $DISTILLERY_HOME/logs whose name is printed. An
     * IllegalArgumentException counts as bad input only when Distillery's own code threw it: one thrown inside a library
     * means Distillery passed the library something wrong, which is a bug, not the user's mistake.
     */
    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        var err = cl.getErr();
        if (isBadInput(e)) {
            err.println(cl.getColorScheme().errorText("error: " + badInputMessage(e)));
            if (e instanceof dev.distillery.data.BadRecordException && cl.getCommandSpec().findOption("--on-error") != null) {
                err.println("  (to leave out bad records like this one and count them instead: --on-error skip)");
            }
            return EXIT_BAD_INPUT;
        }
        String where = writeTrace(e);
        // A failure's message may quote the data it failed on (a parser's "For input string: ..."): redacted, as every
        // report is, here and in the trace file, which stays on disk.
        String cause = dev.distillery.data.PersonalData.redacted(e instanceof TrainingDivergedException
                || e instanceof UncheckedIOException || e instanceof IllegalStateException ? e.getMessage() : e.toString());
        err.println(cl.getColorScheme().errorText("failed: " + cause + (where == null ? "" : " (full trace: " + where + ")")));
        if (where == null) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            err.print(dev.distillery.data.PersonalData.redacted(trace.toString()));
        }
        return 1;
    }

    static boolean isBadInput(Throwable e) {
        if (e instanceof DataFormatException || e instanceof CommandLine.ParameterException) {
            return true;
        }
        if (e instanceof IllegalArgumentException) {
            StackTraceElement[] trace = e.getStackTrace();
            return trace.length > 0 && trace[0].getClassName().startsWith("dev.distillery.");
        }
        return e instanceof UncheckedIOException u && (u.getCause() instanceof java.nio.file.NoSuchFileException
                || u.getCause() instanceof java.nio.file.AccessDeniedException || u.getCause() instanceof java.nio.file.NotDirectoryException);
    }

    private static String badInputMessage(Exception e) {
        if (e instanceof UncheckedIOException u && u.getCause() instanceof java.nio.file.FileSystemException f) {
            String reason = f instanceof java.nio.file.NoSuchFileException ? "file not found"
                    : f instanceof java.nio.file.AccessDeniedException ? "permission denied" : "not a directory";
            return f.getFile() + ": " + reason;
        }
        return e.getMessage();
    }

    /** Writes {@code e}'s full stack trace to a new file under $DISTILLERY_HOME/logs; its path, or null if that failed. */
    private static String writeTrace(Exception e) {
        try {
            java.nio.file.Path logs = dev.distillery.util.DistilleryHome.fromEnvironment().root().resolve("logs");
            java.nio.file.Files.createDirectories(logs);
            java.nio.file.Path file = logs.resolve("failure-" + java.time.LocalDateTime.now().format(
                    java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + ProcessHandle.current().pid() + ".txt");
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            java.nio.file.Files.writeString(file, "distillery " + Provenance.version() + " (commit " + Provenance.commit() + ")\n"
                    + dev.distillery.data.PersonalData.redacted(trace.toString()));
            return file.toString();
        } catch (java.io.IOException | RuntimeException io) {
            return null;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"distillery " + Provenance.version() + " (commit " + Provenance.commit() + ")"};
        }
    }
}
