package dev.distillery.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** What the two sides of bench/neardup-throughput share: their arguments' checks, a run's line and the pairs file. */
final class BenchmarkRuns {
    private BenchmarkRuns() {}

    /** A near-duplicate pair found, by record id, with its Jaccard similarity. */
    record Pair(String a, String b, double jaccard) {}

    /** Exits with code 2 and the usage line unless there are {@code min} to {@code max} arguments. */
    static void checkArguments(String[] args, int min, int max, String usage) {
        if (args.length < min || args.length > max) {
            System.err.println("usage: " + usage);
            System.exit(2);
        }
    }

    /** One JSON line for run {@code run}: documents, seconds, documents per second and pairs. */
    static void printRun(int run, long documents, double seconds, int pairs, String extra) {
        System.out.printf("{\"run\": %d, \"documents\": %d, \"seconds\": %.3f, \"docs_per_s\": %.1f, \"pairs\": %d%s}%n", run,
                documents, seconds, documents / seconds, pairs, extra);
    }

    /** Writes the pairs as JSON lines, atomically. */
    static void writePairs(Path file, List<Pair> pairs) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Pair p : pairs) {
            out.append(String.format("{\"a\":\"%s\",\"b\":\"%s\",\"jaccard\":%.6f}%n", p.a(), p.b(), p.jaccard()));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, out.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
