package dev.distillery.cli;

import dev.distillery.data.DataFormatException;
import dev.distillery.recipe.StageCommands;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * A recipe's stages run as the CLI's own commands, in this process: the same options, checks, defaults, run records
 * and exit codes as on the command line. Output goes to the console as usual and is also read for the run directory
 * each command reports ("run saved to DIR").
 */
final class PicocliStages implements StageCommands {
    /** Commands that never end (servers) or that would nest recipes: not stages. */
    private static final Set<String> NOT_STAGES = Set.of("run", "serve", "ui", "resume", "help");
    /** Commands whose runs keep checkpoints, so a killed one continues (see `distillery resume`). */
    private static final Set<String> RESUMABLE = Set.of("train", "distill", "prune", "factorize", "lora", "compress", "label simulate");

    @Override
    public void check(String where, List<String> argv) {
        if (NOT_STAGES.contains(argv.get(0))) {
            throw new DataFormatException(where, "'" + argv.get(0) + "' cannot be a stage", "a command that runs and ends, e.g. "
                    + "train, distill, quantize, export, eval, curate, data split");
        }
        CommandLine cl = Main.commandLine();
        if (!cl.getSubcommands().containsKey(argv.get(0))) {
            List<String> commands = cl.getSubcommands().keySet().stream().filter(c -> !NOT_STAGES.contains(c)).sorted().toList();
            throw new DataFormatException(where, "'" + argv.get(0) + "' is not a distillery command", "one of " + commands);
        }
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(argv.toArray(String[]::new));
            CommandLine.ParseResult leaf = parsed;
            while (leaf.hasSubcommand()) {
                leaf = leaf.subcommand();
            }
            if (leaf == parsed || !leaf.commandSpec().subcommands().isEmpty()) {
                throw new DataFormatException(where, "'" + String.join(" ", argv.subList(0, Math.min(2, argv.size())))
                        + "' is not a complete command", "one of distillery's commands, e.g. train or data split");
            }
        } catch (CommandLine.ParameterException e) {
            throw new DataFormatException(where, e.getMessage(), "the arguments and options `distillery " + argv.get(0)
                    + " --help` lists");
        }
    }

    @Override
    public Executed run(List<String> argv) {
        PrintStream console = System.out;
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(new Tee(System.err, err), StandardCharsets.UTF_8), true));
        int code;
        System.setOut(new PrintStream(new Tee(console, copy), true, StandardCharsets.UTF_8));
        try {
            code = cl.execute(argv.toArray(String[]::new));
        } finally {
            System.out.flush();
            System.setOut(console);
        }
        String out = copy.toString(StandardCharsets.UTF_8);
        Path runDir = out.lines().filter(l -> l.startsWith("run saved to ")).reduce((a, b) -> b)
                .map(l -> Path.of(l.substring("run saved to ".length()).trim())).orElse(null);
        String error = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("error: ") || l.startsWith("failed: ")).reduce((a, b) -> b)
                .orElse(code == 0 ? null : "exit code " + code);
        return new Executed(code, runDir, error);
    }

    @Override
    public Executed resume(Path runDir) {
        return run(List.of("resume", runDir.toString()));
    }

    @Override
    public boolean resumable(List<String> command) {
        return RESUMABLE.contains(String.join(" ", command));
    }

    /** Writes to the console and to a copy. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
