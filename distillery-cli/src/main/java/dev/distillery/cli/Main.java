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
                CompressCommands.Lora.class, CompressCommands.Compress.class, LabelCommand.class, PredictCommand.class, RunsCommand.class, ResumeCommand.class, EngineCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (a bug, an I/O error, training diverged)", "2:bad input (options, files, records)"},
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

    /** Bad input becomes one clear line and exit code 2; anything else is a failure with exit code 1. */
    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        var err = cl.getErr();
        if (e instanceof DataFormatException || e instanceof IllegalArgumentException) {
            err.println(cl.getColorScheme().errorText("error: " + e.getMessage()));
            return EXIT_BAD_INPUT;
        }
        if (e instanceof TrainingDivergedException || e instanceof UncheckedIOException || e instanceof IllegalStateException) {
            err.println(cl.getColorScheme().errorText("failed: " + e.getMessage()));
            return 1;
        }
        err.println(cl.getColorScheme().errorText("failed: " + e));
        e.printStackTrace(err);
        return 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"distillery " + Provenance.version() + " (commit " + Provenance.commit() + ")"};
        }
    }
}
