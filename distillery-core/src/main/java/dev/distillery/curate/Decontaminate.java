package dev.distillery.curate;

import dev.distillery.util.Hashing;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drops training records that share a long word n-gram (13 words by default, as in the GPT-3 report)
 * with any test record, so a model is never scored on text it trained on.
 */
public final class Decontaminate implements CurateStep {
    private final int n;
    private final Set<Long> testGrams = new HashSet<>();

    public Decontaminate(List<String> testTexts, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got: " + n);
        }
        this.n = n;
        for (String t : testTexts) {
            grams(t, n, testGrams);
        }
    }

    @Override
    public String name() {
        return "decontaminate";
    }

    static void grams(String text, int n, Set<Long> into) {
        String[] w = Normalize.key(text).split("[^\\p{L}\\p{N}]+");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + n <= w.length; i++) {
            sb.setLength(0);
            for (int j = i; j < i + n; j++) {
                sb.append(w[j]).append(' ');
            }
            into.add(Hashing.fnv1a64(sb));
        }
    }

    @Override
    public List<Doc> apply(List<Doc> docs, StepReport report) {
        return docs.parallelStream().filter(d -> {
            Set<Long> mine = new HashSet<>();
            grams(d.text(), n, mine);
            for (long g : mine) {
                if (testGrams.contains(g)) {
                    report.removed(d, "shares a " + n + "-word sequence with the test set");
                    return false;
                }
            }
            return true;
        }).toList();
    }
}
