package dev.distillery.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.distillery.data.Example;
import dev.distillery.util.Hashing;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Text to hashed word n-gram ids: lower-cased runs of letters and digits, n-grams of 1 to
 * {@code ngrams} words, each hashed into [1, buckets); id 0 pads short texts and is masked out.
 */
public final class NgramFeaturizer implements Featurizer {
    private final NgramBagSpec spec;

    NgramFeaturizer(NgramBagSpec spec) {
        this.spec = spec;
    }

    @Override
    public Shape inputShape(int batchSize) {
        return new Shape(batchSize, 8);
    }

    /**
     * Texts per length-sorted chunk. A batch padded to its longest text was three quarters padding on SpamAssassin
     * (random batches of 128: 25% of the positions real), and the bag's work grows with every position; chunks of
     * similar length cut that padding while the batch, its loss and its optimizer step stay the same.
     */
    static final int CHUNK = 32;

    @Override
    public NDList batch(NDManager manager, List<Example> examples, boolean training, Random rng) {
        int n = examples.size();
        List<long[]> ids = new ArrayList<>(n);
        for (Example e : examples) {
            ids.add(ids(e.text()));
        }
        if (n < 2 * CHUNK) {
            return new NDList(padded(manager, ids, 0, n));
        }
        List<long[]> sorted = new ArrayList<>(ids);
        Integer[] order = new Integer[n];
        java.util.Arrays.setAll(order, i -> i);
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> ids.get(i).length)); // stable: ties keep batch order
        long[] positions = new long[n];
        for (int k = 0; k < n; k++) {
            sorted.set(k, ids.get(order[k]));
            positions[order[k]] = k;
        }
        NDList chunks = new NDList();
        for (int start = 0; start < n; start += CHUNK) {
            chunks.add(padded(manager, sorted, start, Math.min(n, start + CHUNK)));
        }
        chunks.add(manager.create(positions));
        return chunks;
    }

    /** Rows {@code from..to} of {@code ids} as one (rows, longest) tensor, padded with id 0. */
    private static ai.djl.ndarray.NDArray padded(NDManager manager, List<long[]> ids, int from, int to) {
        int longest = 1;
        for (int i = from; i < to; i++) {
            longest = Math.max(longest, ids.get(i).length);
        }
        long[] buf = new long[(to - from) * longest];
        for (int i = from; i < to; i++) {
            System.arraycopy(ids.get(i), 0, buf, (i - from) * longest, ids.get(i).length);
        }
        return manager.create(buf, new Shape(to - from, longest));
    }

    /** The n-gram bucket ids of one text, at most {@code maxTokens} of them. */
    public long[] ids(String text) {
        List<String> words = words(text, spec.maxTokens());
        long[] out = new long[spec.maxTokens()];
        int count = 0;
        StringBuilder gram = new StringBuilder();
        outer:
        for (int n = 1; n <= spec.ngrams(); n++) {
            for (int i = 0; i + n <= words.size(); i++) {
                if (count == out.length) {
                    break outer;
                }
                gram.setLength(0);
                for (int k = 0; k < n; k++) {
                    if (k > 0) {
                        gram.append(' ');
                    }
                    gram.append(words.get(i + k));
                }
                out[count++] = 1 + Math.floorMod(Hashing.fnv1a64(gram), spec.buckets() - 1);
            }
        }
        return java.util.Arrays.copyOf(out, count);
    }

    static List<String> words(String text, int limit) {
        List<String> words = new ArrayList<>();
        String lower = text.toLowerCase(Locale.ROOT);
        int start = -1;
        for (int i = 0; i <= lower.length() && words.size() < limit; i++) {
            boolean inWord = i < lower.length() && Character.isLetterOrDigit(lower.charAt(i));
            if (inWord && start < 0) {
                start = i;
            } else if (!inWord && start >= 0) {
                words.add(lower.substring(start, i));
                start = -1;
            }
        }
        return words;
    }
}
