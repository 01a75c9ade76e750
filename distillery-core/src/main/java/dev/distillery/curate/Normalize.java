package dev.distillery.curate;

import java.text.Normalizer;
import java.util.List;

/**
 * Unicode NFKC normalization (compatibility characters such as full-width letters and ligatures
 * become their plain forms), control characters removed, runs of spaces and tabs collapsed, blank
 * line runs collapsed to one, ends trimmed. Records left empty are removed.
 */
public final class Normalize implements CurateStep {
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
    public List<Doc> apply(List<Doc> docs, StepReport report) {
        return docs.parallelStream().map(d -> {
            String n = text(d.text());
            if (n.isEmpty()) {
                report.removed(d, "empty after normalization");
                return null;
            }
            if (!n.equals(d.text())) {
                report.changed("records normalized", 1);
                return d.withText(n);
            }
            return d;
        }).filter(java.util.Objects::nonNull).toList();
    }
}
