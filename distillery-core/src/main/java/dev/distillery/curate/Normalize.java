package dev.distillery.curate;

import java.text.Normalizer;
import java.util.Map;
import java.util.regex.Pattern;

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

    // Compiled once: String.replaceAll compiles its pattern on every call, and this runs for every record.
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\n\\t]]");
    private static final Pattern SPACES = Pattern.compile("[\\t\\x{00A0}\\p{Zs}]+");
    private static final Pattern SPACED_BREAK = Pattern.compile(" *\\n *");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n{3,}");

    /** The normalized form of {@code text}. */
    public static String text(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = s.replace("\r\n", "\n").replace('\r', '\n');
        s = CONTROL.matcher(s).replaceAll("");
        s = SPACES.matcher(s).replaceAll(" ");
        s = BLANK_LINES.matcher(SPACED_BREAK.matcher(s).replaceAll("\n")).replaceAll("\n\n");
        return s.strip();
    }

    /** The key exact deduplication compares: normalized, lower-cased, all whitespace as single spaces. */
    public static String key(String text) {
        return dev.distillery.util.Patterns.WHITESPACE.matcher(text(text).toLowerCase(java.util.Locale.ROOT)).replaceAll(" ");
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
