package dev.distillery.curate;

import java.util.ArrayList;
import java.util.List;

/**
 * Near-duplicate removal: MinHash signatures over word shingles, an LSH index of {@code bands} x
 * {@code rows} chosen from the target Jaccard threshold, candidate pairs verified by their exact
 * Jaccard similarity (so the threshold is exact, not estimated), clusters by connected components,
 * and the smallest id of each cluster kept.
 */
public final class NearDedup implements CorpusStep {
    /** The pipeline's default notion of a near duplicate: Jaccard >= 0.8 over word 5-grams, 128 permutations. */
    public static final double DEFAULT_THRESHOLD = 0.8;
    public static final int DEFAULT_SHINGLE = 5;
    public static final int DEFAULT_PERMUTATIONS = 128;
    public static final long DEFAULT_SEED = 42;

    private final double threshold;
    private final MinHash minHash;
    private final int bands;
    private final int rows;

    /** Verified pairs of positions with their exact similarity (Jaccard here, cosine for {@link SemanticDedup}). */
    public record Pair(int a, int b, double similarity) {}

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

    /** Near duplicates as the default curation pipeline finds them. */
    public static NearDedup defaults() {
        return new NearDedup(DEFAULT_THRESHOLD, DEFAULT_SHINGLE, DEFAULT_PERMUTATIONS, DEFAULT_SEED);
    }

    @Override
    public String name() {
        return "near-dedup";
    }

    /** What near-duplicate search needs of one text: its shingle hashes and its LSH band keys. */
    public record Sketch(long[] shingles, long[] bandKeys) {}

    /** A text's sketch; a pure function of the text, so it can be computed once and reused. */
    public Sketch sketch(String text) {
        long[] sh = minHash.shingles(text);
        return new Sketch(sh, bandKeys(sh));
    }

    /** The verified near-duplicate pairs among {@code texts}, by position, each once. */
    public List<Pair> pairs(List<String> texts) {
        return pairsOf(texts.stream().map(this::sketch).toList());
    }

    /** The verified near-duplicate pairs among the texts of {@code sketches}, by position, each once. */
    public List<Pair> pairsOf(List<Sketch> sketches) {
        return verifiedPairs(sketches.stream().map(Sketch::shingles).toList(), sketches.stream().map(Sketch::bandKeys).toList());
    }

    /** A text's LSH band keys, none for a text too short to shingle. */
    private long[] bandKeys(long[] shingles) {
        long[] keys = new long[shingles.length == 0 ? 0 : bands];
        if (shingles.length > 0) {
            long[] sig = minHash.signature(shingles);
            for (int band = 0; band < bands; band++) {
                keys[band] = MinHash.bandKey(sig, band, rows);
            }
        }
        return keys;
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

    @Override
    public Pass begin() {
        return new Pass() {
            // Per observed record: its id, its shingle hashes (for exact verification) and its LSH band keys.
            private final List<String> ids = new ArrayList<>();
            private final List<long[]> shingles = new ArrayList<>();
            private final List<long[]> bandKeys = new ArrayList<>();

            @Override
            public void observe(String id, String text) {
                Sketch sketch = sketch(text);
                synchronized (this) {
                    ids.add(id);
                    shingles.add(sketch.shingles());
                    bandKeys.add(sketch.bandKeys());
                }
            }

            @Override
            public synchronized Decision decide(StepReport report) {
                List<Pair> pairs = verifiedPairs(shingles, bandKeys);
                List<IdPair> byId = new ArrayList<>(pairs.size());
                for (Pair p : pairs) {
                    String x = ids.get(p.a());
                    String y = ids.get(p.b());
                    byId.add(x.compareTo(y) <= 0 ? new IdPair(x, y, p.similarity()) : new IdPair(y, x, p.similarity()));
                }
                byId.sort(java.util.Comparator.comparing(IdPair::a).thenComparing(IdPair::b));
                lastPairs = byId;
                report.changed("near-duplicate pairs verified", pairs.size());
                java.util.Set<String> losers = losers(ids, pairs);
                shingles.clear();
                bandKeys.clear();
                return (id, text) -> losers.contains(id) ? "near duplicate" : null;
            }
        };
    }

    /** Pairs of positions that share an LSH bucket and whose exact Jaccard similarity reaches the threshold, each once. */
    private List<Pair> verifiedPairs(List<long[]> shingles, List<long[]> bandKeys) {
        List<Pair> out = new ArrayList<>();
        LshBuckets.forEachCandidate(bandKeys, bands, (a, b) -> {
            double j = MinHash.jaccard(shingles.get(a), shingles.get(b));
            if (j >= threshold) {
                out.add(new Pair(a, b, j));
            }
        });
        return out;
    }

    /** Ids of every record but the smallest id of each connected component of verified pairs. */
    static java.util.Set<String> losers(List<String> ids, List<Pair> pairs) {
        int[] parent = new int[ids.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (Pair p : pairs) {
            int ra = find(parent, p.a());
            int rb = find(parent, p.b());
            if (ra != rb) {
                // The root is the member with the smallest id, so it is the one kept.
                if (ids.get(ra).compareTo(ids.get(rb)) <= 0) {
                    parent[rb] = ra;
                } else {
                    parent[ra] = rb;
                }
            }
        }
        java.util.Set<String> out = new java.util.HashSet<>();
        for (int i = 0; i < parent.length; i++) {
            if (find(parent, i) != i) {
                out.add(ids.get(i));
            }
        }
        return out;
    }

    /** The verified pairs of the last decided pass, by id: what a quality check compares with exact ground truth. */
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
