package dev.distillery.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * (RegexTokenizer, NGram(5), binary HashingTF, MinHashLSH, approxSimilarityJoin at Jaccard distance
 * 1 - threshold) on the same JSON Lines corpus. Prints documents per second of the pipeline (loading
 * excluded, as for the embedded engine's step timing) and writes the pairs found.
 *
 * <p>Usage: MllibNearDuplicates CORPUS.jsonl PAIRS.jsonl THRESHOLD HASH_TABLES MASTER
 */
public final class MllibNearDuplicates {
    private MllibNearDuplicates() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: MllibNearDuplicates CORPUS.jsonl PAIRS.jsonl THRESHOLD HASH_TABLES MASTER");
            System.exit(2);
        }
        double threshold = Double.parseDouble(args[2]);
        int tables = Integer.parseInt(args[3]);
        try (SparkSession spark = SparkCurateJob.session(args[4])) {
            Dataset<Row> docs = spark.read().json(args[0]).select("id", "text").cache();
            long n = docs.count();
            long t0 = System.nanoTime();
            Dataset<Row> words = new RegexTokenizer().setInputCol("text").setOutputCol("words").setPattern("[^\\p{L}\\p{N}]+")
                    .setToLowercase(true).transform(docs);
            Dataset<Row> grams = new NGram().setN(5).setInputCol("words").setOutputCol("grams").transform(words);
            Dataset<Row> features = new HashingTF().setInputCol("grams").setOutputCol("features").setNumFeatures(1 << 22)
                    .setBinary(true).transform(grams);
            spark.udf().register("nonEmpty", (UDF1<Vector, Boolean>) v -> v.numNonzeros() > 0, DataTypes.BooleanType);
            Dataset<Row> usable = features.filter(callUDF("nonEmpty", col("features"))).select("id", "features").cache();
            MinHashLSHModel model = new MinHashLSH().setNumHashTables(tables).setInputCol("features").setOutputCol("hashes")
                    .setSeed(42).fit(usable);
            List<Row> pairs = model.approxSimilarityJoin(usable, usable, 1 - threshold, "distance")
                    .filter(col("datasetA.id").lt(col("datasetB.id")))
                    .select(col("datasetA.id"), col("datasetB.id"), col("distance")).collectAsList();
            double seconds = (System.nanoTime() - t0) / 1e9;
            StringBuilder out = new StringBuilder();
            for (Row r : pairs) {
                out.append(String.format("{\"a\":\"%s\",\"b\":\"%s\",\"jaccard\":%.6f}%n", r.getString(0), r.getString(1),
                        1 - r.getDouble(2)));
            }
            Path file = Path.of(args[1]);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, out.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            System.out.printf("{\"documents\": %d, \"seconds\": %.3f, \"docs_per_s\": %.1f, \"pairs\": %d}%n", n, seconds,
                    n / seconds, pairs.size());
        }
    }
}
