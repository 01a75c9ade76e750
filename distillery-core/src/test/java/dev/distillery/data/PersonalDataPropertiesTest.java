package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The quick looks that spare texts the personal-data patterns never spare a text a pattern would match in (else
 * redaction would miss what it found before), and the scan for random-looking tokens finds exactly the runs its
 * pattern found (kept here as the reference). Texts are drawn from the pieces the patterns are made of: digits and
 * their separators, hexadecimal letters, capitals, '@', '+', ':', '/', the words and prefixes the looks search for.
 */
class PersonalDataPropertiesTest {
    private static final Pattern TOKEN = Pattern.compile("(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{24,}(?![A-Za-z0-9+/_=-])");

    @Provide
    Arbitrary<String> shapes() {
        Arbitrary<String> pieces = Arbitraries.of("0", "1", "4", "5", "9", "12", "123", "2001", "0db8", "fe80", "a", "f", "E", "X",
                "Z", "DE", "GB", "WEST", "k", "q", " ", " ", "-", ".", ":", "::", "/", "//", "+", "@", "_", "=", "\n", "(", ")", "'",
                "sk-", "AKIA", "ghp_", "xoxb-", "eyJ", "sk_live_", "password", "Token", "api_", "key", "secret", "Access", "://",
                "-----BEGIN ", "RSA PRIVATE KEY-----", "dob", "Born on ", "ne le ", "née le ", "date of birth", "geb.", "x.y",
                "é", "example.com", "mail", "Tel", "tél", "Fax: ", "handy", "mobile", "00", "07", "Phone No. ", "font",
                // whole matches, which the looks must let through wherever they land among the rest
                "192.168.0.1", "2001:db8::1", "1:2:3:4:5:6:7:8", "ann@example.org", "https://u:pw@h", "4111 1111 1111 1111",
                "123-45-6789", "12345678Z", "+44 20 7946 0958", "(555) 123-4567", "DE89 3704 0044 0532 0130 00", "12/03/1990",
                "AKIAABCDEFGHIJKLMNOP", "password=hunter22", "Tel.: 0049 30 81349529", "0151/12345678", "01 23 45 67 89",
                "07700 900123", "fax (0)30-813 495", "fon 0 30 - 81 34 95 29", "tel 0301 - 2345", " - ");
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> keyRun = Arbitraries.strings().withChars("aB3+/_=-xYz9QW").ofMinLength(20).ofMaxLength(40);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, pieces), net.jqwik.api.Tuple.of(2, digits), net.jqwik.api.Tuple.of(1, keyRun))
                .list().ofMaxSize(12).map(parts -> String.join("", parts));
    }

    @Property(tries = 5000)
    void noPatternMatchesATextItsLookRulesOut(@ForAll("shapes") String text) {
        for (PersonalData.Guarded rule : PersonalData.guarded()) {
            if (rule.pattern().matcher(text).find()) {
                assertThat(rule.mayMatch(text)).as("%s matches %s", rule.pattern(), text).isTrue();
            }
        }
    }

    @Property(tries = 3000)
    void theTokenScanFindsTheRunsThePatternFound(@ForAll("shapes") String text) {
        StringBuilder expected = new StringBuilder();
        var m = TOKEN.matcher(text);
        int tokens = 0;
        while (m.find()) {
            if (PersonalData.looksRandom(m.group())) {
                m.appendReplacement(expected, "[SECRET]");
                tokens++;
            }
        }
        m.appendTail(expected);
        var counts = new EnumMap<PersonalData.Kind, Integer>(PersonalData.Kind.class);
        assertThat(PersonalData.redactRandomTokens(text, counts)).isEqualTo(expected.toString());
        assertThat(counts.getOrDefault(PersonalData.Kind.SECRET, 0)).isEqualTo(tokens);
    }
}
