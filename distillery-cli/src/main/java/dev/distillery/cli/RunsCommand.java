package dev.distillery.cli;

import dev.distillery.run.Run;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "runs", mixinStandardHelpOptions = true, description = "List, show and delete run records.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Remove.class})
final class RunsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Runs, oldest first, with what each read, the model it saved, its status and headline figure.",
            footer = {"", "Examples:", "  distillery runs list --last 10", "  distillery runs list --command \"data split\""})
    static final class ListRuns implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--command", paramLabel = "NAME",
                description = "Only runs of this command: train, distill, curate, \"data split\" (or data-split), ...")
        String command;

        @picocli.CommandLine.Option(names = "--last", paramLabel = "N", description = "Only the N most recent runs (of --command).")
        Integer last;

        @Override
        public Integer call() {
            Context ctx = Context.fromEnvironment();
            if (last != null && last < 1) {
                throw new IllegalArgumentException("--last must be at least 1, got: " + last);
            }
            var all = ctx.runs().list();
            if (all.isEmpty()) {
                System.out.println("no runs yet in " + ctx.runs().root() + " (try: distillery quickstart)");
                return 0;
            }
            String wanted = command == null ? null : command.trim().replace(' ', '-');
            var runs = all.stream().filter(dir -> wanted == null || wanted.equals(dev.distillery.run.RunStore.commandOf(dir))).toList();
            if (last != null && runs.size() > last) {
                runs = runs.subList(runs.size() - last, runs.size());
            }
            if (runs.isEmpty()) {
                System.out.println("no runs of '" + command + "' among the " + all.size() + " in " + ctx.runs().root());
                return 0;
            }
            // as wide as the longest id shown ("label-simulate" runs are wider than "train" runs)
            String row = "%-" + runs.stream().mapToInt(d -> d.getFileName().toString().length()).max().orElse(36)
                    + "s %-5s %-" + INPUT_WIDTH + "s %-7s %-11s %s%n";
            System.out.printf(row, "run", "seed", "input", "model", "status", "result");
            for (Path dir : runs) {
                // One damaged run directory must not hide the others: each is read on its own, and read failures shown.
                Run run = ctx.runs().at(dir);
                String status = run.status();
                Object seed = "";
                String input = "";
                String result = "";
                try {
                    seed = run.provenance().getOrDefault("seed", "");
                    input = shortName(run.input());
                    result = headline(run.results());
                } catch (RuntimeException e) {
                    result = "(results unreadable)";
                }
                // "failed: an svm on 3,000 examples ..." cut to its column read "failed: an": the word in the column,
                // the reason where the result would be.
                int colon = status.indexOf(':');
                if (colon > 0) { // failed, incomplete or unreadable: the reason says more than any result could
                    String why = status.substring(colon + 1).strip();
                    result = why.length() > 80 ? why.substring(0, 79) + "…" : why;
                }
                System.out.printf(row, run.id(), seed, input, modelType(run), colon > 0 ? status.substring(0, colon) : status, result);
            }
            if (runs.size() < all.size()) {
                System.out.printf("(%d of %d runs)%n", runs.size(), all.size());
            } else if (all.size() > LONG_LIST) {
                System.out.printf("(%d runs; narrow the list with --last N or --command NAME)%n", all.size());
            }
            return 0;
        }

        /** The input column's width: a longer file name is cut at its start, where names differ least. */
        private static final int INPUT_WIDTH = 24;

        /**
         * A run's input ({@link Run#input}) as its file name without its folder; a run's model or directory as the run's
         * command and suffix ("train-f36dcc", which {@code runs show} takes); cut at its start past the column's width.
         */
        static String shortName(String input) {
            if (input.isEmpty()) {
                return "";
            }
            Path path = Path.of(input);
            String name = String.valueOf(path.getFileName());
            if (name.equals("model") && path.getParent() != null) {
                name = String.valueOf(path.getParent().getFileName()); // a run's saved model: the run
            }
            name = name.replaceFirst("^\\d{8}-\\d{6}-(?=.)", ""); // a run id without its date and time
            return name.length() > INPUT_WIDTH ? "…" + name.substring(name.length() - INPUT_WIDTH + 1) : name;
        }

        /** The type of the model a run saved ("mlp", "cnn", "linear"), or "" when it saved none. */
        private static String modelType(Run run) {
            Path model = run.modelDir().resolve("model.json");
            if (!java.nio.file.Files.isRegularFile(model)) {
                return "";
            }
            try (var parser = new com.fasterxml.jackson.core.JsonFactory().createParser(model.toFile())) {
                // the spec comes first in model.json: stop at its type, not after a schema of thousands of feature names
                while (parser.nextToken() != null) {
                    if (parser.currentToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME && "type".equals(parser.currentName())) {
                        return parser.nextTextValue();
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                return "?";
            }
            return "";
        }

        /** A run's headline figure from its results: accuracy, or what a command that trains nothing did. */
        static String headline(Map<String, Object> r) {
            Object acc = r.containsKey("test_accuracy") ? r.get("test_accuracy") : r.get("accuracy");
            if (acc instanceof Number n) {
                return String.format("accuracy %.4f", n.doubleValue());
            }
            if (r.get("teacher") instanceof Map<?, ?> teacher && teacher.get("accuracy") instanceof Number t
                    && r.get("students") instanceof List<?> students && !students.isEmpty()
                    && students.get(students.size() - 1) instanceof Map<?, ?> student && student.get("accuracy") instanceof Number a) {
                return String.format("teacher %.4f, student %.4f", t.doubleValue(), a.doubleValue()); // distill
            }
            if (r.get("base") instanceof Map<?, ?> base && base.get("test_accuracy") instanceof Number b
                    && r.get("variants") instanceof List<?> variants) { // prune, quantize, factorize, compress: the chosen
                for (Object v : variants) {
                    if (v instanceof Map<?, ?> variant && variant.get("name") != null && variant.get("name").equals(r.get("chosen"))
                            && variant.get("test_accuracy") instanceof Number a && variant.get("size_ratio") instanceof Number ratio) {
                        if (Math.abs(ratio.doubleValue() - 1) >= 0.05) {
                            return String.format("%s: accuracy %.4f (base %.4f), %.1fx smaller", r.get("chosen"), a.doubleValue(),
                                    b.doubleValue(), ratio.doubleValue());
                        }
                        // the same size (lora, beside full fine-tuning): what each variant scored says more than "1.0x"
                        StringBuilder line = new StringBuilder(String.format("%s: accuracy %.4f (base %.4f)", r.get("chosen"),
                                a.doubleValue(), b.doubleValue()));
                        for (Object o : variants) {
                            if (o != v && o instanceof Map<?, ?> other && other.get("test_accuracy") instanceof Number oa) {
                                line.append(String.format("; %s %.4f", other.get("name"), oa.doubleValue()));
                            }
                        }
                        return line.toString();
                    }
                }
            }
            if (r.get("flagged") instanceof Number flagged && r.get("examples") instanceof Number examples) {
                return String.format("%,d likely label issues of %,d", flagged.longValue(), examples.longValue()); // label issues
            }
            if (r.get("records_in") instanceof Number in && r.get("records_out") instanceof Number out) {
                return String.format("kept %,d of %,d records", out.longValue(), in.longValue());
            }
            if (r.get("train_examples") instanceof Number train && r.get("test_examples") instanceof Number test) {
                return String.format("train %,d / test %,d", train.longValue(), test.longValue());
            }
            if (r.get("argmax_agreement") instanceof Number agree && r.get("max_abs_diff") instanceof Number diff) {
                return String.format("parity: argmax agreement %.4f, max |diff| %.2g", agree.doubleValue(), diff.doubleValue());
            }
            if (r.get("labels_to_target") instanceof Map<?, ?> labels && !labels.isEmpty()) {
                StringBuilder sb = new StringBuilder("labels to target:");
                labels.forEach((strategy, n) -> sb.append(' ').append(strategy).append(' ')
                        .append(n instanceof Number k && k.intValue() >= 0 ? String.format("%,d", k.intValue()) : "not reached"));
                return sb.toString();
            }
            return "";
        }

        /** A list longer than this ends with a hint at the filters. */
        private static final int LONG_LIST = 40;
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Delete runs: their directories, with models, checkpoints and plots. A run still running is refused.",
                    "A recipe whose cached stage ran in a deleted run runs that stage again. Runs that name a deleted one"
                            + " (a distillation its teacher, an eval its model) are listed first; --dry-run lists them too."},
            footer = {"", "Examples:", "  distillery runs rm 3fa2c1 9b0e44", "  distillery runs rm --failed --dry-run"})
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "RUN", arity = "0..*", description = "Run ids, unique prefixes or suffixes, or paths.")
        List<String> ids = new ArrayList<>();

        @picocli.CommandLine.Option(names = "--failed",
                description = "Also every run that did not finish: failed, interrupted, incomplete or unreadable.")
        boolean failed;

        @picocli.CommandLine.Option(names = "--dry-run", description = "Only list what would be deleted, and its size.")
        boolean dryRun;

        @Override
        public Integer call() {
            Context ctx = Context.fromEnvironment();
            if (ids.isEmpty() && !failed) {
                throw new IllegalArgumentException("name the runs to delete (see 'distillery runs list'), or give --failed");
            }
            // Every name is resolved, and checked, before anything is deleted: a typo or a running run in the third id
            // deletes nothing.
            Map<Path, Run> chosen = new LinkedHashMap<>();
            for (String id : ids) {
                Run run = ctx.runs().open(id);
                if ("running".equals(run.status())) {
                    throw new IllegalArgumentException("run " + run.id() + " is still running; stop it first (nothing was deleted)");
                }
                chosen.put(run.dir().toAbsolutePath(), run);
            }
            if (failed) {
                for (Path dir : ctx.runs().list()) {
                    Run run = ctx.runs().at(dir);
                    String status = run.status();
                    if (!status.equals("finished") && !status.equals("running")) {
                        chosen.put(dir.toAbsolutePath(), run);
                    }
                }
            }
            if (chosen.isEmpty()) {
                System.out.println("no runs that did not finish in " + ctx.runs().root());
                return 0;
            }
            for (Map.Entry<String, List<String>> uses : usedBy(ctx, chosen).entrySet()) {
                System.out.printf("note: %s is named by %s (a teacher, a model or data they read); their records keep its id%n",
                        uses.getKey(), String.join(", ", uses.getValue()));
            }
            long total = 0;
            for (Run run : chosen.values()) {
                String status = run.status();
                long bytes = dryRun ? dev.distillery.util.AtomicFiles.sizeOf(run.dir()) : ctx.runs().delete(run);
                total += bytes;
                System.out.printf("%s %s (%s, %s)%n", dryRun ? "would delete" : "deleted", run.id(), status.split(":")[0], size(bytes));
            }
            System.out.printf("%s %d run%s, %s%n", dryRun ? "would delete" : "deleted", chosen.size(), chosen.size() == 1 ? "" : "s",
                    size(total) + (dryRun ? " (nothing deleted: --dry-run)" : " freed"));
            return 0;
        }

        /**
         * The runs that are not deleted and name one that is, in their configuration or provenance (a distillation's
         * teacher, a quantized or exported model, an eval's model), by the deleted run's id: the user learns what loses
         * its source before, with --dry-run, or as it goes.
         */
        private static Map<String, List<String>> usedBy(Context ctx, Map<Path, Run> chosen) {
            Map<String, List<String>> uses = new java.util.TreeMap<>();
            for (Path dir : ctx.runs().list()) {
                if (chosen.containsKey(dir.toAbsolutePath())) {
                    continue;
                }
                String record;
                try {
                    record = readIfThere(dir.resolve(Run.CONFIG)) + readIfThere(dir.resolve(Run.PROVENANCE));
                } catch (java.io.IOException | RuntimeException e) {
                    continue; // a damaged record names nothing we can tell
                }
                for (Run run : chosen.values()) {
                    if (record.contains(run.id())) {
                        uses.computeIfAbsent(run.id(), k -> new java.util.ArrayList<>()).add(dir.getFileName().toString());
                    }
                }
            }
            return uses;
        }

        private static String readIfThere(Path file) throws java.io.IOException {
            return java.nio.file.Files.isRegularFile(file) ? java.nio.file.Files.readString(file) : "";
        }

        static String size(long bytes) {
            return bytes < 1 << 20 ? String.format("%.1f KiB", bytes / 1024.0) : String.format("%.1f MiB", bytes / (1024.0 * 1024));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A run's summary, provenance and files.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "RUN", description = "Run id, unique prefix or suffix (e.g. the 6-character id), or path.")
        String id;

        @Override
        public Integer call() throws Exception {
            Context ctx = Context.fromEnvironment();
            Run run = ctx.runs().open(id);
            String summary = run.summary();
            System.out.println(summary.isEmpty() ? "(no summary: the run did not finish)" : summary);
            Map<String, Object> p = run.provenance();
            System.out.println("status:   " + run.status());
            System.out.println("started:  " + p.get("started") + "   finished: " + p.getOrDefault("finished", "-"));
            System.out.println("seed:     " + p.get("seed"));
            if (p.get("cpu_seconds") instanceof Number cpu) {
                System.out.printf("cost:     %.3f CPU-hours (%,.0f CPU seconds, every thread)%s%n", cpu.doubleValue() / 3600,
                        cpu.doubleValue(), p.get("peak_rss_mib") instanceof Number mib ? ", peak memory " + mib + " MiB" : "");
            }
            System.out.println("software: " + p.get("software"));
            System.out.println("machine:  " + p.get("machine"));
            System.out.println("inputs:   " + p.get("inputs"));
            System.out.println("dir:      " + run.dir());
            try (var files = java.nio.file.Files.walk(run.dir(), 2)) {
                files.filter(f -> !f.equals(run.dir())).sorted()
                        .forEach(f -> System.out.println("  " + run.dir().relativize(f)));
            }
            return 0;
        }
    }
}
