package dev.distillery.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.distillery.data.Example;
import dev.distillery.util.Hashing;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Text to two hashed views, the features of the classic TF-IDF text classifier: word 1- and 2-grams hashed into the
 * lower half of {@code buckets}, character 2- to 5-grams inside words (each word padded with a space; 3- to 5-grams for
 * the models saved before 2026-12-07) into the upper half; each feature's count becomes its sublinear term frequency 1 + ln(count). Inverse document frequencies and the
 * per-view length normalization belong to the model ({@link TfidfLinearBlock}), which learns them from the training
 * texts. At most {@link #MAX_CHARS} characters of a text are read, so the cost of one example is bounded.
 *
 * <p>A batch is one float array (batch, 2, length): row 0 the feature ids (exact in float32 below 2^24), row 1 their
 * term frequencies; id 0 with frequency 0 pads short texts.
 */
public final class TfidfFeaturizer implements Featurizer {
    public static final int MAX_CHARS = 20_000;
    /**
     * The shortest character gram: 2, so that a word's first and last letter each make a gram with the padding space.
     * Where a text is one word (a name, a word whose sentiment is the label) they carry much of the signal: scikit-learn's
     * TF-IDF + linear SVM on 8,849 English first names by gender, 1,000 labels, 0.783 with 2-5-grams against 0.755 with
     * 3-5-grams (100 labels: 0.677 against 0.637), and no worse on longer texts (Debian package descriptions, 28
     * sections: 0.622 against 0.616 at 1,000 labels, 0.735 against 0.732 at 6,000).
     */
    public static final int MIN_CHAR_GRAM = 2;
    /** The shortest character gram of the models saved before {@link #MIN_CHAR_GRAM} was 2, which read their texts so. */
    public static final int LEGACY_MIN_CHAR_GRAM = 3;
    private static final int MAX_CHAR_GRAM = 5;

    private final int buckets;
    private final int minCharGram;

    TfidfFeaturizer(int buckets, int minCharGram) {
        if (minCharGram < 1 || minCharGram > MAX_CHAR_GRAM) {
            throw new IllegalArgumentException("the shortest character gram must be 1 to " + MAX_CHAR_GRAM + ", got: " + minCharGram);
        }
        this.buckets = buckets;
        this.minCharGram = minCharGram;
    }

    /** The shortest character gram read ({@link #MIN_CHAR_GRAM}, or {@link #LEGACY_MIN_CHAR_GRAM} for an older model). */
    public int minCharGram() {
        return minCharGram;
    }

    /** The longest character gram read. */
    public int maxCharGram() {
        return MAX_CHAR_GRAM;
    }

    /** One text's distinct feature ids in ascending order, with their sublinear term frequencies. */
    public record Features(int[] ids, float[] tf) {}

    /** The first id of the character view; word ids lie in [1, charStart). */
    public int charStart() {
        return buckets / 2;
    }

    public int buckets() {
        return buckets;
    }

    public Features features(String text) {
        String lower = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
        lower = lower.toLowerCase(Locale.ROOT);
        List<String> words = NgramFeaturizer.words(lower, Integer.MAX_VALUE);
        int half = charStart();
        int[] raw = new int[16];
        int n = 0;
        StringBuilder gram = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            raw = grow(raw, n + 2);
            raw[n++] = 1 + Math.floorMod(Hashing.fnv1a64(words.get(i)), half - 1);
            if (i + 1 < words.size()) {
                gram.setLength(0);
                gram.append(words.get(i)).append(' ').append(words.get(i + 1));
                raw[n++] = 1 + Math.floorMod(Hashing.fnv1a64(gram), half - 1);
            }
            String padded = " " + words.get(i) + " ";
            for (int len = minCharGram; len <= MAX_CHAR_GRAM; len++) {
                for (int s = 0; s + len <= padded.length(); s++) {
                    raw = grow(raw, n + 1);
                    // A distinct prefix keeps "ab" as a character gram apart from the word "ab".
                    raw[n++] = half + Math.floorMod(Hashing.fnv1a64("\u0001" + padded.substring(s, s + len)), buckets - half);
                }
            }
        }
        int[] sorted = Arrays.copyOf(raw, n);
        Arrays.sort(sorted);
        int[] ids = new int[n];
        float[] tf = new float[n];
        int distinct = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            ids[distinct] = sorted[i];
            tf[distinct++] = (float) (1 + Math.log(j - i));
            i = j;
        }
        return new Features(Arrays.copyOf(ids, distinct), Arrays.copyOf(tf, distinct));
    }

    private static int[] grow(int[] a, int needed) {
        return needed <= a.length ? a : Arrays.copyOf(a, Math.max(needed, a.length * 2));
    }

    @Override
    public Shape inputShape(int batchSize) {
        return new Shape(batchSize, 2, 8);
    }

    @Override
    public NDList batch(NDManager manager, List<Example> examples, boolean training, Random rng) {
        Packed packed = pack(examples.stream().map(Example::text).toList());
        return new NDList(manager.create(packed.values(), new Shape(examples.size(), 2, packed.length())));
    }

    /** Texts as the model reads them, {@code values} of shape (texts, 2, length); see the class comment. */
    public record Packed(float[] values, int length) {}

    /** The model's input for {@code texts}, for DJL and for the exported graph alike. */
    public Packed pack(List<String> texts) {
        Features[] rows = new Features[texts.size()];
        int longest = 1;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = features(texts.get(i));
            longest = Math.max(longest, rows[i].ids().length);
        }
        float[] buf = new float[rows.length * 2 * longest];
        for (int i = 0; i < rows.length; i++) {
            int base = i * 2 * longest;
            for (int j = 0; j < rows[i].ids().length; j++) {
                buf[base + j] = rows[i].ids()[j];
                buf[base + longest + j] = rows[i].tf()[j];
            }
        }
        return new Packed(buf, longest);
    }
}
