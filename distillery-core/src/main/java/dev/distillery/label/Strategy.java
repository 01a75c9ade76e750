package dev.distillery.label;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Active-learning strategies: which unlabeled examples to label next. Uncertainty strategies rank
 * the pool by the current model's probabilities; k-center greedy (the core-set strategy of Sener and
 * Savarese, 2018) picks points that cover the embedding space, each the farthest from everything
 * already labeled or picked.
 */
public enum Strategy {
    RANDOM, LEAST_CONFIDENCE, MARGIN, ENTROPY, KCENTER;

    public static Strategy parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown strategy '" + name
                    + "'; use random, least-confidence, margin, entropy or kcenter");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Picks {@code n} pool positions.
     *
     * @param probs      the current model's probabilities for each pool example
     * @param embeddings each pool example's embedding (used by {@link #KCENTER} only; may be null otherwise)
     * @param labeled    embeddings of the examples already labeled (KCENTER only)
     */
    public int[] select(float[][] probs, float[][] embeddings, float[][] labeled, int n, Random rng) {
        int size = probs.length;
        n = Math.min(n, size);
        if (this == RANDOM) {
            List<Integer> all = new ArrayList<>(IntStream.range(0, size).boxed().toList());
            java.util.Collections.shuffle(all, rng);
            return all.subList(0, n).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        if (this == KCENTER) {
            return kCenterGreedy(embeddings, labeled, n);
        }
        double[] score = new double[size];
        for (int i = 0; i < size; i++) {
            score[i] = uncertainty(probs[i]);
        }
        // Highest uncertainty first; ties by position so the pick is deterministic.
        return IntStream.range(0, size).boxed().sorted(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i))
                .limit(n).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** Larger means less certain. */
    double uncertainty(float[] p) {
        float[] sorted = p.clone();
        Arrays.sort(sorted);
        return switch (this) {
            case LEAST_CONFIDENCE -> 1.0 - sorted[sorted.length - 1];
            case MARGIN -> -(sorted[sorted.length - 1] - sorted[sorted.length - 2]);
            case ENTROPY -> {
                double h = 0;
                for (float q : p) {
                    h -= q > 0 ? q * Math.log(q) : 0;
                }
                yield h;
            }
            default -> throw new IllegalStateException(this + " is not an uncertainty strategy");
        };
    }

    static int[] kCenterGreedy(float[][] pool, float[][] labeled, int n) {
        double[] nearest = new double[pool.length];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (float[] center : labeled) {
            updateNearest(pool, center, nearest);
        }
        int[] picked = new int[n];
        for (int k = 0; k < n; k++) {
            int far = 0;
            for (int i = 1; i < pool.length; i++) {
                if (nearest[i] > nearest[far]) {
                    far = i;
                }
            }
            picked[k] = far;
            updateNearest(pool, pool[far], nearest);
        }
        Arrays.sort(picked);
        return picked;
    }

    private static void updateNearest(float[][] pool, float[] center, double[] nearest) {
        for (int i = 0; i < pool.length; i++) {
            double d = 0;
            float[] x = pool[i];
            for (int j = 0; j < x.length; j++) {
                double diff = x[j] - center[j];
                d += diff * diff;
            }
            if (d < nearest[i]) {
                nearest[i] = d;
            }
        }
    }
}
