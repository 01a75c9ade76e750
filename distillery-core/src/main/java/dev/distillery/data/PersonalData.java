package dev.distillery.data;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces personal data and secrets with typed placeholders and counts each kind:
 * <ul>
 * <li>secrets: private-key blocks, well-known token formats (OpenAI {@code sk-}, AWS access key ids {@code AKIA...}, GitHub
 * {@code ghp_}/{@code github_pat_}, Slack {@code xox.-}, Google {@code AIza}, Stripe {@code sk_live_}, JSON web tokens),
 * the value after a key-like name ({@code secret=}, {@code password:}, {@code api_key}, ...), and any long token whose
 * characters are as mixed and as evenly spread as a random key's (the high-entropy rule: {@link #looksRandom});</li>
 * <li>credentials inside URLs (user:password@host), e-mail addresses, IPv4 and IPv6 addresses;</li>
 * <li>IBANs, accepted only with the length of their country and a valid ISO 7064 mod-97 checksum;</li>
 * <li>payment-card numbers (13 to 19 digits, spaces or dashes allowed), accepted only when the Luhn checksum holds;</li>
 * <li>national identifiers: US social security numbers (dashed, with the area and group numbers that are issued) and
 * Spanish DNI/NIE numbers (accepted only when their check letter holds);</li>
 * <li>phone numbers: international (+ or 00, 8 to 15 digits), North American and national formats of 9+ digits, French
 * pairs (01 23 45 67 89), a trunk 0 and a subscriber run (0151/12345678, 07700 900123), and any 8 to 15 digits after a
 * word that says what they are (Tel., fax, Handy, mobile, téléphone);</li>
 * <li>dates of birth, where the words before the date say so ({@code DOB: 1970-03-02}, {@code born on 3 March 1970});</li>
 * <li>people's names: a title and a capitalized name ({@code Dr. Kahn}, {@code Mrs Jones}), or a common given name
 * ({@link PersonNames#isGivenName}) followed by one or two capitalized names ({@code Anna Kahn}, {@code John F. Smith}).
 * A name written in lower case, or a surname alone, is not found: no pattern finds every name in free text.</li>
 * </ul>
 * Kinds are redacted in that order, so a URL's credentials are not half-taken as an e-mail address and a card number is not
 * taken for a phone. Checksums keep look-alikes (order numbers, invoice ids) in the text.
 *
 * <p>The one detector of personal data in text: curation's {@code pii} step redacts with it, reports mask what they show
 * with it, and readers refuse to make it a model's feature names (a category column of e-mail addresses). People's names,
 * which no pattern finds in free text, are found in a table's columns by {@link PersonNames}.
 */
public final class PersonalData {
    public enum Kind { SECRET, CREDENTIAL, EMAIL, IP, IBAN, CARD, NATIONAL_ID, PHONE, DATE_OF_BIRTH, NAME }

    /*
     * Words without which a text holds nothing a pattern finds. Each pattern tries to match at nearly every position of a
     * text (100-360 ms over SpamAssassin's 8 MB of training mail, each); a look for its words or characters first spares
     * most texts the scan, and a text without them has no match, so the result is the same.
     */
    private static final Literals BIRTH_WORDS = Literals.ignoringCase("dob", "d.o.b", "birth", "born", "geb", "née le", "né le", "nee le",
            "ne le");
    private static final Literals TOKEN_PREFIXES = Literals.exact("sk-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "AKIA",
            "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-",
            "AIza", "eyJ");
    private static final Literals SECRET_NAMES = Literals.ignoringCase("passw", "pwd", "secret", "token");
    private static final Literals PHONE_WORDS = Literals.ignoringCase("tel", "tél", "phone", "fon", "fax", "mobil", "cell", "handy",
            "whatsapp", "tlf", "appel");
    private static final Literals SALUTATION_WORDS = Literals.ignoringCase("dear", "hi ", "hello", "hey", "hallo", "liebe",
            "geehrte", "bonjour", "cher", "chère", "hola", "estimad", "ciao", "beste", "geachte");
    private static final Literals CLOSING_WORDS = Literals.ignoringCase("regards", "best", "thank", "cheers", "sincerely", "yours",
            "cordial", "grüße", "gruß", "saludo", "atentamente", "saluti", "groet", "bien à");
    private static final Literals KEY = Literals.ignoringCase("key");
    private static final Literals KEY_OWNERS = Literals.ignoringCase("api", "access", "private");

    private static final Guarded PRIVATE_KEY = Guarded.by(s -> s.contains("-----BEGIN "), Pattern.compile(
            "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"));
    private static final Guarded KNOWN_TOKEN = Guarded.by(TOKEN_PREFIXES::in,
            Pattern.compile("\\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"
            + "|(?:AKIA|ASIA)[0-9A-Z]{16}"
            + "|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}"
            + "|xox[abposr]-[A-Za-z0-9-]{10,}"
            + "|AIza[0-9A-Za-z_-]{35}"
            + "|[sr]k_(?:live|test)_[0-9A-Za-z]{16,}"
            + "|eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})"));
    /** A value after a name that says it is secret: {@code password=...}, {@code "api_key": "..."}, {@code aws_secret_access_key = ...}. */
    private static final Guarded NAMED_SECRET = Guarded.by(s -> SECRET_NAMES.in(s) || KEY.in(s) && KEY_OWNERS.in(s),
            Pattern.compile("(?i)\\b((?:[a-z_]*_)?(?:password|passwd|pwd|secret|token|api[_-]?key|"
            + "access[_-]?key|private[_-]?key|client[_-]?secret)(?:_[a-z_]*)?\\b[\"']?\\s*[:=]\\s*[\"']?)([^\\s\"',;]{6,})"));
    /** Candidates for the high-entropy rule: runs of at least this many key characters ({@link #isKeyChar}), whole. */
    private static final int TOKEN_MIN = 24;
    private static final Guarded CREDENTIAL = Guarded.by(s -> s.contains("://"),
            Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s:/@]+:[^\\s@/]+@"));
    /** An address; a "top-level domain" that is an image or document extension ({@code icon@2x.png}) makes a file name. */
    private static final Guarded EMAIL = Guarded.by(s -> s.indexOf('@') >= 0,
            Pattern.compile("(?i)\\b[a-z0-9._%+-]+@[a-z0-9.-]+\\.(?!(?:png|jpe?g|gif|svg|webp|ico|bmp|tiff?|pdf)\\b)[a-z]{2,}\\b"));
    private static final Guarded IPV4 = Guarded.by(s -> hasDigitsAround(s, '.'),
            Pattern.compile("\\b(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\b"));
    private static final Guarded IPV6 = Guarded.by(s -> s.contains("::") || hexColonHex(s) >= 7,
            Pattern.compile("(?i)\\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\\b|(?i)\\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4}\\b"));
    private static final Guarded IBAN = Guarded.by(PersonalData::hasTwoCapitalsTwoDigits,
            Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}\\b"));
    private static final Guarded CARD = Guarded.by(s -> longestDigitRun(s, true) >= 13,
            Pattern.compile("\\b(?:\\d[ -]?){12,18}\\d\\b"));
    private static final Guarded SSN = Guarded.by(PersonalData::hasSsnShape,
            Pattern.compile("\\b(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}\\b"));
    private static final Guarded DNI = Guarded.by(s -> longestDigitRun(s, false) >= 7,
            Pattern.compile("(?i)\\b[XYZ]?\\d{7,8}-?[A-Z]\\b"));
    /** E.164 numbers written with a leading + and any grouping: 8 to 15 digits in all. */
    private static final Guarded INTERNATIONAL_PHONE = Guarded.by(PersonalData::hasPlusDigit,
            Pattern.compile("(?<![\\w+])\\+\\d{1,3}(?:[ .-]?\\(?\\d{1,5}\\)?){2,6}(?![\\w])"));
    /** A number after a word that says it is one ("Tel.: 0049 30 81349529", "Handy: 0151/12345678", "fax 01 23 45 67 89"). */
    private static final Guarded NAMED_PHONE = Guarded.by(s -> hasPhoneDigits(s) && PHONE_WORDS.in(s), Pattern.compile("(?i)(?=[tfpmchwa])(?<!\\p{L})(?:telefon|telephone|"
            + "t[ée]l[ée]phone|tel|t[ée]l|phone|fon|fax|mobile|mobil|cell|cellphone|handy|whatsapp|tlf|appelez|appeler)(?!\\p{L})"
            + "[.:]?(?:\\s*(?:no|nr|number|num[ée]ro)(?!\\p{L})\\.?)?\\s*[:=]?\\s*\\+?\\(?\\d(?:[ ()./-]{0,3}\\d){7,14}"));
    /** International numbers dialled with 00 instead of + ("0049 30 81349529"). */
    private static final Guarded INTERNATIONAL_00 = Guarded.by(PersonalData::hasDoubleZeroCode,
            Pattern.compile("(?<![\\w+])00[1-9]\\d{0,2}(?:[ .-]?\\(?\\d{1,5}\\)?){2,6}(?!\\w)"));
    /**
     * A French number: ten digits from 0, in pairs ("01 23 45 67 89", "06.12.34.56.78"), and no more pairs around it: a
     * list of months or days ("01 02 03 04 05 06 ...") and a hex dump are runs of pairs.
     */
    private static final Guarded PAIRED_PHONE = Guarded.by(PersonalData::hasZeroPairStart,
            Pattern.compile("(?<![\\w+.-])(?<!\\d[ .-])0[1-9]([ .-])\\d{2}(?:\\1\\d{2}){3}(?!\\w|\\1\\d|[.-]\\d)"));
    /** A national number after a trunk 0, its subscriber part one run ("0151/12345678", "07700 900123"). */
    private static final Guarded TRUNK_PHONE = Guarded.by(s -> hasTrunkStart(s) && longestDigitRun(s, false) >= 5,
            Pattern.compile("(?<![\\w+/.-])0\\d{1,4}(?: ?/ ?| |-)\\d{5,8}(?!\\w|[./-]\\d)"));
    // No quick look: a national number needs only digits and a separator, which most texts have.
    private static final Guarded PHONE = Guarded.by(s -> true,
            Pattern.compile("(?<![\\w])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{2,4}\\)[ .-]?|\\d{2,4}[ .-])\\d{3,4}[ .-]?\\d{3,4}\\b"));

    /** A date after words that say it is a birth date; the date is group 3. */
    private static final Guarded BIRTH_DATE = Guarded.by(BIRTH_WORDS::in,
            Pattern.compile("(?i)\\b(dob|d\\.o\\.b\\.?|date of birth|birth ?date|born(?: on)?|"
            + "geb\\.|geboren(?: am)?|n[ée]e? le)(\\s*[:=]?\\s*)(\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}"
            + "|\\d{1,2}\\.?\\s+\\p{L}+\\.?\\s+\\d{4}|\\p{L}+\\.?\\s+\\d{1,2},?\\s+\\d{4})"));
    /**
     * A name's word, for every pattern that reads names (the hand-written scan's {@link #capitalizedWordEnd} is the same
     * rule): capitalized with a lower-case letter among its letters and apostrophes ("Grohne", "O'Brien", "McDonald"), one
     * hyphen to a second such part ("Groß-Weber"); no word in capitals ("USA").
     */
    private static final String NAME_WORD = "\\p{Lu}(?=[\\p{L}'’]*\\p{Ll})[\\p{L}'’]+(?:-\\p{Lu}[\\p{L}'’]+)?";
    /**
     * What may follow a given name in a full name: an initial, then a capitalized name, which may have capitals inside
     * ("O'Brien", "McDonald") and a second part after a hyphen, but is no word in capitals ("USA").
     */
    private static final Pattern NEXT_NAME = Pattern.compile("\\s+(?:\\p{Lu}\\.\\s+)?" + NAME_WORD
            + "(?![\\p{L}\\p{N}])");

    /** IBAN length by country (the SWIFT IBAN registry). */
    private static final Map<String, Integer> IBAN_LENGTH = ibanLengths("AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 "
            + "CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 "
            + "IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 "
            + "RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20");

    private PersonalData() {}

    /** The redacted text and how many of each kind were replaced. */
    public record Result(String text, Map<Kind, Integer> counts) {}

    public static Result redact(String text) {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        String s = replace(PRIVATE_KEY, text, m -> "[SECRET]", Kind.SECRET, counts);
        s = replace(KNOWN_TOKEN, s, m -> "[SECRET]", Kind.SECRET, counts);
        s = replace(NAMED_SECRET, s, m -> m.group(1) + "[SECRET]", Kind.SECRET, counts);
        s = redactRandomTokens(s, counts);
        s = replace(CREDENTIAL, s, m -> m.group(1) + "[CREDENTIAL]@", Kind.CREDENTIAL, counts);
        s = replace(EMAIL, s, m -> "[EMAIL]", Kind.EMAIL, counts);
        s = replace(IPV4, s, m -> "[IP]", Kind.IP, counts);
        s = replace(IPV6, s, m -> "[IP]", Kind.IP, counts);
        s = redactSpans(IBAN, s, PersonalData::ibanWithin, "[IBAN]", Kind.IBAN, counts);
        // What is shaped like an IBAN of a known country but fails its checksum is an account-like reference, not a card
        // or a phone number: its digit groups are kept out of the numeric rules below and put back unchanged.
        List<String> held = new ArrayList<>();
        if (IBAN.mayMatch(s)) {
            s = IBAN.pattern().matcher(s).replaceAll(m -> IBAN_LENGTH.containsKey(m.group().substring(0, 2))
                    ? Matcher.quoteReplacement(hold(held, m.group())) : Matcher.quoteReplacement(m.group()));
        }
        s = redactSpans(CARD, s, PersonalData::cardWithin, "[CARD]", Kind.CARD, counts);
        s = replace(SSN, s, m -> "[NATIONAL_ID]", Kind.NATIONAL_ID, counts);
        s = replaceIf(DNI, s, m -> validDni(m.group()), m -> "[NATIONAL_ID]", Kind.NATIONAL_ID, counts);
        s = redactSpans(INTERNATIONAL_PHONE, s, PersonalData::phoneWithin, "[PHONE]", Kind.PHONE, counts);
        s = redactSpans(NAMED_PHONE, s, PersonalData::namedPhoneWithin, "[PHONE]", Kind.PHONE, counts);
        s = redactSpans(INTERNATIONAL_00, s, (in, start, end) -> {
            int[] span = phoneWithin(in, start + 2, end); // the digits after the 00, as after a +
            return span == null ? null : new int[] {start, span[1]};
        }, "[PHONE]", Kind.PHONE, counts);
        s = replace(PAIRED_PHONE, s, m -> "[PHONE]", Kind.PHONE, counts);
        s = replaceIf(TRUNK_PHONE, s, m -> digitCount(m.group()) >= 9 && digitCount(m.group()) <= 12, m -> "[PHONE]", Kind.PHONE,
                counts);
        String t = s;
        s = replaceIf(PHONE, t, m -> m.group().replaceAll("\\D", "").length() >= 9 && isolated(t, m.start(), m.end())
                        && !afterIdentifierPrefix(t, m.start()), m -> "[PHONE]", Kind.PHONE, counts);
        s = replace(BIRTH_DATE, s, m -> m.group(1) + m.group(2) + "[DATE_OF_BIRTH]", Kind.DATE_OF_BIRTH, counts);
        s = redactNamesBeforeEmails(s, counts);
        s = replaceIf(SALUTATION, s, m -> java.util.Arrays.stream(m.group(3).split("[ \\t]+"))
                        .noneMatch(w -> GREETED_NOBODY.contains(w.toLowerCase(java.util.Locale.ROOT))),
                m -> m.group(1) + m.group(2) + "[NAME]", Kind.NAME, counts);
        s = replace(SIGNATURE, s, m -> m.group(1) + "[NAME]", Kind.NAME, counts);
        s = redactNames(s, counts);
        return new Result(release(s, held), counts);
    }

    /**
     * Whether the number at {@code start} continues an identifier in capitals and a hyphen: a vulnerability's
     * CVE-2026-760241, an advisory's DSA-5678-1, a ticket's INC-2024-555123. Their digits are shaped like a phone number's.
     */
    private static boolean afterIdentifierPrefix(String s, int start) {
        int i = start - 1;
        if (i < 1 || s.charAt(i) != '-') {
            return false;
        }
        int letters = 0;
        while (i - 1 - letters >= 0 && s.charAt(i - 1 - letters) >= 'A' && s.charAt(i - 1 - letters) <= 'Z') {
            letters++;
        }
        int before = i - 1 - letters;
        return letters >= 2 && (before < 0 || !Character.isLetterOrDigit(s.charAt(before)));
    }

    /** The most words before an e-mail address read as its owner's name ("Johannes Schauer Marin Rodrigues"). */
    private static final int MOST_WORDS_BEFORE_EMAIL = 4;
    /**
     * A greeting and the name it greets, to the comma or the line's end: "Dear Helmut Grohne,", "Hi Xinyang!", "Sehr
     * geehrter Herr Grohne,"; the name is group 3. Whom a greeting names is a person wherever the name rule would not know
     * the given name.
     */
    private static final Guarded SALUTATION = Guarded.by(SALUTATION_WORDS::in, Pattern.compile("(?<![\\p{L}])((?i:dear|hi|hello"
            + "|hey|hallo|liebe[r]?|sehr geehrte[rs]?|bonjour|cher|chère|hola|estimad[oa]|ciao|beste|geachte))"
            + "([ \\t]+(?:(?:Mr|Mrs|Ms|Dr|Prof|Herr|Frau|Mme|M|Sr|Sra)\\.?[ \\t]+)?)"
            + "(" + NAME_WORD + "(?:[ \\t]+" + NAME_WORD + "){0,2})(?=[ \\t]*(?:[,!:\\r\\n]|$))"));
    /**
     * A closing and the signature on the line after it, the name alone on its line: "Best regards,\nHelmut Grohne",
     * "Mit freundlichen Grüßen\nX. Ge"; the name is group 2.
     */
    private static final Guarded SIGNATURE = Guarded.by(CLOSING_WORDS::in, Pattern.compile("(?im)^([ \\t]*(?:(?:best|kind|warm"
            + "|warmest) regards|regards|best wishes|best|thanks|thank you|many thanks|cheers|sincerely|yours sincerely"
            + "|yours truly|yours|cordially|mit freundlichen grüßen|freundliche grüße|viele grüße|beste grüße|liebe grüße|gruß"
            + "|grüße|cordialement|bien à vous|saludos|un saludo|atentamente|cordiali saluti|met vriendelijke groet)"
            + "[ \\t]*[,!.]?[ \\t]*\\r?\\n[ \\t]*)"
            // the next line is no second line of the closing ("Best\nRegards\nAnna")
            + "(?!(?i:regards|wishes|thanks|thank|best|kind|warm|many|cheers|sincerely|yours|mit|viele|beste|liebe|freundliche"
            + "|grüße|gruß|saludos|cordialement)(?![\\p{L}]))"
            + "(?-i:(" + NAME_WORD + "|\\p{Lu}\\.)(?:[ \\t]+(?:" + NAME_WORD + "|\\p{Lu}\\.)){0,3})[ \\t]*(?=\\r?\\n|$)"));
    /** Words a greeting addresses that are no one's name: "Dear Customer,", "Hi Team!", "Hallo zusammen". */
    private static final java.util.Set<String> GREETED_NOBODY = java.util.Set.of("team", "all", "everyone", "everybody", "sir",
            "madam", "sirs", "customer", "customers", "colleague", "colleagues", "support", "friend", "friends", "there", "world",
            "user", "users", "member", "members", "partner", "partners", "client", "clients", "folks", "guys", "zusammen",
            "kollegen", "kolleginnen", "damen", "herren", "tous", "todos", "equipo", "collègues", "students", "parents",
            "homeowner", "homeowners", "consumer", "consumers", "reader", "readers", "subscriber", "subscribers", "marketer",
            "marketers", "webmaster", "shopper", "shoppers", "investor", "investors", "valued", "applicant", "candidate",
            "patient", "patients", "doctor", "traveler", "travelers", "traveller", "travellers", "owner", "owners", "recipient",
            "winner", "beneficiary", "fellow", "gentlemen", "ladies", "internet", "business", "website", "account", "holder");

    /** Capitalized words before an address that are no part of its owner's name. */
    private static final java.util.Set<String> NOT_NAMES = java.util.Set.of("quoting", "thanks", "thank", "from", "to", "cc", "by",
            "reported", "patch", "forwarded", "sent", "reply", "contact", "email", "e-mail", "mail", "write", "wrote", "writes",
            "dear", "hi", "hello", "maintainer", "author", "authors", "signed-off-by", "reviewed-by", "tested-by", "acked-by",
            "reported-by", "in", "and", "or", "mailto");

    /** The small words inside a family name: Marco d'Itri, Jeroen van der Kolff, Maria da Silva, Omar bin Said. */
    private static final java.util.Set<String> NAME_PARTICLES = java.util.Set.of("van", "von", "der", "den", "de", "del", "della",
            "di", "da", "dos", "das", "du", "le", "la", "ter", "ten", "bin", "ibn", "al", "el", "y");

    /**
     * The name an e-mail address is written with, as mail headers, sign-offs and changelogs write it: "Pino Toscano
     * <[EMAIL]>", "Helmut Grohne ([EMAIL])", "\"Ann Lee\" <[EMAIL]>", "Marco d'Itri <[EMAIL]>". Before the bracketed
     * address, two to four words of a name (capitalized words, initials, particles, a nickname in brackets) are a name
     * whether or not a given name the name rule knows begins them; after a header's colon, a list's comma or a
     * sign-off's "--", any one to four words are ("-- gregor herrmann <[EMAIL]>"). A word that is not a name
     * ("From: Support Team <...>") is redacted too, which costs a word and leaks nothing.
     */
    private static String redactNamesBeforeEmails(String s, Map<Kind, Integer> counts) {
        if (!s.contains("[EMAIL]")) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int copied = 0;
        for (int at = s.indexOf("[EMAIL]"); at >= 0; at = s.indexOf("[EMAIL]", at + 1)) {
            if (at == 0 || (s.charAt(at - 1) != '<' && s.charAt(at - 1) != '(')) {
                continue;
            }
            int end = at - 1; // the bracket; spaces and a closing quote before it
            while (end > copied && s.charAt(end - 1) == ' ') {
                end--;
            }
            int nameEnd = end > copied && s.charAt(end - 1) == '"' ? end - 1 : end;
            int from = nameBefore(s, copied, nameEnd);
            if (from >= 0) {
                out.append(s, copied, from).append("[NAME]");
                copied = nameEnd;
                counts.merge(Kind.NAME, 1, Integer::sum);
            }
        }
        return copied == 0 ? s : out.append(s, copied, s.length()).toString();
    }

    /** Where the name ending at {@code end} (before an address) begins, or -1; nothing before {@code floor} is read. */
    private static int nameBefore(String s, int floor, int end) {
        int nameFrom = -1; // the earliest word of the run of name-like words
        int nameWords = 0;
        boolean capitalized = false;
        int phraseFrom = -1; // the earliest word of any kind, while the words are few
        int givenFrom = -1; // the earliest given name the name list knows in that run, after its first word
        int w = end;
        for (int words = 0; words < MOST_WORDS_BEFORE_EMAIL; words++) {
            int start = w;
            while (start > floor && !Character.isWhitespace(s.charAt(start - 1)) && ":;,\"<>[]|".indexOf(s.charAt(start - 1)) < 0) {
                start--;
            }
            if (start == w || s.startsWith("--", start) && start + 2 == w) {
                break;
            }
            if (NOT_NAMES.contains(s.substring(start, w).toLowerCase(java.util.Locale.ROOT))) {
                break; // "Quoting Ronan Waide (...)", "Thanks Pino Toscano <...>": the name begins after the word
            }
            boolean nameLike = isNameWord(s, start, w) || NAME_PARTICLES.contains(s.substring(start, w))
                    || s.startsWith("d'", start) || s.startsWith("d’", start)
                    || s.charAt(start) == '(' && s.charAt(w - 1) == ')' && w - start > 2;
            if (nameLike && nameWords == words) {
                nameFrom = start;
                nameWords++;
                capitalized |= isNameWord(s, start, w);
                if (nameWords >= 2 && PersonNames.isGivenName(s.substring(start, w))) {
                    givenFrom = start; // "Patient Anna Kahn": the name begins at the given name, the word before is none of it
                }
            }
            phraseFrom = start;
            int space = start;
            while (space > floor && (s.charAt(space - 1) == ' ' || s.charAt(space - 1) == '\t')) {
                space--;
            }
            boolean named = nameWords >= 2 && capitalized;
            int nameStart = givenFrom >= 0 ? givenFrom : nameFrom;
            if (space <= floor) {
                break; // the text's start: words before an address there may be a sentence ("Write to Support <...>")
            }
            if (":,;\"".indexOf(s.charAt(space - 1)) >= 0) {
                return named ? nameStart : phraseFrom; // a header's colon, a list's comma, a quote
            }
            if (space - 2 >= floor && s.startsWith("--", space - 2)
                    && (space - 2 == floor || Character.isWhitespace(s.charAt(space - 3)))) {
                return named ? nameStart : phraseFrom; // a sign-off: "-- gregor herrmann <...>"
            }
            if (space == start || s.charAt(space - 1) == '\n' || s.charAt(space - 1) == '\r') {
                break; // another character, or a line's start
            }
            w = space;
        }
        return nameWords >= 2 && capitalized ? (givenFrom >= 0 ? givenFrom : nameFrom) : -1;
    }

    /** Whether {@code s[start, end)} is a capitalized name ("Grohne", "O'Brien", "Groß-Weber"), an initial ("F.") or two ("PA"). */
    private static boolean isNameWord(String s, int start, int end) {
        if (end - start == 2 && Character.isUpperCase(s.charAt(start)) && s.charAt(start + 1) == '.') {
            return true;
        }
        if (end - start == 2 && Character.isUpperCase(s.charAt(start)) && Character.isUpperCase(s.charAt(start + 1))) {
            return true;
        }
        return capitalizedWordEnd(s, start) == end;
    }

    /** Words before a saint's or a person's name that make it a place: San Jose, Saint Paul, Fort William, Port Louis. */
    private static final Pattern PLACE_PREFIX = Pattern.compile("(?<!\\p{L})(?:San|Santa|Santo|São|Sao|Saint|St\\.?|Sainte|Ste\\.?|Fort|Port|"
            + "Mount|Mt\\.?|Lake|Cape|Glen)\\s+$");

    private static boolean afterPlacePrefix(String s, int start) {
        return PLACE_PREFIX.matcher(s.substring(Math.max(0, start - 8), start)).find();
    }

    /**
     * People's names as [NAME], in one pass over the capitalized words: the name after a title ("Dr. [NAME]", one or two
     * capitalized words), and a common given name with the one or two capitalized names after it ("Anna Kahn", "John F.
     * Smith"). A hand-written scan: as regular expressions over every position, the two rules cost as much as all the
     * other kinds' together.
     */
    private static String redactNames(String s, Map<Kind, Integer> counts) {
        Matcher next = NEXT_NAME.matcher(s);
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < s.length()) {
            if (!Character.isUpperCase(s.charAt(i)) || (i > 0 && Character.isLetterOrDigit(s.charAt(i - 1)))) {
                i++;
                continue;
            }
            int end = capitalizedWordEnd(s, i);
            if (end < 0) {
                i++;
                continue;
            }
            String word = s.substring(i, end);
            int from = -1; // where the redacted name begins
            int to = end;
            if (PersonNames.isTitle(word)) { // "Dr. Kahn", "Mrs Jones"
                int after = end < s.length() && s.charAt(end) == '.' ? end + 1 : end;
                int name = after;
                while (name < s.length() && Character.isWhitespace(s.charAt(name))) {
                    name++;
                }
                int nameEnd = name > after ? capitalizedWordEnd(s, name) : -1;
                if (nameEnd > 0 && (nameEnd == s.length() || !Character.isLetterOrDigit(s.charAt(nameEnd)))) {
                    from = name;
                    to = nameEnd;
                    if (next.region(to, s.length()).lookingAt()) {
                        to = next.end();
                    }
                }
            } else if (PersonNames.isGivenName(word.indexOf('-') < 0 ? word : word.substring(0, word.indexOf('-')))
                    && !afterPlacePrefix(s, i)) {
                for (int names = 0; names < 2 && next.region(to, s.length()).lookingAt(); names++) {
                    to = next.end();
                }
                from = to > end ? i : -1; // a given name alone ("Paul said") is left: too many are also words or places
            }
            if (from < 0) {
                i = end;
                continue;
            }
            out = out == null ? new StringBuilder(s.length()) : out;
            out.append(s, copied, from).append("[NAME]");
            copied = to;
            i = to;
            counts.merge(Kind.NAME, 1, Integer::sum);
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /**
     * The end of the capitalized word at {@code start} (an upper-case letter, then letters and apostrophes with a
     * lower-case one among them, one hyphen to a second such part: "O'Brien", "McDonald", "Groß-Weber"; not "USA"), or
     * -1 if none begins there.
     */
    private static int capitalizedWordEnd(String s, int start) {
        if (start >= s.length() || !Character.isUpperCase(s.charAt(start))) {
            return -1;
        }
        int end = letterRun(s, start + 1);
        if (!hasLowerCase(s, start + 1, end)) {
            return -1;
        }
        if (end + 1 < s.length() && s.charAt(end) == '-' && Character.isUpperCase(s.charAt(end + 1))) {
            int second = letterRun(s, end + 2);
            if (hasLowerCase(s, end + 2, second)) {
                end = second;
            }
        }
        return end;
    }

    private static int letterRun(String s, int i) {
        while (i < s.length() && (Character.isLetter(s.charAt(i)) || s.charAt(i) == '\'' || s.charAt(i) == '’')) {
            i++;
        }
        return i;
    }

    private static boolean hasLowerCase(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.isLowerCase(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Words looked for in one pass over a text, most characters dismissed by a table of the words' first letters. */
    private record Literals(List<String> words, boolean ignoreCase, boolean[] first) {
        static Literals exact(String... words) {
            return of(false, words);
        }

        static Literals ignoringCase(String... words) {
            return of(true, words);
        }

        private static Literals of(boolean ignoreCase, String... words) {
            boolean[] first = new boolean[128];
            for (String w : words) {
                char c = w.charAt(0); // ASCII in every list
                first[c] = true;
                if (ignoreCase) {
                    first[Character.toUpperCase(c)] = true;
                    first[Character.toLowerCase(c)] = true;
                }
            }
            return new Literals(List.of(words), ignoreCase, first);
        }

        boolean in(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 128 && first[c]) {
                    for (String w : words) {
                        if (s.regionMatches(ignoreCase, i, w, 0, w.length())) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    /**
     * The high-entropy rule over every whole run of at least {@link #TOKEN_MIN} key characters (a run that a key
     * character neither precedes nor follows): a run that {@link #looksRandom} becomes {@code [SECRET]}. A scan, not a
     * pattern: the pattern's look-behind and look-ahead were tried at every position of a text.
     */
    static String redactRandomTokens(String s, Map<Kind, Integer> counts) {
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < s.length()) {
            if (!isKeyChar(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < s.length() && isKeyChar(s.charAt(i))) {
                i++;
            }
            if (i - start >= TOKEN_MIN && looksRandom(s.substring(start, i))) {
                if (out == null) {
                    out = new StringBuilder(s.length());
                }
                out.append(s, copied, start).append("[SECRET]");
                copied = i;
                counts.merge(Kind.SECRET, 1, Integer::sum);
            }
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /** A character of an API key or a base64 value: ASCII letters and digits, {@code + / _ = -}. */
    private static boolean isKeyChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '_' || c == '='
                || c == '-';
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return isAsciiDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** Whether {@code separator} stands between two digits somewhere ("10.0" for an IPv4 address). */
    private static boolean hasDigitsAround(String s, char separator) {
        for (int i = s.indexOf(separator); i >= 0 && i + 1 < s.length(); i = s.indexOf(separator, i + 1)) {
            if (i > 0 && isAsciiDigit(s.charAt(i - 1)) && isAsciiDigit(s.charAt(i + 1))) {
                return true;
            }
        }
        return false;
    }

    /** How many colons stand between two hexadecimal digits: an IPv6 address without "::" has seven. */
    private static int hexColonHex(String s) {
        int n = 0;
        for (int i = s.indexOf(':'); i >= 0 && i + 1 < s.length(); i = s.indexOf(':', i + 1)) {
            if (i > 0 && isHexDigit(s.charAt(i - 1)) && isHexDigit(s.charAt(i + 1))) {
                n++;
            }
        }
        return n;
    }

    /** Whether two capital letters are followed by two digits somewhere, as an IBAN begins. */
    private static boolean hasTwoCapitalsTwoDigits(String s) {
        for (int i = 0; i + 3 < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z' && isAsciiDigit(s.charAt(i + 2)) && isAsciiDigit(s.charAt(i + 3))) {
                char d = s.charAt(i + 1);
                if (d >= 'A' && d <= 'Z') {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether "d-dd-d" stands somewhere, the middle of a US social security number. */
    private static boolean hasSsnShape(String s) {
        for (int i = s.indexOf('-'); i >= 0 && i + 3 < s.length(); i = s.indexOf('-', i + 1)) {
            if (i > 0 && isAsciiDigit(s.charAt(i - 1)) && isAsciiDigit(s.charAt(i + 1)) && isAsciiDigit(s.charAt(i + 2))
                    && s.charAt(i + 3) == '-') {
                return true;
            }
        }
        return false;
    }

    /** Whether a '+' is followed by a digit somewhere, as an international number begins. */
    private static boolean hasPlusDigit(String s) {
        for (int i = s.indexOf('+'); i >= 0 && i + 1 < s.length(); i = s.indexOf('+', i + 1)) {
            if (isAsciiDigit(s.charAt(i + 1))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The most digits in a run of ASCII digits, or, with {@code grouped}, of digits with at most one space or hyphen
     * between two of them (a card number's groups).
     */
    private static int longestDigitRun(String s, boolean grouped) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isAsciiDigit(c)) {
                longest = Math.max(longest, ++run);
            } else if (!(grouped && run > 0 && (c == ' ' || c == '-') && i + 1 < s.length() && isAsciiDigit(s.charAt(i + 1)))) {
                run = 0;
            }
        }
        return longest;
    }

    /** {@code s} with every kind redacted (null stays null). */
    public static String redacted(String s) {
        return s == null ? null : redact(s).text();
    }

    /**
     * The high-entropy rule for secrets without a known format: a token of 24+ key characters that mixes upper- and
     * lower-case letters with digits (or base64's + and /) and either has at least 4.4 bits of entropy per character, or
     * has digits, at least 3.6 bits, and does not read like words: less than 35% of its characters in same-case letter
     * runs of 4 or more, or less than 60% with vowels making under a quarter of its letters. Words joined in camel case
     * ({@code AbstractSingletonProxyFactoryBean2020}) stay near 4.2 bits and have long lower-case runs and English's
     * vowels (about 40% of letters; random base64 has 19%). On simulated random base64 keys of 24-36 bytes the rule
     * catches about 99.9%; the known formats and the named-value rule above catch common keys whatever their letters.
     */
    static boolean looksRandom(String token) {
        int upper = 0;
        int lower = 0;
        int digits = 0;
        int inWordyRuns = 0;
        int run = 0;
        int runCase = 0;
        Map<Character, Integer> counts = new java.util.HashMap<>();
        for (char c : token.toCharArray()) {
            upper += Character.isUpperCase(c) ? 1 : 0;
            lower += Character.isLowerCase(c) ? 1 : 0;
            digits += Character.isDigit(c) ? 1 : 0;
            counts.merge(c, 1, Integer::sum);
            int letterCase = Character.isUpperCase(c) ? 1 : Character.isLowerCase(c) ? 2 : 0;
            if (letterCase != 0 && letterCase == runCase) {
                run++;
            } else {
                inWordyRuns += run >= 4 ? run : 0;
                run = letterCase == 0 ? 0 : 1;
                runCase = letterCase;
            }
        }
        inWordyRuns += run >= 4 ? run : 0;
        boolean base64Symbols = token.indexOf('+') >= 0 || token.indexOf('/') >= 0;
        if (upper == 0 || lower == 0 || (digits == 0 && !base64Symbols)) {
            return false;
        }
        double entropy = 0;
        for (int n : counts.values()) {
            double p = n / (double) token.length();
            entropy -= p * Math.log(p) / Math.log(2);
        }
        if (entropy >= 4.4) {
            return true; // identifiers made of words stay near 4.2 bits whatever their length; random keys of 32+ reach 4.6
        }
        double wordy = inWordyRuns / (double) token.length();
        boolean readsLikeWords = wordy >= 0.35 && (wordy >= 0.6 || vowels(token) >= 0.25 * (upper + lower));
        return digits > 0 && !readsLikeWords && entropy >= 3.6;
    }

    /** A stand-in for {@code value} made of private-use characters, which no rule matches; {@link #release} restores it. */
    private static String hold(List<String> held, String value) {
        held.add(value);
        return "\uE000" + (char) (0xE100 + held.size() - 1) + "\uE001";
    }

    private static String release(String s, List<String> held) {
        for (int i = 0; i < held.size(); i++) {
            s = s.replace("\uE000" + (char) (0xE100 + i) + "\uE001", held.get(i));
        }
        return s;
    }

    private static int digitCount(String s) {
        int n = 0;
        for (char c : s.toCharArray()) {
            n += Character.isDigit(c) ? 1 : 0;
        }
        return n;
    }

    private static int vowels(String s) {
        int n = 0;
        for (char c : s.toCharArray()) {
            n += "aeiouAEIOU".indexOf(c) >= 0 ? 1 : 0;
        }
        return n;
    }

    /** An IBAN: the length its country uses and the ISO 7064 mod-97-10 checksum (the number mod 97 is 1). */
    static boolean validIban(String candidate) {
        String iban = candidate.replace(" ", "");
        Integer length = IBAN_LENGTH.get(iban.substring(0, 2));
        if (length == null || iban.length() != length) {
            return false;
        }
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        int remainder = 0;
        for (char c : rearranged.toCharArray()) {
            int value = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
        }
        return remainder == 1;
    }

    /** Where in a pattern's match ({@code s} from {@code start} to {@code end}) the personal data lies. */
    private interface SpanFinder {
        /** Its start and end, or null if the match holds none. */
        int[] within(String s, int start, int end);
    }

    /**
     * {@code s} with the span {@code find} gives in each of the rule's matches replaced by {@code token}; the scan goes on
     * after the span, so what a match ran on into is read again.
     */
    private static String redactSpans(Guarded rule, String s, SpanFinder find, String token, Kind kind, Map<Kind, Integer> counts) {
        if (!rule.mayMatch(s)) {
            return s;
        }
        Matcher m = rule.pattern().matcher(s);
        StringBuilder out = null;
        int copied = 0;
        for (int from = 0; from < s.length() && m.find(from); ) {
            int[] span = find.within(s, m.start(), m.end());
            if (span == null) {
                from = m.end();
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, span[0]).append(token);
            copied = span[1];
            from = span[1];
            counts.merge(kind, 1, Integer::sum);
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /**
     * A valid IBAN in an IBAN-shaped match. The pattern's groups run on over a space into whatever capitals and digits
     * follow ("DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX"), so a candidate longer than its country's IBAN is also
     * checked at that length where a space ends it there.
     */
    private static int[] ibanWithin(String s, int start, int end) {
        if (validIban(s.substring(start, end))) {
            return new int[] {start, end};
        }
        int shorter = ibanAtStart(s, start, end);
        return shorter < 0 ? null : new int[] {start, shorter};
    }

    /**
     * A card number (13 to 19 digits passing the Luhn check) in a match of digit groups: the whole match, or, where a
     * card number runs on into an expiry date or a security code ("4111 1111 1111 1111 05/27", "... 1111 123") or
     * follows another number, the longest prefix, else the longest suffix, that is one and is grouped as cards are
     * printed ({@link #CARD_GROUPS}): a list of days or a phone number next to an address is no card, and one in ten of
     * their digit runs passes the Luhn check.
     */
    private static int[] cardWithin(String s, int start, int end) {
        List<Integer> cuts = new ArrayList<>(); // where each digit group begins, and the match's end
        cuts.add(start);
        for (int i = start; i < end; i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '-') {
                cuts.add(i + 1);
            }
        }
        cuts.add(end + 1); // as if a separator followed the last group
        // After a + the groups are an international phone number ("+49 30 81349529 2024", 16 digits, one in ten of which
        // pass the Luhn check) unless they are grouped as a card is printed; what follows the number may still be one.
        boolean afterPlus = start > 0 && s.charAt(start - 1) == '+';
        if (isCard(s, start, end) && (!afterPlus || printedAsACard(cuts))) {
            return new int[] {start, end};
        }
        for (int last = afterPlus ? 0 : cuts.size() - 2; last > 0; last--) { // prefixes, longest first
            if (isCard(s, start, cuts.get(last) - 1) && printedAsACard(cuts.subList(0, last + 1))) {
                return new int[] {start, cuts.get(last) - 1};
            }
        }
        for (int first = 1; first < cuts.size() - 1; first++) { // suffixes, longest first
            if (isCard(s, cuts.get(first), end) && printedAsACard(cuts.subList(first, cuts.size()))) {
                return new int[] {cuts.get(first), end};
            }
        }
        return null;
    }

    /**
     * An international phone number (8 to 15 digits after the +, E.164's limit) in a match of digit groups: the whole
     * match, or where the groups run on into a date or another number ("+1 415 555 2671 2023-05-01"), the longest run of
     * its first groups that is one.
     */
    private static int[] phoneWithin(String s, int start, int end) {
        int digits = 0;
        int best = -1;
        for (int i = start; i < end; i++) {
            if (Character.isDigit(s.charAt(i))) {
                digits++;
                boolean groupEnds = i + 1 == end || !Character.isDigit(s.charAt(i + 1));
                if (groupEnds && digits >= 8 && digits <= 15) {
                    best = s.charAt(i + 1 < end ? i + 1 : i) == ')' ? i + 2 : i + 1; // "(0)30": the bracket belongs to it
                }
            }
        }
        return best < 0 ? null : new int[] {start, Math.min(best, end)};
    }

    /**
     * The number of a {@link #NAMED_PHONE} match (from its first digit, + or bracket; the words before it stay), up to a
     * slash with a space beside it or two spaces, which list a second number ("Tél : 01 56 77 01 20 / 06 81 57 85 47"),
     * left to the other rules.
     */
    private static int[] namedPhoneWithin(String s, int start, int end) {
        int number = start;
        while (number < end && "+(".indexOf(s.charAt(number)) < 0 && !Character.isDigit(s.charAt(number))) {
            number++;
        }
        for (int i = number; i < end; i++) {
            boolean listed = s.charAt(i) == '/' && (s.charAt(i - 1) == ' ' || i + 1 < end && s.charAt(i + 1) == ' ');
            boolean gap = s.charAt(i) == ' ' && i + 1 < end && s.charAt(i + 1) == ' '; // columns: "852-24218309  852-24259526"
            if (listed || gap) {
                end = i;
                break;
            }
        }
        int[] span = phoneWithin(s, number, end);
        return span == null ? null : new int[] {number, span[1]};
    }

    /** Whether {@code s} has 8 digits in a row, each at most three brackets, spaces, dots, slashes or hyphens after the last. */
    private static boolean hasPhoneDigits(String s) {
        int digits = 0;
        int gap = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isAsciiDigit(c)) {
                digits = gap <= 3 ? digits + 1 : 1;
                gap = 0;
                if (digits >= 8) {
                    return true;
                }
            } else if (digits > 0 && " ()./-".indexOf(c) >= 0) {
                gap++;
            } else {
                digits = 0;
                gap = 0;
            }
        }
        return false;
    }

    /** Whether {@code s} has a number that begins with 00 and a digit 1-9 (dialled with 00 for +). */
    private static boolean hasDoubleZeroCode(String s) {
        return hasNumberStart(s, i -> i + 2 < s.length() && s.charAt(i + 1) == '0' && s.charAt(i + 2) >= '1' && s.charAt(i + 2) <= '9');
    }

    /** Whether {@code s} has a number that begins 0, a digit 1-9, a space, dot or hyphen and two digits (a French one). */
    private static boolean hasZeroPairStart(String s) {
        return hasNumberStart(s, i -> i + 4 < s.length() && s.charAt(i + 1) >= '1' && s.charAt(i + 1) <= '9'
                && " .-".indexOf(s.charAt(i + 2)) >= 0 && isAsciiDigit(s.charAt(i + 3)) && isAsciiDigit(s.charAt(i + 4)));
    }

    /** Whether {@code s} has a number that begins with 0 and another digit (a national number's trunk prefix). */
    private static boolean hasTrunkStart(String s) {
        return hasNumberStart(s, i -> i + 1 < s.length() && isAsciiDigit(s.charAt(i + 1)));
    }

    /** Whether a number begins with a 0 somewhere in {@code s} ({@link #beginsNumber}) and {@code rest} holds at that 0. */
    private static boolean hasNumberStart(String s, java.util.function.IntPredicate rest) {
        for (int i = s.indexOf('0'); i >= 0; i = s.indexOf('0', i + 1)) {
            if (beginsNumber(s, i) && rest.test(i)) {
                return true;
            }
        }
        return false;
    }

    /** Whether no letter, digit, underscore or + comes right before {@code at}: a number may begin there. */
    private static boolean beginsNumber(String s, int at) {
        if (at == 0) {
            return true;
        }
        char c = s.charAt(at - 1);
        return !(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '+'));
    }

    /** How card numbers are grouped in print: 4-4-4-4, Amex's 4-6-5, Diners' 4-6-4, 4-4-4-4-3; or one run of digits. */
    private static final List<List<Integer>> CARD_GROUPS = List.of(List.of(4, 4, 4, 4), List.of(4, 6, 5), List.of(4, 6, 4),
            List.of(4, 4, 4, 4, 3));

    /** Whether the digit groups that begin at {@code cuts} (each after a one-character separator) are printed as a card's. */
    private static boolean printedAsACard(List<Integer> cuts) {
        List<Integer> sizes = new ArrayList<>();
        for (int g = 0; g + 1 < cuts.size(); g++) {
            sizes.add(cuts.get(g + 1) - 1 - cuts.get(g));
        }
        return sizes.size() == 1 || CARD_GROUPS.contains(sizes);
    }

    private static boolean isCard(String s, int start, int end) {
        String digits = s.substring(start, end).replaceAll("[ -]", "");
        return digits.length() >= 13 && digits.length() <= 19 && luhn(digits);
    }

    /**
     * Where a valid IBAN that begins a longer candidate ({@code s} from {@code start} to {@code end}) ends: after its
     * country's number of characters, followed by a space; else -1.
     */
    private static int ibanAtStart(String s, int start, int end) {
        Integer length = IBAN_LENGTH.get(s.substring(start, start + 2));
        if (length == null) {
            return -1;
        }
        int seen = 0;
        int i = start;
        while (i < end && seen < length) {
            if (s.charAt(i) != ' ') {
                seen++;
            }
            i++;
        }
        return seen == length && i < end && s.charAt(i) == ' ' && validIban(s.substring(start, i)) ? i : -1;
    }

    /** A Spanish DNI (8 digits and a letter) or NIE (X/Y/Z, 7 digits, a letter): the letter is the number mod 23. */
    static boolean validDni(String candidate) {
        String s = candidate.toUpperCase(java.util.Locale.ROOT).replace("-", "");
        char first = s.charAt(0);
        String digits = "XYZ".indexOf(first) >= 0 ? "XYZ".indexOf(first) + s.substring(1, s.length() - 1) : s.substring(0, s.length() - 1);
        if (digits.length() != 8) {
            return false;
        }
        return "TRWAGMYFPDXBNJZSQVHLCKE".charAt((int) (Long.parseLong(digits) % 23)) == s.charAt(s.length() - 1);
    }

    private static Map<String, Integer> ibanLengths(String table) {
        Map<String, Integer> m = new java.util.HashMap<>();
        for (String entry : table.trim().split("\\s+")) {
            m.put(entry.substring(0, 2), Integer.parseInt(entry.substring(2)));
        }
        return Map.copyOf(m);
    }

    /**
     * {@code text} as a report may show it: personal data masked, white space runs as one space, cut to
     * {@code maxChars} with an ellipsis. Masked before the cut, so a cut cannot split an address into parts no rule
     * recognizes.
     */
    public static String excerpt(String text, int maxChars) {
        String t = dev.distillery.util.Patterns.WHITESPACE.matcher(redacted(text)).replaceAll(" ").strip();
        return t.length() > maxChars ? t.substring(0, maxChars) + "…" : t;
    }

    /**
     * A pattern and a quick look at a text that must succeed for the pattern to match in it (a word or character shape
     * every match holds), so that most texts are spared the pattern's scan and the result is the same.
     */
    record Guarded(Predicate<String> look, Pattern pattern) {
        static Guarded by(Predicate<String> look, Pattern pattern) {
            return new Guarded(look, pattern);
        }

        boolean mayMatch(String s) {
            return look.test(s);
        }
    }

    /** Every guarded pattern, for the test that no text matches a pattern its look rules out. */
    static List<Guarded> guarded() {
        return List.of(PRIVATE_KEY, KNOWN_TOKEN, NAMED_SECRET, CREDENTIAL, EMAIL, IPV4, IPV6, IBAN, CARD, SSN, DNI,
                INTERNATIONAL_PHONE, NAMED_PHONE, INTERNATIONAL_00, PAIRED_PHONE, TRUNK_PHONE, PHONE, BIRTH_DATE, SALUTATION, SIGNATURE);
    }

    private static String replace(Guarded rule, String s, Function<Matcher, String> with, Kind kind, Map<Kind, Integer> counts) {
        return replaceIf(rule, s, m -> true, with, kind, counts);
    }

    private static String replaceIf(Guarded rule, String s, Predicate<Matcher> accept, Function<Matcher, String> with, Kind kind,
            Map<Kind, Integer> counts) {
        if (!rule.mayMatch(s)) {
            return s;
        }
        Matcher m = rule.pattern().matcher(s);
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
}
