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

    @Override
    public NDList batch(NDManager manager, List<Example> examples, boolean training, Random rng) {
        List<long[]> ids = new ArrayList<>(examples.size());
        int longest = 1;
        for (Example e : examples) {
            long[] row = ids(e.text());
            ids.add(row);
            longest = Math.max(longest, row.length);
        }
        long[] buf = new long[examples.size() * longest];
        for (int i = 0; i < ids.size(); i++) {
            System.arraycopy(ids.get(i), 0, buf, i * longest, ids.get(i).length);
        }
        return new NDList(manager.create(buf, new Shape(examples.size(), longest)));
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
