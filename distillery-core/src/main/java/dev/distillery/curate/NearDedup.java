package dev.distillery.curate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Near-duplicate removal: MinHash signatures over word shingles, an LSH index of {@code bands} x
 * {@code rows} chosen from the target Jaccard threshold, candidate pairs verified by their exact
 * Jaccard similarity (so the threshold is exact, not estimated), clusters by connected components,
 * and the smallest id of each cluster kept.
 */
public final class NearDedup implements CurateStep {
    private final double threshold;
    private final MinHash minHash;
    private final int bands;
    private final int rows;

    /** Verified pairs of positions with their exact Jaccard similarity. */
    public record Pair(int a, int b, double jaccard) {}

    /** A verified pair by record id (a's id sorts first). */
    public record IdPair(String a, String b, double jaccard) {}

    private volatile List<IdPair> lastPairs = List.of();

    public NearDedup(double threshold, int shingle, int permutations, long seed) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got: " + threshold);
        }
        this.threshold = threshold;
        this.minHash = new MinHash(shingle, permutations, seed);
        // Candidates are verified by exact Jaccard, so a false candidate costs one comparison while a miss loses a
        // duplicate for good: weigh misses 50 times (at 0.8 and 128 permutations: 17 bands of 7, P(find) 0.98 at 0.8).
        int[] br = MinHash.bandsAndRows(threshold, permutations, 50.0);
        this.bands = br[0];
        this.rows = br[1];
    }

    @Override
    public String name() {
        return "near-dedup";
    }

    public int bands() {
        return bands;
    }

    public int rows() {
        return rows;
    }

    public double threshold() {
        return threshold;
    }

    public MinHash minHash() {
        return minHash;
    }

    /** Every pair of {@code texts} at or above the threshold that the index finds, each once (a < b). */
    public List<Pair> pairs(List<String> texts) {
        long[][] shingles = texts.parallelStream().map(minHash::shingles).toArray(long[][]::new);
        long[][] sigs = java.util.Arrays.stream(shingles).parallel().map(minHash::signature).toArray(long[][]::new);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<Pair> out = new ArrayList<>();
        for (int band = 0; band < bands; band++) {
            Map<Long, List<Integer>> buckets = new HashMap<>();
            for (int i = 0; i < sigs.length; i++) {
                if (shingles[i].length == 0) {
                    continue;
                }
                long key = MinHash.bandKey(sigs[i], band, rows);
                buckets.computeIfAbsent(key, k -> new ArrayList<>(2)).add(i);
            }
            for (List<Integer> bucket : buckets.values()) {
                for (int x = 0; x < bucket.size(); x++) {
                    for (int y = x + 1; y < bucket.size(); y++) {
                        int a = bucket.get(x);
                        int b = bucket.get(y);
                        if (!seen.add(((long) a << 32) | b)) {
                            continue;
                        }
                        double j = MinHash.jaccard(shingles[a], shingles[b]);
                        if (j >= threshold) {
                            out.add(new Pair(a, b, j));
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public List<Doc> apply(List<Doc> docs, StepReport report) {
        List<Pair> pairs = pairs(docs.stream().map(Doc::text).toList());
        List<IdPair> byId = new ArrayList<>(pairs.size());
        for (Pair p : pairs) {
            String x = docs.get(p.a()).id();
            String y = docs.get(p.b()).id();
            byId.add(x.compareTo(y) <= 0 ? new IdPair(x, y, p.jaccard()) : new IdPair(y, x, p.jaccard()));
        }
        lastPairs = byId;
        int[] parent = new int[docs.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (Pair p : pairs) {
            int ra = find(parent, p.a());
            int rb = find(parent, p.b());
            if (ra != rb) {
                // The root is the member with the smallest id, so it is the one kept.
                if (docs.get(ra).id().compareTo(docs.get(rb).id()) <= 0) {
                    parent[rb] = ra;
                } else {
                    parent[ra] = rb;
                }
            }
        }
        report.changed("near-duplicate pairs verified", pairs.size());
        List<Doc> out = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            if (find(parent, i) == i) {
                out.add(docs.get(i));
            } else {
                report.removed(docs.get(i), "near duplicate");
            }
        }
        return out;
    }

    /** The verified pairs of the last {@link #apply}, by id: what a quality check compares with exact ground truth. */
    public List<IdPair> lastPairs() {
        return lastPairs;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
