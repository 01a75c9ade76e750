package dev.distillery.curate;

import dev.distillery.model.MiniLmEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Semantic deduplication in the spirit of SemDeDup (Abbas et al., 2023): records whose all-MiniLM-L6-v2
 * embeddings have a cosine similarity at or above {@code threshold} are duplicates even when they share
 * few words (paraphrases, reworded templates). Candidates come from random-hyperplane LSH ({@code bands}
 * x {@code rows} sign bits) and are verified by their exact cosine; clusters are connected components,
 * and the smallest id of each is kept, as in {@link NearDedup}. Holds 384 floats per record while reading.
 */
public final class SemanticDedup implements CorpusStep {
    static final int BANDS = 20;
    static final int ROWS = 12;
    private static final int BATCH = 256;

    private final double threshold;
    private final int maxTokens;
    private final float[][] planes;

    public SemanticDedup(double threshold, int maxTokens, long seed) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got: " + threshold);
        }
        this.threshold = threshold;
        this.maxTokens = maxTokens;
        Random rng = new Random(seed);
        planes = new float[BANDS * ROWS][MiniLmEncoder.DIM];
        for (float[] p : planes) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) rng.nextGaussian();
            }
        }
    }

    @Override
    public String name() {
        return "semantic-dedup";
    }

    @Override
    public Pass begin() {
        MiniLmEncoder encoder = MiniLmEncoder.shared(maxTokens);
        return new Pass() {
            private final List<String> ids = new ArrayList<>();
            private final List<float[]> vectors = new ArrayList<>();
            private final List<String[]> pending = new ArrayList<>();

            @Override
            public void observe(String id, String text) {
                List<String[]> batch = null;
                synchronized (pending) {
                    pending.add(new String[] {id, text});
                    if (pending.size() >= BATCH) {
                        batch = new ArrayList<>(pending);
                        pending.clear();
                    }
                }
                if (batch != null) {
                    embed(batch);
                }
            }

            private void embed(List<String[]> batch) {
                // One batch at a time: the encoder already uses every core for one batch.
                synchronized (encoder) {
                    float[][] e = encoder.encode(batch.stream().map(b -> b[1]).toList(), 64);
                    for (int i = 0; i < e.length; i++) {
                        ids.add(batch.get(i)[0]);
                        vectors.add(e[i]);
                    }
                }
            }

            @Override
            public Decision decide(StepReport report) {
                embed(new ArrayList<>(pending));
                pending.clear();
                List<NearDedup.Pair> pairs = verifiedPairs(vectors);
                report.changed("semantic pairs verified", pairs.size());
                Set<String> losers = NearDedup.losers(ids, pairs);
                vectors.clear();
                return (id, text) -> losers.contains(id) ? "semantic duplicate" : null;
            }
        };
    }

    private List<NearDedup.Pair> verifiedPairs(List<float[]> vectors) {
        List<long[]> keys = vectors.parallelStream().map(this::bandKeys).toList();
        List<NearDedup.Pair> out = new ArrayList<>();
        LshBuckets.forEachCandidate(keys, BANDS, (a, b) -> {
            double cos = cosine(vectors.get(a), vectors.get(b));
            if (cos >= threshold) {
                out.add(new NearDedup.Pair(a, b, cos));
            }
        });
        return out;
    }

    /** One key per band: the signs of the vector against that band's {@code ROWS} random hyperplanes. */
    private long[] bandKeys(float[] v) {
        long[] keys = new long[BANDS];
        for (int band = 0; band < BANDS; band++) {
            long key = band;
            for (int r = 0; r < ROWS; r++) {
                float[] p = planes[band * ROWS + r];
                double dot = 0;
                for (int i = 0; i < v.length; i++) {
                    dot += p[i] * v[i];
                }
                key = key * 2 + (dot >= 0 ? 1 : 0);
            }
            keys[band] = key;
        }
        return keys;
    }

    /** Cosine of two L2-normalized vectors. */
    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }
}
