package dev.distillery.curate;

import dev.distillery.util.Hashing;
import java.util.Arrays;

/**
 * MinHash over word shingles: a document is the set of its word k-grams (hashed to 64 bits), and its
 * signature holds, for each of {@code permutations} independent hash functions, the smallest hash of
 * any shingle. Two signatures agree in each position with probability equal to the Jaccard
 * similarity of the two shingle sets. Pure functions, shared by every engine.
 */
public final class MinHash implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final int shingle;
    private final long[] seeds;

    public MinHash(int shingle, int permutations, long seed) {
        if (shingle < 1 || permutations < 1) {
            throw new IllegalArgumentException("shingle and permutations must be >= 1, got " + shingle + ", " + permutations);
        }
        this.shingle = shingle;
        this.seeds = new long[permutations];
        long s = seed;
        for (int i = 0; i < permutations; i++) {
            s = mix(s + 0x9E3779B97F4A7C15L);
            seeds[i] = s;
        }
    }

    public int permutations() {
        return seeds.length;
    }

    /**
     * The sorted, distinct 64-bit hashes of the word {@code shingle}-grams of {@code text} (lower-cased words): each
     * n-gram's words, each followed by a space, hashed with FNV-1a. Words are the maximal runs of letters and numbers
     * ({@link dev.distillery.util.Patterns#WORD_BREAK} separates them), found by one scan instead of a regular
     * expression split, and each n-gram's hash is continued word by word rather than built as a string: the same
     * hashes (a test compares both ways), at a fraction of the cost on the hot path of near-dedup and of every split.
     */
    public long[] shingles(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        int[] bounds = wordBounds(lower);
        int n = bounds.length / 2;
        if (n == 0) {
            return new long[0];
        }
        int count = Math.max(1, n - shingle + 1);
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            long h = Hashing.FNV1A64_START;
            for (int j = i; j < Math.min(n, i + shingle); j++) {
                h = Hashing.fnv1a64(h, lower, bounds[2 * j], bounds[2 * j + 1]);
                h = Hashing.fnv1a64(h, " ", 0, 1);
            }
            out[i] = h;
        }
        Arrays.sort(out);
        int distinct = 0;
        for (int i = 0; i < out.length; i++) {
            if (i == 0 || out[i] != out[i - 1]) {
                out[distinct++] = out[i];
            }
        }
        return distinct == out.length ? out : Arrays.copyOf(out, distinct);
    }

    /**
     * Start and end (exclusive) of each maximal run of letter and number code points (Unicode L and N) in {@code s}, a
     * letter of a script written without spaces a word of its own ({@link dev.distillery.util.Scripts}), so Chinese
     * text is shingled by characters rather than by clauses.
     */
    private static int[] wordBounds(String s) {
        int[] bounds = new int[32];
        int n = 0;
        int start = -1;
        for (int i = 0; i <= s.length(); ) {
            int cp = i < s.length() ? s.codePointAt(i) : -1;
            boolean inWord = cp >= 0 && isLetterOrNumber(cp);
            boolean alone = inWord && dev.distillery.util.Scripts.unspaced(cp);
            if (start >= 0 && (!inWord || alone)) {
                bounds = room(bounds, n);
                bounds[n++] = start;
                bounds[n++] = i;
                start = -1;
            }
            if (alone) {
                bounds = room(bounds, n);
                bounds[n++] = i;
                bounds[n++] = i + Character.charCount(cp);
            } else if (inWord && start < 0) {
                start = i;
            }
            i += cp >= 0 ? Character.charCount(cp) : 1;
        }
        return Arrays.copyOf(bounds, n);
    }

    private static int[] room(int[] bounds, int n) {
        return n + 2 > bounds.length ? Arrays.copyOf(bounds, 2 * bounds.length) : bounds;
    }

    /** The regular expression classes {@code \p{L}} and {@code \p{N}}: the letter and number general categories. */
    private static boolean isLetterOrNumber(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER, Character.MODIFIER_LETTER,
                    Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    public long[] signature(long[] shingles) {
        long[] sig = new long[seeds.length];
        Arrays.fill(sig, Long.MAX_VALUE);
        for (long x : shingles) {
            for (int i = 0; i < seeds.length; i++) {
                long h = mix(x ^ seeds[i]);
                if (Long.compareUnsigned(h, sig[i]) < 0) {
                    sig[i] = h;
                }
            }
        }
        return sig;
    }

    /** Exact Jaccard similarity of two sorted, distinct hash arrays. */
    public static double jaccard(long[] a, long[] b) {
        if (a.length == 0 && b.length == 0) {
            return 1.0;
        }
        int i = 0;
        int j = 0;
        int common = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                common++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return common / (double) (a.length + b.length - common);
    }

    /** The LSH bucket of a signature in one band: a hash of that band's {@code rows} values. */
    public static long bandKey(long[] signature, int band, int rows) {
        long key = band * 0x9E3779B97F4A7C15L;
        for (int r = band * rows; r < (band + 1) * rows; r++) {
            key = mix(key ^ signature[r]);
        }
        return key;
    }

    /** SplitMix64's finalizer: a fast, well-mixing 64-bit permutation. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Bands and rows (bands x rows <= permutations) for an LSH index whose S-curve 1 - (1 - s^r)^b crosses near
     * {@code threshold}: minimizes the false-positive area below the threshold plus the false-negative area above
     * it, weighting misses {@code missWeight} times (a missed duplicate costs more than a pair verified in vain).
     */
    public static int[] bandsAndRows(double threshold, int permutations, double missWeight) {
        double best = Double.POSITIVE_INFINITY;
        int[] choice = {1, permutations};
        for (int b = 1; b <= permutations; b++) {
            for (int r = 1; b * r <= permutations; r++) {
                double fp = integrate(threshold, 0, b, r, false);
                double fn = integrate(threshold, 1, b, r, true);
                double cost = fp + missWeight * fn;
                if (cost < best) {
                    best = cost;
                    choice = new int[] {b, r};
                }
            }
        }
        return choice;
    }

    private static double integrate(double t, double end, int b, int r, boolean miss) {
        int steps = 200;
        double lo = Math.min(t, end);
        double hi = Math.max(t, end);
        double h = (hi - lo) / steps;
        double sum = 0;
        for (int i = 0; i < steps; i++) {
            double s = lo + (i + 0.5) * h;
            double p = 1 - Math.pow(1 - Math.pow(s, r), b);
            sum += (miss ? 1 - p : p) * h;
        }
        return sum;
    }
}
