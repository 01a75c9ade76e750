package dev.distillery.synth;

import dev.distillery.curate.MinHash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Stored items and, for a query, the similarity of the most similar one (0 if nothing is stored). */
public interface SimilarityIndex<T> {
    void add(T item);

    double maxSimilarity(T query);

    /** Texts by exact Jaccard similarity of word shingles; LSH buckets find the candidates worth comparing. */
    static SimilarityIndex<String> texts(int shingle, double threshold) {
        return new TextIndex(shingle, threshold);
    }

    /** Vectors by cosine similarity, compared with every stored one (fine for tens of thousands). */
    static SimilarityIndex<float[]> vectors() {
        return new VectorIndex();
    }

    /** Below the LSH threshold similarities are only approximate (a pair may be missed), above it they are exact. */
    final class TextIndex implements SimilarityIndex<String> {
        private final MinHash minHash;
        private final int bands;
        private final int rows;
        private final List<long[]> shingles = new ArrayList<>();
        private final List<Map<Long, List<Integer>>> buckets = new ArrayList<>();

        TextIndex(int shingle, double threshold) {
            this.minHash = new MinHash(shingle, 128, 42);
            int[] br = MinHash.bandsAndRows(threshold, 128, 50.0);
            this.bands = br[0];
            this.rows = br[1];
            for (int b = 0; b < bands; b++) {
                buckets.add(new HashMap<>());
            }
        }

        @Override
        public synchronized void add(String text) {
            long[] sh = minHash.shingles(text);
            int id = shingles.size();
            shingles.add(sh);
            if (sh.length == 0) {
                return;
            }
            long[] sig = minHash.signature(sh);
            for (int b = 0; b < bands; b++) {
                buckets.get(b).computeIfAbsent(MinHash.bandKey(sig, b, rows), k -> new ArrayList<>(1)).add(id);
            }
        }

        @Override
        public synchronized double maxSimilarity(String text) {
            long[] sh = minHash.shingles(text);
            if (sh.length == 0) {
                return 0;
            }
            long[] sig = minHash.signature(sh);
            double best = 0;
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int b = 0; b < bands; b++) {
                for (int id : buckets.get(b).getOrDefault(MinHash.bandKey(sig, b, rows), List.of())) {
                    if (seen.add(id)) {
                        best = Math.max(best, MinHash.jaccard(sh, shingles.get(id)));
                    }
                }
            }
            return best;
        }
    }

    final class VectorIndex implements SimilarityIndex<float[]> {
        private final List<float[]> unit = new ArrayList<>();

        @Override
        public synchronized void add(float[] v) {
            unit.add(normalized(v));
        }

        @Override
        public synchronized double maxSimilarity(float[] query) {
            float[] q = normalized(query);
            return unit.parallelStream().mapToDouble(u -> {
                double dot = 0;
                for (int i = 0; i < q.length; i++) {
                    dot += q[i] * u[i];
                }
                return dot;
            }).max().orElse(0);
        }

        private static float[] normalized(float[] v) {
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            float[] out = new float[v.length];
            double inv = norm == 0 ? 0 : 1 / Math.sqrt(norm);
            for (int i = 0; i < v.length; i++) {
                out[i] = (float) (v[i] * inv);
            }
            return out;
        }
    }
}
