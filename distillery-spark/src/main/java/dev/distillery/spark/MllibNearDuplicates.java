package dev.distillery.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;

/**
 * The reference for bench/neardup-throughput: near-duplicate pairs by Spark MLlib's own pipeline
 * (RegexTokenizer, NGram(5), binary HashingTF, MinHashLSH, approxSimilarityJoin) on the same JSON Lines corpus.
 * MLlib keeps pairs whose Jaccard distance is strictly below the join's bound, while the ground truth and the embedded
 * engine include Jaccard = threshold, so the bound is 1 - threshold plus a hair: both sides use the same boundary.
 * Runs the pipeline {@code REPEATS} times in one session and prints one JSON line per run (documents per second,
 * loading excluded as for the embedded engine's step timing): the first run is cold (JIT and Spark's code
 * generation), later ones warm. Writes the pairs of the last run.
 *
 * <p>Usage: MllibNearDuplicates CORPUS.jsonl PAIRS.jsonl THRESHOLD HASH_TABLES MASTER [REPEATS]
 */
public final class MllibNearDuplicates {
    /** Added to MLlib's strict distance bound so that a pair exactly at the threshold is kept, as the truth keeps it. */
    static final double INCLUSIVE = 1e-9;

    private MllibNearDuplicates() {}

    public static void main(String[] args) throws IOException {
        BenchmarkRuns.checkArguments(args, 5, 6, "MllibNearDuplicates CORPUS.jsonl PAIRS.jsonl THRESHOLD HASH_TABLES MASTER [REPEATS]");
        double threshold = Double.parseDouble(args[2]);
        int tables = Integer.parseInt(args[3]);
        int repeats = args.length == 6 ? Integer.parseInt(args[5]) : 1;
        try (SparkSession spark = SparkCurateJob.session(args[4])) {
            Dataset<Row> docs = spark.read().json(args[0]).select("id", "text").cache();
            long n = docs.count();
            spark.udf().register("nonEmpty", (UDF1<Vector, Boolean>) v -> v.numNonzeros() > 0, DataTypes.BooleanType);
            List<Row> pairs = List.of();
            for (int run = 1; run <= repeats; run++) {
                long t0 = System.nanoTime();
                pairs = pairs(docs, threshold, tables);
                double seconds = (System.nanoTime() - t0) / 1e9;
                BenchmarkRuns.printRun(run, n, seconds, pairs.size(), ", \"tables\": " + tables);
            }
            BenchmarkRuns.writePairs(Path.of(args[1]), pairs.stream()
                    .map(r -> new BenchmarkRuns.Pair(r.getString(0), r.getString(1), 1 - r.getDouble(2))).toList());
        }
    }

    private static List<Row> pairs(Dataset<Row> docs, double threshold, int tables) {
        Dataset<Row> words = new RegexTokenizer().setInputCol("text").setOutputCol("words").setPattern("[^\\p{L}\\p{N}]+")
                .setToLowercase(true).transform(docs);
        Dataset<Row> grams = new NGram().setN(5).setInputCol("words").setOutputCol("grams").transform(words);
        Dataset<Row> features = new HashingTF().setInputCol("grams").setOutputCol("features").setNumFeatures(1 << 22)
                .setBinary(true).transform(grams);
        Dataset<Row> usable = features.filter(callUDF("nonEmpty", col("features"))).select("id", "features").cache();
        try {
            MinHashLSHModel model = new MinHashLSH().setNumHashTables(tables).setInputCol("features").setOutputCol("hashes")
                    .setSeed(42).fit(usable);
            return model.approxSimilarityJoin(usable, usable, 1 - threshold + INCLUSIVE, "distance")
                    .filter(col("datasetA.id").lt(col("datasetB.id")))
                    .select(col("datasetA.id"), col("datasetB.id"), col("distance")).collectAsList();
        } finally {
            usable.unpersist();
        }
    }
}
