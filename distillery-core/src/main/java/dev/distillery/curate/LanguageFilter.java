package dev.distillery.curate;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Language identification with Lingua (n-gram models, accurate on short text): each record's language
 * is detected among {@code candidates} (ISO 639-1 codes) and counted in the funnel. With a {@code keep}
 * list, records detected in another language are removed, each language its own reason. Records whose
 * language cannot be told apart (too short, mixed) are kept and counted as "und", since an unknown
 * language is not a foreign one. Only the first {@code maxChars} characters are read: a long message
 * does not change language halfway, and detection time grows with length.
 *
 * <p>Speed: Lingua's high-accuracy mode scores every n-gram length from 1 to 5; its low-accuracy mode scores trigrams
 * only, several times faster, and its authors measure the two alike on text of more than about 120 characters. So a
 * sample of {@link #LOW_ACCURACY_FROM} characters or more goes to the low-accuracy detector and only shorter ones to the
 * high-accuracy detector (built on first need). A long sample is first judged by its first {@link #FIRST_LOOK}
 * characters and read whole only when they leave doubt. Before all that, a text written clearly in one language's
 * commonest function words is answered by {@link FunctionWords} and never reaches Lingua (three quarters of
 * SpamAssassin's messages).
 */
public final class LanguageFilter implements RecordStep, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Languages detected when none are configured: the commonest of web and e-mail text. */
    public static final List<String> DEFAULT_CANDIDATES = List.of("en", "de", "fr", "es", "it", "pt", "nl", "ru", "zh", "ja", "ko");

    private final List<String> candidates;
    private final Set<String> keep;
    private final int maxChars;
    /** Samples at least this long are detected in Lingua's low-accuracy (trigram) mode. */
    static final int LOW_ACCURACY_FROM = 120;
    /**
     * A longer sample is first judged on this many characters, and on all of it only when that first look has no clear
     * leader: detection time grows with length, and most texts are told by their first sentences. Measured against
     * reading 1,000 characters (Debian's translated manual pages, 10 languages, 1,071 texts of 1,200+ characters: the
     * same accuracy, 0.9486, reading 44% of the characters; SpamAssassin: the same language for 99.95% of the
     * messages, reading 66%); see BENCHMARKS.md.
     */
    static final int FIRST_LOOK = 200;
    /** How far (Lingua's relative confidence) the first look's leader must be ahead of the second language. */
    static final double CLEAR_MARGIN = 0.15;

    private final FunctionWords functionWords;
    private transient volatile LanguageDetector detector;
    private transient volatile LanguageDetector fastDetector;

    /** {@code keep} empty: detect and count only. */
    public LanguageFilter(List<String> candidates, List<String> keep, int maxChars) {
        Set<String> all = new LinkedHashSet<>();
        for (String code : candidates) {
            all.add(code(code));
        }
        Set<String> kept = new LinkedHashSet<>();
        for (String code : keep) {
            kept.add(code(code));
        }
        all.addAll(kept);
        if (all.size() < 2) {
            throw new IllegalArgumentException("language identification needs at least 2 candidate languages, got " + all);
        }
        if (maxChars < 1) {
            throw new IllegalArgumentException("max_chars must be >= 1, got: " + maxChars);
        }
        this.candidates = List.copyOf(all);
        this.keep = Set.copyOf(kept);
        this.maxChars = maxChars;
        this.functionWords = new FunctionWords(this.candidates);
    }

    private static String code(String code) {
        String c = code.trim().toLowerCase(Locale.ROOT);
        try {
            IsoCode639_1 iso = IsoCode639_1.valueOf(c.toUpperCase(Locale.ROOT));
            if (Language.getByIsoCode639_1(iso) == Language.UNKNOWN) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown or unsupported ISO 639-1 language code '" + code + "'", e);
        }
        return c;
    }

    @Override
    public String name() {
        return "language";
    }

    /** The ISO 639-1 code of {@code text}'s language, or "und" if it cannot be told. */
    public String detect(String text) {
        String sample = text.length() > maxChars ? text.substring(0, maxChars) : text;
        String clear = functionWords.clearLanguage(sample);
        if (clear != null) {
            return clear;
        }
        if (sample.length() > FIRST_LOOK) {
            Language leader = clearLeader(detector(true).computeLanguageConfidenceValues(sample.substring(0, FIRST_LOOK)));
            if (leader != null) {
                return code(leader);
            }
        }
        return code(detector(sample.length() >= LOW_ACCURACY_FROM).detectLanguageOf(sample));
    }

    private static String code(Language lang) {
        return lang == Language.UNKNOWN ? "und" : lang.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
    }

    /**
     * The language that leads {@code confidences} (Lingua's, relative to the leader's 1.0) by at least
     * {@link #CLEAR_MARGIN}, or null.
     */
    private static Language clearLeader(java.util.SortedMap<Language, Double> confidences) {
        Language leader = null;
        double second = 0;
        for (Map.Entry<Language, Double> e : confidences.entrySet()) {
            if (e.getValue() >= 1.0) {
                if (leader != null) {
                    return null; // a tie
                }
                leader = e.getKey();
            } else {
                second = Math.max(second, e.getValue());
            }
        }
        return leader != null && 1.0 - second >= CLEAR_MARGIN ? leader : null;
    }

    @Override
    public Verdict check(String text) {
        String lang = detect(text);
        if (!keep.isEmpty() && !lang.equals("und") && !keep.contains(lang)) {
            return Verdict.remove("language " + lang);
        }
        return Verdict.changed(text, Map.of("detected " + lang, 1L));
    }

    /** The low-accuracy (fast) or the high-accuracy detector, each built once, on first need. */
    private LanguageDetector detector(boolean fast) {
        LanguageDetector d = fast ? fastDetector : detector;
        if (d == null) {
            synchronized (this) {
                d = fast ? fastDetector : detector;
                if (d == null) {
                    d = fast ? builder().withLowAccuracyMode().build() : builder().build();
                    if (fast) {
                        fastDetector = d;
                    } else {
                        detector = d;
                    }
                }
            }
        }
        return d;
    }

    /** Preloaded, the models are only read afterwards, so one detector serves every thread. */
    private LanguageDetectorBuilder builder() {
        List<IsoCode639_1> codes = new ArrayList<>();
        candidates.forEach(c -> codes.add(IsoCode639_1.valueOf(c.toUpperCase(Locale.ROOT))));
        return LanguageDetectorBuilder.fromIsoCodes639_1(codes.toArray(IsoCode639_1[]::new)).withPreloadedLanguageModels();
    }
}
