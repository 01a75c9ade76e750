package dev.distillery.cli;

import dev.distillery.curate.CurateConfig;
import dev.distillery.curate.CurateJob;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "curate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Clean a text corpus (JSON Lines with a \"text\" field and optional \"id\", or a .csv file whose " +
                        "header names a text column and optionally an id column; other fields pass through; or a directory of .eml, " +
                        ".mbox or .txt documents, in subdirectories naming their labels or none, as train reads it):",
                "Unicode normalization, exact and MinHash near-duplicate removal, optional semantic deduplication " +
                        "(MiniLM), Gopher/C4-style quality rules, language identification, PII redaction with typed " +
                        "placeholders, and (with --test) decontamination against a test set. A file is streamed in chunks: " +
                        "memory holds one chunk and a compact key per record. Prints the funnel and writes the kept records, " +
                        "a run record with removed samples per reason, and a funnel plot.",
                "Default pipeline: normalize, exact-dedup, near-dedup (Jaccard 0.8 on word 5-grams), quality, " +
                        "language (detected and counted; nothing removed unless the step has a keep list), pii."},
        footer = {"", "Examples:", "  distillery curate mail.jsonl --out mail.clean.jsonl",
                "  distillery curate train.jsonl --out train.clean.jsonl --test test.jsonl",
                "  distillery curate tickets.csv --out tickets.clean.jsonl          # CSV in (id,text,label,...), JSON Lines out",
                "  distillery curate reviews/ --out reviews.clean.jsonl             # label folders of .txt files: id,text,label",
                "  distillery curate corpus.jsonl --out clean.jsonl --config curate.yaml", "",
                "curate.yaml:", "  steps:", "    - normalize", "    - exact-dedup",
                "    - near-dedup: {threshold: 0.8, shingle: 5, permutations: 128}",
                "    - semantic-dedup: {threshold: 0.9}        # cosine of MiniLM embeddings; embedded engine only",
                "    - quality: {min_words: 5}", "    - language: {keep: [en, de]}              # ISO 639-1 codes", "    - pii",
                "    - decontaminate: {test: test.jsonl, ngram: 13}"})
final class CurateCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    DataArgument data;

    @Option(names = "--out", required = true, paramLabel = "OUT",
            description = "Output file, written atomically: JSON Lines, or for a CSV or TSV input a .csv or .tsv of its columns;"
                    + " gzip-compressed for a name ending in .gz.")
    Path output;

    @Option(names = "--text-column", defaultValue = "text", paramLabel = "NAME",
            description = "The key (JSON Lines) or column (CSV) that holds the text, e.g. body or review, in DATA and in"
                    + " --test; the output keeps it under that name. Default: ${DEFAULT-VALUE}, or where no column has that"
                    + " name, a table's one column of free text (a description beside a product and a priority).")
    String textColumn;

    @Option(names = "--config", paramLabel = "FILE", description = "Pipeline definition (YAML or JSON); default: the default pipeline.")
    Path config;

    @Option(names = "--test", paramLabel = "FILE", description = "With the default pipeline: decontaminate against this test file (JSON Lines or CSV).")
    Path test;

    @Option(names = "--pairs", paramLabel = "FILE", description = "Also write the near-duplicate pairs found (JSON Lines: a, b, jaccard).")
    Path pairs;

    @Option(names = "--engine", defaultValue = "embedded", paramLabel = "NAME",
            description = "embedded (this JVM, all cores) or spark (the distillery-spark module; output is a directory of "
                    + "JSON Lines part files, or Parquet when OUT ends in .parquet). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--master", defaultValue = "local[*]", paramLabel = "URL",
            description = "With --engine spark: the Spark master (local[*], spark://host:7077, yarn, ...). Default: ${DEFAULT-VALUE}.")
    String master;

    @Mixin
    OnErrorOption onError;

    @Override
    public Integer call() {
        Path input = Path.of(data.ref());
        if (config != null && test != null) {
            throw new IllegalArgumentException("--test applies to the default pipeline; with --config, add a decontaminate step");
        }
        if (dev.distillery.curate.DocFiles.isCsv(output) && (!dev.distillery.curate.DocFiles.isCsv(input) || engine.equals("spark"))) {
            throw new IllegalArgumentException("--out " + output + ": curate writes a CSV or TSV file only from one, with the"
                    + " embedded engine (its columns, in its order); give the output a .jsonl name");
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--text-column")) {
            // a table's one column of free text (a ticket's description beside its product and priority) is the text to
            // clean, as train reads it; a file with a 'text' column, or several such columns, keeps the rule of the name
            List<String> free = dev.distillery.data.DataFiles.freeTextColumns(input, dev.distillery.data.ColumnNames.DEFAULT);
            // else "id,body": its one column beside the id is the text under another name (asked only then: a pass over the file)
            var chosen = free.size() == 1 ? java.util.Optional.of(free.get(0))
                    : dev.distillery.data.DataFiles.loneWordsColumn(input, dev.distillery.data.ColumnNames.DEFAULT);
            if (chosen.isPresent()) {
                textColumn = chosen.get();
                System.out.println("curate: '" + textColumn + "' is read as the text, the file's one column "
                        + (free.size() == 1 ? "of free text" : "beside its id and labels") + " (--text-column names another)");
            }
        }
        Context ctx = Context.fromEnvironment();
        CurateConfig cfg = config != null ? CurateConfig.read(config) : CurateConfig.defaults(test == null ? null : test.toString());
        List<String> args = List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new));
        if (engine.equals("spark")) {
            if (pairs != null) {
                throw new IllegalArgumentException("--pairs is available with the embedded engine only");
            }
            System.out.print(runOnSpark(input, cfg, ctx, args));
            return 0;
        }
        if (!engine.equals("embedded")) {
            throw new IllegalArgumentException("unknown engine '" + engine + "'; use embedded or spark");
        }
        CurateJob.Outcome o = new CurateJob(ctx.runs(), System.out::println)
                .run(input, textColumn, output, cfg, onError.policy, pairs, args);
        System.out.println();
        System.out.print(CurateJob.table(o));
        System.out.println();
        System.out.println("wrote " + o.output());
        System.out.println("run saved to " + o.run().dir());
        return 0;
    }

    /** The Spark engine lives in its own module, found by reflection so the default install carries no Spark. */
    private String runOnSpark(Path input, CurateConfig cfg, Context ctx, List<String> args) {
        try {
            Class<?> job = Class.forName("dev.distillery.spark.SparkCurateJob");
            return (String) job.getMethod("run", Path.class, String.class, Path.class, CurateConfig.class, String.class,
                    dev.distillery.data.OnError.class, dev.distillery.run.RunStore.class, List.class)
                    .invoke(null, input, textColumn, output, cfg, master, onError.policy, ctx.runs(), args);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("the Spark engine is not on the classpath; run through ./distillery (which builds "
                    + "and adds the distillery-spark module when --engine spark is given) or add distillery-spark and Spark jars");
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the distillery-spark module does not match this CLI: " + e.getMessage(), e);
        }
    }
}
