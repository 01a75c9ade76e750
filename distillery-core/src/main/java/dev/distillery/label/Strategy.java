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
 * already labeled or picked. Diverse margin (Zhdanov, "Diverse mini-batch Active Learning", 2019) keeps
 * the {@value #DIVERSE_PREFILTER} x n examples of smallest margin, clusters their embeddings into n groups
 * with k-means and picks the example nearest each centre: uncertain examples that are not all alike, where
 * plain margin may spend a whole batch on near-copies of one confusion.
 */
public enum Strategy {
    RANDOM, LEAST_CONFIDENCE, MARGIN, ENTROPY, KCENTER, DIVERSE_MARGIN;

    /** Candidates per pick for {@link #DIVERSE_MARGIN}: the paper's beta, 10, taken as given rather than tuned. */
    static final int DIVERSE_PREFILTER = 10;
    private static final int KMEANS_ITERATIONS = 10;

    public static Strategy parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown strategy '" + name
                    + "'; use random, least-confidence, margin, entropy, kcenter or diverse-margin");
        }
    }

    /** Whether {@link #select} reads the model's probabilities of the pool. */
    public boolean needsProbabilities() {
        return this != RANDOM && this != KCENTER;
    }

    /** Whether {@link #select} reads embeddings of the pool. */
    public boolean needsEmbeddings() {
        return this == KCENTER || this == DIVERSE_MARGIN;
    }

    /** Whether {@link #select} also reads embeddings of the examples already labeled (k-center measures from them). */
    public boolean needsLabeledEmbeddings() {
        return this == KCENTER;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Picks {@code n} pool positions.
     *
     * @param probs      the current model's probabilities for each pool example
     * @param embeddings each pool example's embedding (when {@link #needsEmbeddings}; may be null otherwise)
     * @param labeled    embeddings of the examples already labeled (when {@link #needsLabeledEmbeddings})
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
        if (this == DIVERSE_MARGIN) {
            int[] candidates = MARGIN.mostUncertain(probs, Math.min(size, DIVERSE_PREFILTER * n));
            return nearestToCentres(embeddings, candidates, n, rng);
        }
        return mostUncertain(probs, n);
    }

    /** Positions of the {@code n} most uncertain examples, ascending; ties by position so the pick is deterministic. */
    private int[] mostUncertain(float[][] probs, int n) {
        double[] score = new double[probs.length];
        for (int i = 0; i < probs.length; i++) {
            score[i] = uncertainty(probs[i]);
        }
        return IntStream.range(0, probs.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i))
                .limit(n).mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * Clusters the candidates' embeddings into {@code n} groups (k-means++ seeding, then Lloyd iterations) and
     * returns, for each centre, the nearest candidate not already taken: {@code n} distinct pool positions.
     */
    static int[] nearestToCentres(float[][] embeddings, int[] candidates, int n, Random rng) {
        if (candidates.length <= n) {
            return candidates.clone();
        }
        float[][] points = new float[candidates.length][];
        for (int i = 0; i < candidates.length; i++) {
            points[i] = embeddings[candidates[i]];
        }
        float[][] centres = kMeansPlusPlus(points, n, rng);
        int[] assignment = new int[points.length];
        for (int iteration = 0; iteration < KMEANS_ITERATIONS; iteration++) {
            for (int i = 0; i < points.length; i++) {
                assignment[i] = nearest(points[i], centres);
            }
            double[][] sums = new double[n][points[0].length];
            int[] counts = new int[n];
            for (int i = 0; i < points.length; i++) {
                counts[assignment[i]]++;
                for (int d = 0; d < points[i].length; d++) {
                    sums[assignment[i]][d] += points[i][d];
                }
            }
            for (int c = 0; c < n; c++) {
                if (counts[c] > 0) { // an emptied centre stays where it was
                    for (int d = 0; d < sums[c].length; d++) {
                        centres[c][d] = (float) (sums[c][d] / counts[c]);
                    }
                }
            }
        }
        boolean[] taken = new boolean[points.length];
        int[] picked = new int[n];
        for (int c = 0; c < n; c++) {
            int best = -1;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int i = 0; i < points.length; i++) {
                double d = squaredDistance(points[i], centres[c]);
                if (!taken[i] && d < bestDistance) {
                    best = i;
                    bestDistance = d;
                }
            }
            taken[best] = true;
            picked[c] = candidates[best];
        }
        Arrays.sort(picked);
        return picked;
    }

    private static float[][] kMeansPlusPlus(float[][] points, int k, Random rng) {
        float[][] centres = new float[k][];
        centres[0] = points[rng.nextInt(points.length)].clone();
        double[] nearest = new double[points.length];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            updateNearest(points, centres[c - 1], nearest);
            double total = 0;
            for (double d : nearest) {
                total += d;
            }
            double r = rng.nextDouble() * total;
            int pick = 0;
            while (pick < points.length - 1 && (r -= nearest[pick]) > 0) {
                pick++;
            }
            centres[c] = points[pick].clone();
        }
        return centres;
    }

    private static int nearest(float[] x, float[][] centres) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centres.length; c++) {
            double d = squaredDistance(x, centres[c]);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    private static double squaredDistance(float[] a, float[] b) {
        double d = 0;
        for (int j = 0; j < a.length; j++) {
            double diff = a[j] - b[j];
            d += diff * diff;
        }
        return d;
    }

    /** Larger means less certain. */
    double uncertainty(float[] p) {
        float[] sorted = p.clone();
        Arrays.sort(sorted);
        return switch (this) {
            case LEAST_CONFIDENCE -> 1.0 - sorted[sorted.length - 1];
            case MARGIN, DIVERSE_MARGIN -> -(sorted[sorted.length - 1] - sorted[sorted.length - 2]);
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
            double d = squaredDistance(pool[i], center);
            if (d < nearest[i]) {
                nearest[i] = d;
            }
        }
    }
}
