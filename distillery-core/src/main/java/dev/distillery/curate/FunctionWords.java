package dev.distillery.curate;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A first opinion on a text's language from its commonest function words ("the", "und", "les", ...), for the texts it
 * is sure of, before Lingua's n-gram models, which cost about a millisecond a text on these machines (most of the
 * default curation pipeline's time).
 *
 * <p>A text is judged only when nearly all its letters are Latin (a page of Japanese or Russian with English commands in
 * it goes to Lingua), and answered only when one language's function words are at least {@link #MIN_HITS} of them, at
 * least {@link #MIN_SHARE} of the words and {@link #LEAD} times those of any other language. Measured against Lingua
 * alone (BENCHMARKS.md): on SpamAssassin's 4,231 training messages it answered 77% of them and changed 6 answers, each a
 * short English message Lingua's trigram mode had called German or Italian; on 1,071 translated manual pages in 10
 * languages it answered 34% and changed one, a page whose Italian translation stops after its first sentence.
 *
 * <p>It only answers with a candidate language, and only where every Latin-script candidate has a word list here: a
 * Danish text, among candidates that include Danish, would share words with Dutch and English.
 */
final class FunctionWords implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    static final int MIN_HITS = 6;
    static final double MIN_SHARE = 0.15;
    static final int LEAD = 3;
    /** Share of a text's letters that must be Latin for it to be judged here. */
    static final double MIN_LATIN = 0.98;

    /** The 30 commonest function words of each language with a list (several are shared, which the lead rule allows). */
    private static final Map<String, Set<String>> WORDS = Map.of(
            "en", Set.of("the", "and", "of", "to", "is", "that", "for", "with", "this", "you", "are", "be", "have", "not", "it",
                    "on", "was", "your", "will", "from", "by", "or", "we", "an", "at", "as", "can", "if", "all", "which"),
            "de", Set.of("der", "die", "und", "das", "ist", "nicht", "ein", "eine", "zu", "den", "mit", "sich", "des", "auf", "für",
                    "im", "dem", "von", "wird", "werden", "oder", "auch", "sie", "es", "als", "bei", "nach", "kann", "wenn", "sind"),
            "fr", Set.of("le", "la", "les", "de", "des", "et", "est", "une", "un", "du", "que", "en", "pour", "dans", "sur", "pas",
                    "par", "qui", "au", "avec", "ce", "il", "ne", "sont", "ou", "se", "plus", "aux", "cette", "être"),
            "es", Set.of("el", "la", "los", "las", "de", "que", "y", "en", "un", "una", "es", "por", "para", "con", "no", "del",
                    "se", "al", "lo", "como", "más", "su", "sus", "este", "esta", "pero", "son", "si", "ha", "o"),
            "it", Set.of("il", "la", "di", "che", "e", "è", "un", "una", "per", "non", "con", "del", "della", "dei", "le", "si",
                    "sono", "da", "in", "gli", "lo", "al", "questo", "come", "anche", "più", "nel", "alla", "ma", "o"),
            "pt", Set.of("o", "a", "os", "as", "de", "que", "e", "do", "da", "dos", "das", "em", "um", "uma", "para", "com", "não",
                    "no", "na", "por", "se", "é", "ao", "mais", "como", "mas", "ou", "são", "pelo", "seu"),
            "nl", Set.of("de", "het", "een", "en", "van", "is", "dat", "die", "niet", "te", "in", "op", "voor", "met", "zijn", "er",
                    "wordt", "aan", "ook", "om", "als", "bij", "of", "door", "naar", "dan", "kan", "worden", "deze", "moet"));

    /** Candidates written in another script, whose texts the Latin-letter rule sends to Lingua anyway. */
    private static final Set<String> NOT_LATIN = Set.of("ru", "uk", "bg", "be", "mk", "kk", "mn", "el", "ar", "fa", "ur", "he",
            "hi", "mr", "bn", "gu", "pa", "ta", "te", "th", "zh", "ja", "ko", "ka", "hy");

    private final Map<String, Set<String>> lists;

    /** For {@code candidates} (ISO 639-1 codes); {@link #enabled()} is false where a Latin-script one has no list. */
    FunctionWords(List<String> candidates) {
        boolean covered = candidates.stream().allMatch(c -> WORDS.containsKey(c) || NOT_LATIN.contains(c));
        Map<String, Set<String>> chosen = new HashMap<>();
        if (covered) {
            candidates.stream().filter(WORDS::containsKey).forEach(c -> chosen.put(c, WORDS.get(c)));
        }
        this.lists = Map.copyOf(chosen);
    }

    boolean enabled() {
        return !lists.isEmpty();
    }

    /** The language {@code sample} is clearly written in by its function words, or null to leave it to Lingua. */
    String clearLanguage(String sample) {
        if (lists.isEmpty()) {
            return null;
        }
        String lower = sample.toLowerCase(Locale.ROOT);
        int letters = 0;
        int latin = 0;
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (Character.isLetter(c)) {
                letters++;
                if (Character.UnicodeScript.of(c) == Character.UnicodeScript.LATIN) {
                    latin++;
                }
            }
        }
        if (latin < MIN_LATIN * letters) {
            return null;
        }
        Map<String, Integer> hits = new HashMap<>();
        int words = 0;
        for (int i = 0, n = lower.length(); i < n; ) {
            while (i < n && !Character.isLetter(lower.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && Character.isLetter(lower.charAt(i))) {
                i++;
            }
            if (i > start) {
                words++;
                String word = lower.substring(start, i);
                lists.forEach((lang, list) -> {
                    if (list.contains(word)) {
                        hits.merge(lang, 1, Integer::sum);
                    }
                });
            }
        }
        String best = null;
        int first = 0;
        int second = 0;
        for (Map.Entry<String, Integer> e : hits.entrySet()) {
            int h = e.getValue();
            if (h > first) {
                second = first;
                first = h;
                best = e.getKey();
            } else if (h > second) {
                second = h;
            }
        }
        return best != null && first >= MIN_HITS && first >= MIN_SHARE * words && first >= LEAD * second ? best : null;
    }
}
