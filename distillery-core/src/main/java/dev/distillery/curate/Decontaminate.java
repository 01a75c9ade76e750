package dev.distillery.curate;

import dev.distillery.util.Hashing;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drops training records that substantially repeat a test record: at least {@code minOverlap} of a
 * record's word {@code n}-grams (13 by default, as in the GPT-3 report) occur in the test set.
 * N-grams found in {@code boilerplateDocs} or more test records (mailing-list footers, signatures,
 * legal notices) are ignored: sharing a template is not leaking a test example, and on e-mail a
 * single shared 13-gram would otherwise remove most of the training set.
 */
public final class Decontaminate implements RecordStep, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final int n;
    private final double minOverlap;
    private final HashSet<Long> testGrams = new HashSet<>();

    public Decontaminate(List<String> testTexts, int n, double minOverlap, int boilerplateDocs) {
        if (n < 1) {
            throw new IllegalArgumentException("ngram must be >= 1, got: " + n);
        }
        if (!(minOverlap > 0 && minOverlap <= 1)) {
            throw new IllegalArgumentException("min_overlap must be in (0, 1], got: " + minOverlap);
        }
        this.n = n;
        this.minOverlap = minOverlap;
        Map<Long, Integer> docsPerGram = new HashMap<>();
        // Each test record's n-grams on all cores; the counts are merged on one thread (the sum is order-free).
        List<Set<Long>> perRecord = testTexts.parallelStream().map(t -> {
            Set<Long> grams = new HashSet<>();
            grams(t, n, grams);
            return grams;
        }).toList();
        for (Set<Long> grams : perRecord) {
            grams.forEach(g -> docsPerGram.merge(g, 1, Integer::sum));
        }
        docsPerGram.forEach((g, docs) -> {
            if (boilerplateDocs <= 0 || docs < boilerplateDocs) {
                testGrams.add(g);
            }
        });
    }

    @Override
    public String name() {
        return "decontaminate";
    }

    public int ngram() {
        return n;
    }

    public double minOverlap() {
        return minOverlap;
    }

    static void grams(String text, int n, Set<Long> into) {
        // each letter of a script written without spaces is a word, so Chinese text has n-grams of characters
        String[] w = dev.distillery.util.Scripts.apart(dev.distillery.util.Patterns.WORD_BREAK.split(Normalize.key(text)));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + n <= w.length; i++) {
            sb.setLength(0);
            for (int j = i; j < i + n; j++) {
                sb.append(w[j]).append(' ');
            }
            into.add(Hashing.fnv1a64(sb));
        }
    }

    /** Share of {@code text}'s n-grams that occur in the test set (0 for a text shorter than n words). */
    public double overlap(String text) {
        Set<Long> mine = new HashSet<>();
        grams(text, n, mine);
        if (mine.isEmpty()) {
            return 0;
        }
        long shared = mine.stream().filter(testGrams::contains).count();
        return shared / (double) mine.size();
    }

    @Override
    public Verdict check(String text) {
        return overlap(text) >= minOverlap ? Verdict.remove("repeats a test record (" + n + "-word overlap)") : Verdict.keep(text);
    }
}
