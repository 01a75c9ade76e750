package dev.distillery.curate;

import java.util.HashMap;
import java.util.Map;

/**
 * Heuristic quality rules in the spirit of Gopher (Rae et al., 2021) and C4 (Raffel et al., 2020):
 * word count and mean word length within bounds, few symbol-like words ("#", "...") and few words
 * without a letter, not mostly repeated lines, and no single word 2-gram dominating the text. Each
 * rule removes with its own reason, so the funnel shows which rule did what. A rule set to NaN (or
 * a count limit of 0) is off.
 */
public final class QualityFilter implements RecordStep, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** The thresholds; see the defaults for sensible values on e-mail and web text. */
    public record Rules(int minWords, int maxWords, double minMeanWordLength, double maxMeanWordLength,
            double maxSymbolRatio, double minAlphaWordRatio, double maxDuplicateLineRatio, double maxTopBigramRatio)
            implements java.io.Serializable {
        public static final Rules DEFAULT = new Rules(5, 100_000, 2.0, 12.0, 0.1, 0.6, 0.5, 0.3);
    }

    private final Rules rules;

    public QualityFilter(Rules rules) {
        this.rules = rules;
    }

    @Override
    public String name() {
        return "quality";
    }

    /** Why {@code text} fails, or null if it passes every rule. */
    public String failure(String text) {
        // Chinese, Japanese or Thai: each character a word (Scripts), not a whole clause between spaces
        String[] words = text.trim().isEmpty() ? new String[0]
                : dev.distillery.util.Scripts.apart(dev.distillery.util.Patterns.WHITESPACE.split(text.trim()));
        int n = words.length;
        if (rules.minWords() > 0 && n < rules.minWords()) {
            return "fewer than " + rules.minWords() + " words";
        }
        if (rules.maxWords() > 0 && n > rules.maxWords()) {
            return "more than " + rules.maxWords() + " words";
        }
        double letters = 0;
        int spaced = 0;
        int symbols = 0;
        int alpha = 0;
        for (String w : words) {
            if (!dev.distillery.util.Scripts.hasUnspaced(w)) { // a character of such a script has no word length to judge
                letters += w.length();
                spaced++;
            }
            if (w.equals("#") || w.contains("...") || w.contains("…")) {
                symbols++;
            }
            if (w.codePoints().anyMatch(Character::isLetter)) {
                alpha++;
            }
        }
        boolean judgeLength = 2 * spaced > n; // a mostly Chinese text's few Latin words and punctuation say nothing of it
        double mean = spaced == 0 ? 0 : letters / spaced;
        if (judgeLength && !Double.isNaN(rules.minMeanWordLength()) && mean < rules.minMeanWordLength()) {
            return "mean word length below " + rules.minMeanWordLength();
        }
        if (judgeLength && !Double.isNaN(rules.maxMeanWordLength()) && mean > rules.maxMeanWordLength()) {
            return "mean word length above " + rules.maxMeanWordLength();
        }
        if (!Double.isNaN(rules.maxSymbolRatio()) && n > 0 && symbols / (double) n > rules.maxSymbolRatio()) {
            return "symbol-to-word ratio above " + rules.maxSymbolRatio();
        }
        if (!Double.isNaN(rules.minAlphaWordRatio()) && n > 0 && alpha / (double) n < rules.minAlphaWordRatio()) {
            return "share of words with a letter below " + rules.minAlphaWordRatio();
        }
        String[] lines = text.split("\n");
        if (!Double.isNaN(rules.maxDuplicateLineRatio()) && lines.length >= 4) {
            Map<String, Integer> counts = new HashMap<>();
            int duplicated = 0;
            for (String line : lines) {
                String l = line.strip();
                if (!l.isEmpty() && counts.merge(l, 1, Integer::sum) > 1) {
                    duplicated++;
                }
            }
            if (duplicated / (double) lines.length > rules.maxDuplicateLineRatio()) {
                return "duplicate-line share above " + rules.maxDuplicateLineRatio();
            }
        }
        if (!Double.isNaN(rules.maxTopBigramRatio()) && n >= 10) {
            Map<String, Integer> bigrams = new HashMap<>();
            int top = 0;
            for (int i = 0; i + 1 < n; i++) {
                String key = words[i].toLowerCase(java.util.Locale.ROOT) + " " + words[i + 1].toLowerCase(java.util.Locale.ROOT);
                top = Math.max(top, bigrams.merge(key, 1, Integer::sum));
            }
            // Gopher measures characters covered by the most frequent 2-gram; counting occurrences is close enough here.
            if (2.0 * top / n > rules.maxTopBigramRatio()) {
                return "most frequent word 2-gram covers more than " + rules.maxTopBigramRatio();
            }
        }
        return null;
    }

    @Override
    public Verdict check(String text) {
        String why = failure(text);
        return why == null ? Verdict.keep(text) : Verdict.remove(why);
    }
}
