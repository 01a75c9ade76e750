package dev.distillery.curate;

import java.text.Normalizer;
import java.util.Map;

/**
 * Unicode NFKC normalization (compatibility characters such as full-width letters and ligatures
 * become their plain forms), control characters removed, runs of spaces and tabs collapsed, blank
 * line runs collapsed to one, ends trimmed. Records left empty are removed.
 */
public final class Normalize implements RecordStep, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return "normalize";
    }

    /** The normalized form of {@code text}. */
    public static String text(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = s.replace("\r\n", "\n").replace('\r', '\n');
        s = s.replaceAll("[\\p{Cc}&&[^\\n\\t]]", "");
        s = s.replaceAll("[\\t\\x{00A0}\\p{Zs}]+", " ");
        s = s.replaceAll(" *\\n *", "\n").replaceAll("\\n{3,}", "\n\n");
        return s.strip();
    }

    /** The key exact deduplication compares: normalized, lower-cased, all whitespace as single spaces. */
    public static String key(String text) {
        return text(text).toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
    }

    @Override
    public Verdict check(String text) {
        String n = text(text);
        if (n.isEmpty()) {
            return Verdict.remove("empty after normalization");
        }
        return n.equals(text) ? Verdict.keep(text) : Verdict.changed(n, Map.of("records normalized", 1L));
    }
}
