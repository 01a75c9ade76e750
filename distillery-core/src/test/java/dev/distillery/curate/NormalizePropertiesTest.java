package dev.distillery.curate;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The one-pass normalizer gives exactly what the four regular-expression replacements it replaced gave (kept here as the
 * reference), on strings drawn mostly from the characters the rules treat specially: exact deduplication's keys, and so
 * which records are duplicates, must not change with the implementation.
 */
class NormalizePropertiesTest {
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\n\\t]]");
    private static final Pattern SPACES = Pattern.compile("[\\t\\x{00A0}\\p{Zs}]+");
    private static final Pattern SPACED_BREAK = Pattern.compile(" *\\n *");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n{3,}");

    static String reference(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = s.replace("\r\n", "\n").replace('\r', '\n');
        s = CONTROL.matcher(s).replaceAll("");
        s = SPACES.matcher(s).replaceAll(" ");
        s = BLANK_LINES.matcher(SPACED_BREAK.matcher(s).replaceAll("\n")).replaceAll("\n\n");
        return s.strip();
    }

    static String referenceKey(String text) {
        return Pattern.compile("\\s+").matcher(reference(text).toLowerCase(java.util.Locale.ROOT)).replaceAll(" ");
    }

    @Provide
    Arbitrary<String> messy() {
        // Spaces of every kind, breaks, CR, controls, a line separator, full-width and ligature forms, letters.
        Arbitrary<Character> special = Arbitraries.of(' ', ' ', '\t', '\n', '\n', '\r', '\u00A0', '\u2003', '\u3000', '\u0007',
                '\u000B', '\f', '\u0085', '\u2028', '\uFF41', '\uFB01', 'A', 'b', '.', '\u00E9');
        return Arbitraries.oneOf(special, Arbitraries.chars().all()).list().ofMaxSize(40)
                .map(cs -> cs.stream().map(String::valueOf).reduce("", String::concat));
    }

    @Property(tries = 3000)
    void matchesTheRegularExpressionReference(@ForAll("messy") String text) {
        assertThat(Normalize.text(text)).isEqualTo(reference(text));
        assertThat(Normalize.key(text)).isEqualTo(referenceKey(text));
    }
}
