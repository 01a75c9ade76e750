package dev.distillery.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The JSON objects of a file, each with the line it starts on: one per line (JSON Lines, blank lines ignored), or, where
 * the file begins with {@code [}, the elements of one array, however they are laid out (pandas' {@code
 * to_json(orient="records")}, most APIs' and databases' exports, pretty-printed or not). Both readers of JSON files
 * ({@link JsonlFormat}, {@link JsonRecords}) take their records from here, so both read both layouts.
 */
public final class JsonObjects {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonObjects() {}

    /** Where each entry or line that is no JSON object goes, with why and what was expected. */
    interface Bad {
        void accept(int line, String problem, String expected);
    }

    /** The first object of {@code file} (a line's or the array's first), or null where it holds none; the rest is not read. */
    static JsonNode first(Path file) {
        JsonNode[] first = {null};
        try {
            each(file, (node, line) -> {
                first[0] = node;
                throw new Found();
            }, (line, problem, expected) -> { });
        } catch (Found stop) {
            // only the first object was needed
        }
        return first[0];
    }

    /** Ends {@link #first}'s read at the first object. */
    private static final class Found extends RuntimeException {
        Found() {
            super(null, null, false, false);
        }
    }

    /** Each object of {@code file} with the line it starts on to {@code objects}; each entry or line that is none to {@code bad}. */
    static void each(Path file, java.util.function.ObjIntConsumer<JsonNode> objects, Bad bad) {
        if (startsWithArray(file)) {
            eachElement(file, objects, bad);
        } else {
            eachLine(file, objects, bad);
        }
    }

    private static void eachLine(Path file, java.util.function.ObjIntConsumer<JsonNode> objects, Bad bad) {
        try (Utf8Lines lines = Utf8Lines.open(file)) {
            for (Utf8Lines.Line read; (read = lines.next()) != null; ) {
                if (!read.valid()) {
                    bad.accept(read.number(), read.problem(), "UTF-8 text");
                    continue;
                }
                if (read.text().isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(read.text());
                } catch (JsonProcessingException e) {
                    bad.accept(read.number(), malformed(e), "one JSON object per line");
                    continue;
                }
                if (node == null || !node.isObject()) {
                    bad.accept(read.number(), "found " + (node == null ? "nothing" : node.getNodeType().toString()), "a JSON object");
                    continue;
                }
                objects.accept(node, read.number());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /**
     * The elements of the file's one array, streamed (a large export is never held whole). Broken JSON ends the read
     * whatever the bad-record policy: after it the parser cannot find where the next element starts.
     */
    private static void eachElement(Path file, java.util.function.ObjIntConsumer<JsonNode> objects, Bad bad) {
        try (JsonParser parser = MAPPER.getFactory().createParser(Utf8Lines.bytes(file))) {
            int line = 1;
            try {
                parser.nextToken(); // the array's start
                for (JsonToken token; (token = parser.nextToken()) != JsonToken.END_ARRAY; ) {
                    line = parser.currentTokenLocation().getLineNr();
                    if (token == null) {
                        throw new DataFormatException(file + ":line " + line, "the array is not closed", "a JSON array of objects");
                    }
                    JsonNode node = parser.readValueAsTree();
                    if (node.isObject()) {
                        objects.accept(node, line);
                    } else {
                        bad.accept(line, "found " + node.getNodeType(), "a JSON object");
                    }
                }
                if (parser.nextToken() != null) {
                    throw new DataFormatException(file + ":line " + parser.currentTokenLocation().getLineNr(),
                            "more after the array's end", "one JSON array of objects, or one object per line");
                }
            } catch (JsonProcessingException e) {
                throw new DataFormatException(file + ":line " + Math.max(line, e.getLocation() == null ? line
                        : e.getLocation().getLineNr()), malformed(e), "a JSON array of objects", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** Whether the file's first character other than white space (and a byte-order mark) is '['. */
    static boolean startsWithArray(Path file) {
        try (InputStream in = Utf8Lines.bytes(file)) {
            for (int b; (b = in.read()) >= 0; ) {
                if (b == 0xEF || b == 0xBB || b == 0xBF || Character.isWhitespace(b)) {
                    continue;
                }
                return b == '[';
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** Jackson's "Unrecognized token 'jane'": the quoted token is part of a record. */
    private static final java.util.regex.Pattern QUOTED_TOKEN = java.util.regex.Pattern.compile("Unrecognized token '[^']*'");

    /**
     * "malformed JSON: " and what the parser found wrong, without the token it quotes from the record: a record may hold
     * personal data, and an error message or a skip report is no place for it.
     */
    public static String malformed(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
        return "malformed JSON: " + QUOTED_TOKEN.matcher(message).replaceFirst("Unrecognized token (not shown)");
    }
}
