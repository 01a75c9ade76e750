package dev.distillery.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.jsoup.Jsoup;

/**
 * Turns one raw RFC 822 message into the text a classifier reads: the decoded subject, a blank
 * line, then every text part of the body decoded (transfer encoding and charset), with HTML parts
 * reduced to their visible text. Attachments that are not text are left out.
 *
 * <p>Nothing is lost quietly: a message without a header block is read as a bare body (a mail parser would take its
 * first lines for malformed headers), and a text part whose base64 does not decode (characters outside the alphabet,
 * a cut-off final group) keeps its raw, still-encoded text and is counted in {@link Parsed#undecodableParts()}, so a
 * reader can warn instead of passing on garbage.
 */
public final class EmailText {
    /** Cap per message so one huge mail cannot dominate memory; far above typical mail size. */
    static final int MAX_CHARS = 100_000;

    private EmailText() {}

    /** The text of a message, and how many of its text parts could not be decoded (kept raw). */
    public record Parsed(String text, int undecodableParts) {}

    public static String extract(byte[] raw) throws IOException {
        return parse(raw).text();
    }

    public static Parsed parse(byte[] raw) throws IOException {
        byte[] message = stripMboxSeparator(raw);
        if (!startsWithHeader(message)) {
            String body = decodeBytes(message, null);
            return new Parsed(cap((looksLikeHtml(body) ? Jsoup.parse(body).text() : body).strip()), 0);
        }
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        // Bodies stay transfer-encoded, so that each text part is decoded here and a failure is seen (and counted).
        builder.setContentDecoding(false);
        Message parsed = builder.parseMessage(new ByteArrayInputStream(message));
        try {
            StringBuilder out = new StringBuilder();
            String subject = parsed.getSubject();
            if (subject != null) {
                out.append(subject.strip());
            }
            out.append("\n\n");
            List<String> parts = new ArrayList<>();
            int[] undecodable = {0};
            collect(parsed, parts, undecodable);
            out.append(String.join("\n\n", parts));
            return new Parsed(cap(out.toString().strip()), undecodable[0]);
        } finally {
            parsed.dispose();
        }
    }

    private static String cap(String text) {
        return text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
    }

    /** Whether the first line is a header field ("Name: value", the name printable ASCII without spaces or colons). */
    static boolean startsWithHeader(byte[] raw) {
        int colon = -1;
        for (int i = 0; i < raw.length && i < 1000; i++) {
            byte b = raw[i];
            if (b == ':') {
                colon = i;
                break;
            }
            if (b < 33 || b > 126) {
                return false;
            }
        }
        return colon > 0;
    }

    /** Mailbox files begin each message with a "From sender date" line, which is not a header. */
    static byte[] stripMboxSeparator(byte[] raw) {
        if (raw.length > 5 && raw[0] == 'F' && raw[1] == 'r' && raw[2] == 'o' && raw[3] == 'm' && raw[4] == ' ') {
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == '\n') {
                    return java.util.Arrays.copyOfRange(raw, i + 1, raw.length);
                }
            }
        }
        return raw;
    }

    private static void collect(Entity entity, List<String> parts, int[] undecodable) throws IOException {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            List<String> alternatives = new ArrayList<>();
            for (Entity part : multipart.getBodyParts()) {
                collect(part, alternatives, undecodable);
            }
            if ("alternative".equalsIgnoreCase(multipart.getSubType()) && alternatives.size() > 1) {
                // The parts of multipart/alternative say the same thing; keep the longest rendering once.
                alternatives.sort((a, b) -> Integer.compare(b.length(), a.length()));
                parts.add(alternatives.get(0));
            } else {
                parts.addAll(alternatives);
            }
        } else if (body instanceof Message nested) {
            collect(nested, parts, undecodable);
        } else if (body instanceof TextBody textBody && isText(entity)) {
            String text = decode(entity, textBody, undecodable);
            if ("text/html".equalsIgnoreCase(entity.getMimeType()) || looksLikeHtml(text)) {
                text = Jsoup.parse(text).text();
            }
            if (!text.isBlank()) {
                parts.add(text.strip());
            }
        }
    }

    private static boolean isText(Entity entity) {
        String type = entity.getMimeType();
        boolean attachment = "attachment".equalsIgnoreCase(entity.getDispositionType());
        return type == null || (type.toLowerCase(Locale.ROOT).startsWith("text/") && !attachment)
                || "text/plain".equalsIgnoreCase(type);
    }

    private static boolean looksLikeHtml(String text) {
        String head = text.length() > 2000 ? text.substring(0, 2000) : text;
        String lower = head.toLowerCase(Locale.ROOT);
        return lower.contains("<html") || lower.contains("<body") || lower.contains("<br>") || lower.contains("<p>");
    }

    /** The part's text: transfer encoding undone (raw text kept, and counted, when its base64 is broken), then charset. */
    private static String decode(Entity entity, TextBody body, int[] undecodable) throws IOException {
        byte[] encoded;
        try (InputStream in = body.getInputStream()) {
            encoded = in.readAllBytes();
        }
        String transfer = entity.getContentTransferEncoding() == null ? "" : entity.getContentTransferEncoding().toLowerCase(Locale.ROOT);
        byte[] bytes = encoded;
        if (transfer.equals("base64")) {
            bytes = base64(encoded);
            String text = decodeBytes(bytes, body.getMimeCharset());
            if (!readable(bytes, text, body.getMimeCharset())) {
                undecodable[0]++;
                return new String(encoded, StandardCharsets.ISO_8859_1);
            }
            return text;
        } else if (transfer.equals("quoted-printable")) {
            try (InputStream in = new QuotedPrintableInputStream(new ByteArrayInputStream(encoded), DecodeMonitor.SILENT)) {
                bytes = in.readAllBytes();
            }
        }
        return decodeBytes(bytes, body.getMimeCharset());
    }

    /**
     * Base64 decoded as mail readers do, leniently: characters outside the alphabet are skipped, padding ends the data
     * (what follows it, such as a list's footer, is not part of it) and a cut-off last group is dropped. Whether the
     * result is text is for {@link #readable} to judge.
     */
    static byte[] base64(byte[] encoded) {
        StringBuilder clean = new StringBuilder(encoded.length);
        for (byte b : encoded) {
            if (b == '=') {
                break;
            }
            boolean alphabet = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/';
            if (alphabet) {
                clean.append((char) b);
            }
        }
        int usable = clean.length() - clean.length() % 4 + (clean.length() % 4 >= 2 ? clean.length() % 4 : 0);
        return java.util.Base64.getDecoder().decode(clean.substring(0, usable) + "==".substring(0, (4 - usable % 4) % 4));
    }

    /**
     * Whether decoded bytes are text: few control characters and not many sequences the charset cannot decode (random
     * bytes from broken base64 give about one control character in eight, and in a multi-byte charset a third or more
     * undecodable sequences; text, even with a damaged end or a few stray bytes, next to none).
     */
    static boolean readable(byte[] bytes, String text, String declaredCharset) {
        long control = text.chars().filter(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f').count();
        long undecodable = text.chars().filter(c -> c == 0xFFFD).count();
        int n = Math.max(1, text.length());
        return control <= 0.02 * n && undecodable <= 0.1 * n;
    }

    /** Text in its declared charset; without one, UTF-8 if the bytes are valid UTF-8, else windows-1252. */
    private static String decodeBytes(byte[] bytes, String declaredCharset) {
        String utf8 = declaredCharset == null ? strictUtf8(bytes, 0) : null;
        return utf8 != null ? utf8 : new String(bytes, charsetOf(declaredCharset));
    }

    /** {@code bytes} from {@code from} as UTF-8 text, or null where they are no valid UTF-8 (a legacy charset's text). */
    static String strictUtf8(byte[] bytes, int from) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /** The declared charset, or windows-1252 (a superset of Latin-1 that never fails) if unknown. */
    static Charset charsetOf(String name) {
        if (name != null) {
            try {
                String cleaned = name.trim().replace("\"", "");
                if (Charset.isSupported(cleaned)) {
                    Charset cs = Charset.forName(cleaned);
                    return cs.equals(StandardCharsets.US_ASCII) ? Charset.forName("windows-1252") : cs;
                }
            } catch (IllegalArgumentException ignored) {
                // an illegal charset name is treated like an unknown one
            }
        }
        return Charset.forName("windows-1252");
    }
}
