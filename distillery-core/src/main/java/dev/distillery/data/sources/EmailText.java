package dev.distillery.data.sources;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.codec.DecodeMonitor;
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
 */
public final class EmailText {
    /** Cap per message so one huge mail cannot dominate memory; far above typical mail size. */
    static final int MAX_CHARS = 100_000;

    private EmailText() {}

    public static String extract(byte[] raw) throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        Message message = builder.parseMessage(new ByteArrayInputStream(stripMboxSeparator(raw)));
        try {
            StringBuilder out = new StringBuilder();
            String subject = message.getSubject();
            if (subject != null) {
                out.append(subject.strip());
            }
            out.append("\n\n");
            List<String> parts = new ArrayList<>();
            collect(message, parts);
            out.append(String.join("\n\n", parts));
            String text = out.toString().strip();
            return text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
        } finally {
            message.dispose();
        }
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

    private static void collect(Entity entity, List<String> parts) throws IOException {
        Body body = entity.getBody();
        if (body instanceof Multipart multipart) {
            List<String> alternatives = new ArrayList<>();
            for (Entity part : multipart.getBodyParts()) {
                collect(part, alternatives);
            }
            if ("alternative".equalsIgnoreCase(multipart.getSubType()) && alternatives.size() > 1) {
                // The parts of multipart/alternative say the same thing; keep the longest rendering once.
                alternatives.sort((a, b) -> Integer.compare(b.length(), a.length()));
                parts.add(alternatives.get(0));
            } else {
                parts.addAll(alternatives);
            }
        } else if (body instanceof Message nested) {
            collect(nested, parts);
        } else if (body instanceof TextBody textBody && isText(entity)) {
            String text = decode(textBody);
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

    private static String decode(TextBody body) throws IOException {
        Charset charset = charsetOf(body.getMimeCharset());
        try (InputStream in = body.getInputStream()) {
            return new String(in.readAllBytes(), charset);
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
