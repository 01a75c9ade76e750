package dev.distillery.util;

/**
 * Writing systems whose words are not separated by spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese). Rules that
 * count or shingle words by what lies between spaces or punctuation see a whole Chinese clause as one word: curation
 * removed every poem of a Chinese collection as "fewer than 5 words", and near-duplicate shingles of five clauses
 * missed copies that differ in one character. Where a rule needs words, each character of these scripts is one, as
 * the usual character n-gram treatment of such text has it.
 */
public final class Scripts {
    private Scripts() {}

    /** Whether {@code codePoint} is a letter of a script written without spaces between words. */
    public static boolean unspaced(int codePoint) {
        if (codePoint < 0x0E00) { // Latin, Greek, Cyrillic, Arabic, Hebrew, Indic: the common case, decided at once
            return false;
        }
        return switch (Character.UnicodeScript.of(codePoint)) {
            case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR -> Character.isLetter(codePoint);
            default -> false;
        };
    }

    /**
     * {@code words} with each letter of such a script made a word of its own, the characters between them kept together
     * ("少年十五" is four words, "GPT-4模型" is "GPT-4", "模", "型"); the same array where none holds one.
     */
    public static String[] apart(String[] words) {
        if (java.util.Arrays.stream(words).noneMatch(Scripts::hasUnspaced)) {
            return words;
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (String w : words) {
            w.codePoints().forEach(cp -> {
                if (unspaced(cp)) {
                    if (word.length() > 0) {
                        out.add(word.toString());
                        word.setLength(0);
                    }
                    out.add(Character.toString(cp));
                } else {
                    word.appendCodePoint(cp);
                }
            });
            if (word.length() > 0) {
                out.add(word.toString());
                word.setLength(0);
            }
        }
        return out.toArray(String[]::new);
    }

    /** Whether {@code text} holds a letter of such a script. */
    public static boolean hasUnspaced(CharSequence text) {
        return text.codePoints().anyMatch(Scripts::unspaced);
    }
}
