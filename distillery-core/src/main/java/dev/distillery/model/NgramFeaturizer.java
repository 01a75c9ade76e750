package dev.distillery.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.distillery.data.Example;
import dev.distillery.util.Hashing;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Text to hashed word n-gram ids: lower-cased runs of letters and digits, n-grams of 1 to
 * {@code ngrams} words, each hashed into [1, buckets) (id 0 is never a text's: ONNX exports pad with it).
 */
public final class NgramFeaturizer implements Featurizer {
    private final NgramBagSpec spec;
    /** Fewer texts than this are read on the calling thread: a single request should not wait for a parallel start. */
    private static final int PARALLEL_MIN_TEXTS = 16;
    /** Ids the training cache may hold in all: 64 MB, about 35,000 SpamAssassin messages. */
    static final long CACHE_BUDGET = 16L << 20;

    /**
     * The ids of training texts still in use (weak keys: an entry lives as long as its text), because training reads
     * the same texts every epoch and lower-casing, splitting and hashing them was most of an epoch's time on the CPU.
     * Inference passes compute afresh (a pool of unlabeled texts is read once; timing sees a new input's cost); past
     * the budget so does training. Held as int (an id is below the bucket count), half the memory of longs: 7.6 MB for
     * SpamAssassin's 3,808 training texts (about 500 ids a text), which a run's first collections copy on their way
     * to the old generation.
     */
    private final Map<String, int[]> known = Collections.synchronizedMap(new WeakHashMap<>());
    private final AtomicLong cached = new AtomicLong();

    NgramFeaturizer(NgramBagSpec spec) {
        this.spec = spec;
    }

    @Override
    public Shape inputShape(int batchSize) {
        return new Shape(batchSize, 8);
    }

    /**
     * The texts as bags of n-gram ids ({@link TextBags}): each text's ids and where they start. Texts not yet known are
     * read on all the process's threads (a text's ids depend on it alone): the first training epoch and every
     * inference batch spent a quarter to a half of their time here, on one core.
     */
    @Override
    public NDList batch(NDManager manager, List<Example> examples, boolean training, Random rng) {
        boolean fresh = !training || examples.stream().anyMatch(e -> !known.containsKey(e.text()));
        Stream<Example> texts = fresh && examples.size() >= PARALLEL_MIN_TEXTS ? examples.parallelStream() : examples.stream();
        return TextBags.of(manager, texts.map(e -> training ? cachedIds(e.text()) : bucketIds(e.text())).toList());
    }

    private int[] cachedIds(String text) {
        int[] ids = known.get(text);
        if (ids == null) {
            ids = bucketIds(text);
            if (cached.addAndGet(ids.length) <= CACHE_BUDGET) {
                known.put(text, ids);
            }
        }
        return ids;
    }

    /**
     * The n-gram bucket ids of one text, at most {@code maxTokens} of them: all unigrams in order, then all bigrams, and
     * so on. Each n-gram's hash is its first n-1 words' hash continued with " " and its last word, the same value as
     * hashing the joined n-gram (saved models depend on it), without building the string.
     */
    public long[] ids(String text) {
        return java.util.Arrays.stream(bucketIds(text)).asLongStream().toArray();
    }

    /** {@link #ids} as int, the type the model reads them in. */
    int[] bucketIds(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int[] bounds = wordBounds(lower, spec.maxTokens());
        int words = bounds.length / 2;
        int[] out = new int[Math.min(spec.maxTokens(), words * spec.ngrams())];
        long[] hashes = new long[words]; // for the current n: the hash of the n-gram starting at each word
        int count = 0;
        for (int n = 1; n <= spec.ngrams() && count < out.length; n++) {
            for (int i = 0; i + n <= words && count < out.length; i++) {
                int last = i + n - 1;
                long h = n == 1 ? Hashing.FNV1A64_START : Hashing.fnv1a64(hashes[i], " ", 0, 1);
                h = Hashing.fnv1a64(h, lower, bounds[2 * last], bounds[2 * last + 1]);
                hashes[i] = h;
                out[count++] = 1 + Math.floorMod(h, spec.buckets() - 1);
            }
        }
        return count == out.length ? out : java.util.Arrays.copyOf(out, count);
    }

    /** Start and end (exclusive) of each of the first {@code limit} runs of letters and digits in {@code lower}. */
    private static int[] wordBounds(String lower, int limit) {
        int[] bounds = new int[16];
        int n = 0;
        int start = -1;
        for (int i = 0; i <= lower.length() && n / 2 < limit; i++) {
            boolean inWord = i < lower.length() && Character.isLetterOrDigit(lower.charAt(i));
            if (inWord && start < 0) {
                start = i;
            } else if (!inWord && start >= 0) {
                if (n + 2 > bounds.length) {
                    bounds = java.util.Arrays.copyOf(bounds, 2 * bounds.length);
                }
                bounds[n++] = start;
                bounds[n++] = i;
                start = -1;
            }
        }
        return java.util.Arrays.copyOf(bounds, n);
    }

    /** The first {@code limit} words of {@code text} as {@link #ids} reads them. */
    static List<String> words(String text, int limit) {
        String lower = text.toLowerCase(Locale.ROOT);
        int[] bounds = wordBounds(lower, limit);
        List<String> words = new ArrayList<>(bounds.length / 2);
        for (int i = 0; i < bounds.length; i += 2) {
            words.add(lower.substring(bounds[i], bounds[i + 1]));
        }
        return words;
    }
}
