package dev.distillery.spark;

import dev.distillery.curate.CurateConfig;
import dev.distillery.curate.CurateJob;
import dev.distillery.curate.StepReport;
import dev.distillery.curate.DocFiles;
import dev.distillery.data.DataFormatException;
import dev.distillery.data.OnError;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code distillery curate --engine spark} as a library call: reads JSON Lines, runs {@link SparkCurator}
 * on any Spark master, writes JSON Lines part files (or Parquet when the output ends in .parquet), and
 * records the run like the embedded engine does. The CLI reaches it by reflection, so the default
 * installation carries no Spark.
 */
public final class SparkCurateJob {
    private SparkCurateJob() {}

    /** Runs the pipeline; returns the funnel as a printable table. */
    public static String run(Path input, String textColumn, Path output, CurateConfig config, String master, OnError onError,
            RunStore runs, List<String> args) {
        DocFiles.checkInput(input);
        if (java.nio.file.Files.isDirectory(input)) {
            throw new DataFormatException(input.toString(), "a directory of documents, which the Spark engine does not read",
                    "a .jsonl file; the embedded engine (the default, without --engine spark) reads a directory of documents");
        }
        if (DocFiles.isCsv(input)) {
            // Spark splits its input at line ends, and a quoted CSV cell may hold several lines.
            throw new DataFormatException(input.toString(), "the Spark engine reads JSON Lines, not CSV",
                    "a .jsonl file; the embedded engine (the default, without --engine spark) reads CSV");
        }
        CurateJob.Settings settings = new CurateJob.Settings(input.toString(), output.toString(), "spark", master, onError.name(),
                textColumn, config.steps());
        Curated c = new StageRunner(runs).run(Stage.<CurateJob.Settings, Curated>named("curate", settings)
                .reads(config.inputs(input))
                .does(run -> curate(run, input, textColumn, output, config, master, onError))
                .reports(o -> results(o.result(), o.in(), o.skipped(), output),
                        o -> "# Curation " + o.run().id() + " (Spark, " + master + ")\n\n```\n" + o.table() + "```\n")
                .writes((run, o) -> Map.of("data", output)), args);
        return c.table() + "\nrun saved to " + c.run().dir() + "\n";
    }

    /** What a Spark curation returns: the funnel, the records read and the bad lines skipped, and the printed table. */
    private record Curated(Run run, SparkCurator.Result result, long in, long skipped, String table) {}

    private static Curated curate(Run run, Path input, String textColumn, Path output, CurateConfig config, String master,
            OnError onError) {
        SparkSession spark = session(master);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            long[] skipped = new long[1];
            JavaRDD<SparkCurator.SDoc> docs = SparkCurator.readJsonl(sc, input.toString(), textColumn, onError, skipped);
            long in = docs.count();
            SparkCurator.Result r = SparkCurator.run(sc, docs, config,
                    CurateJob.testTexts(onError, textColumn, System.out::println));
            write(spark, r.kept(), output, textColumn);
            return new Curated(run, r, in, skipped[0], table(r.funnel(), in, skipped[0]));
        } finally {
            spark.stop();
        }
    }

    public static SparkSession session(String master) {
        return SparkSession.builder().appName("distillery-curate").master(master)
                .config(new SparkConf().set("spark.ui.enabled", "false").set("spark.sql.shuffle.partitions",
                        String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() * 2))))
                .getOrCreate();
    }

    /** The kept records, their text under {@code textColumn} as the input held it. */
    static void write(SparkSession spark, JavaRDD<SparkCurator.SDoc> kept, Path output, String textColumn) {
        String out = output.toString();
        if (out.endsWith(".parquet")) {
            StructType schema = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType)
                    .add("json", DataTypes.StringType);
            Dataset<Row> df = spark.createDataFrame(kept.map(d -> RowFactory.create(d.id(), d.text(),
                    DocFiles.withTextUnder(d.json(), textColumn))), schema);
            df.write().mode("errorifexists").parquet(out);
        } else {
            // Spark writes a directory of part files, committed only when the job succeeds.
            kept.map(d -> DocFiles.withTextUnder(d.json(), textColumn)).saveAsTextFile(out);
        }
    }

    static List<StepReport> reports(List<SparkCurator.StepCounts> funnel) {
        return funnel.stream().map(s -> StepReport.of(s.step(), s.in(), s.out(), s.seconds(), s.removed(), s.changes())).toList();
    }

    static String table(List<SparkCurator.StepCounts> funnel, long in, long skipped) {
        long out = funnel.isEmpty() ? in : funnel.get(funnel.size() - 1).out();
        return CurateJob.table(reports(funnel), in, skipped, out);
    }

    static Map<String, Object> results(SparkCurator.Result r, long in, long skipped, Path output) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records_in", in);
        m.put("skipped_bad_lines", skipped);
        m.put("records_out", r.funnel().isEmpty() ? in : r.funnel().get(r.funnel().size() - 1).out());
        m.put("funnel", CurateJob.funnel(reports(r.funnel())));
        m.put("output", output.toString());
        return m;
    }
}
