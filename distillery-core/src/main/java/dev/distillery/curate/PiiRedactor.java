package dev.distillery.curate;

import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces personal data with typed placeholders and counts each kind: credentials inside URLs
 * (user:password@host), e-mail addresses, IPv4 and IPv6 addresses, payment-card numbers (13 to 19
 * digits, spaces or dashes allowed, accepted only when the Luhn checksum holds, so order numbers
 * and the like stay) and phone numbers (international or North American formats, 9+ digits).
 * Kinds are redacted in that order, so a URL's credentials are not half-taken as an e-mail address.
 */
public final class PiiRedactor implements RecordStep, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public enum Kind { CREDENTIAL, EMAIL, IP, CARD, PHONE }

    private static final Pattern CREDENTIAL = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s:/@]+:[^\\s@/]+@");
    private static final Pattern EMAIL = Pattern.compile("(?i)\\b[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}\\b");
    private static final Pattern IPV4 = Pattern.compile("\\b(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\b");
    private static final Pattern IPV6 = Pattern.compile("(?i)\\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\\b|(?i)\\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4}\\b");
    private static final Pattern CARD = Pattern.compile("\\b(?:\\d[ -]?){12,18}\\d\\b");
    private static final Pattern PHONE = Pattern.compile("(?<![\\w])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{2,4}\\)[ .-]?|\\d{2,4}[ .-])\\d{3,4}[ .-]?\\d{3,4}\\b");

    /** The redacted text and how many of each kind were replaced. */
    public record Result(String text, Map<Kind, Integer> counts) {}

    @Override
    public String name() {
        return "pii";
    }

    public static Result redact(String text) {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        String s = replace(CREDENTIAL.matcher(text), m -> m.group(1) + "[CREDENTIAL]@", Kind.CREDENTIAL, counts);
        s = replace(EMAIL.matcher(s), m -> "[EMAIL]", Kind.EMAIL, counts);
        s = replace(IPV4.matcher(s), m -> "[IP]", Kind.IP, counts);
        s = replace(IPV6.matcher(s), m -> "[IP]", Kind.IP, counts);
        s = replaceIf(CARD.matcher(s), m -> luhn(m.group().replaceAll("[ -]", "")), "[CARD]", Kind.CARD, counts);
        String t = s;
        s = replaceIf(PHONE.matcher(t), m -> m.group().replaceAll("\\D", "").length() >= 9 && isolated(t, m.start(), m.end()),
                "[PHONE]", Kind.PHONE, counts);
        return new Result(s, counts);
    }

    private static String replace(Matcher m, java.util.function.Function<Matcher, String> with, Kind kind, Map<Kind, Integer> counts) {
        return replaceIf(m, x -> true, with, kind, counts);
    }

    private static String replaceIf(Matcher m, java.util.function.Predicate<Matcher> accept, String with, Kind kind,
            Map<Kind, Integer> counts) {
        return replaceIf(m, accept, x -> with, kind, counts);
    }

    private static String replaceIf(Matcher m, java.util.function.Predicate<Matcher> accept,
            java.util.function.Function<Matcher, String> with, Kind kind, Map<Kind, Integer> counts) {
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            if (accept.test(m)) {
                m.appendReplacement(sb, Matcher.quoteReplacement(with.apply(m)));
                counts.merge(kind, 1, Integer::sum);
            }
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Whether a digit run is not part of a longer one (an order or account number with more digit groups). */
    private static boolean isolated(String s, int start, int end) {
        boolean digitAfter = end + 1 < s.length() && " .-".indexOf(s.charAt(end)) >= 0 && Character.isDigit(s.charAt(end + 1));
        boolean digitBefore = start >= 2 && " .-".indexOf(s.charAt(start - 1)) >= 0 && Character.isDigit(s.charAt(start - 2));
        return !digitAfter && !digitBefore && (end >= s.length() || !Character.isDigit(s.charAt(end)));
    }

    /** The Luhn checksum that every payment-card number satisfies (and a random digit string does 1 time in 10). */
    public static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return digits.length() >= 13 && sum % 10 == 0;
    }

    @Override
    public Verdict check(String text) {
        Result r = redact(text);
        if (r.counts().isEmpty()) {
            return Verdict.keep(text);
        }
        Map<String, Long> changes = new java.util.LinkedHashMap<>();
        r.counts().forEach((kind, n) -> changes.put(kind.name().toLowerCase(java.util.Locale.ROOT) + " redacted", (long) n));
        return Verdict.changed(r.text(), changes);
    }
}
