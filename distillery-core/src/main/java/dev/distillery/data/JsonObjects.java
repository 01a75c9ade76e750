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
import java.util.List;

/**
 * The JSON objects of a file, each with the line it starts on: one per line (JSON Lines, blank lines ignored), or, where
 * the file begins with {@code [}, the elements of one array, however they are laid out (pandas' {@code
 * to_json(orient="records")}, most APIs' and databases' exports, pretty-printed or not), or the elements of the one
 * array of objects an object holds (an API's answer, {@code {"data": [...], "count": 60}}), or a single object written
 * over several lines, or such objects one after another (jq's output). Both readers of JSON files ({@link
 * JsonlFormat}, {@link JsonRecords}) take their records from here, so both read every layout ({@link #layout}).
 */
public final class JsonObjects {
    /**
     * Reads Python's json output too, whose missing numbers are NaN (read as missing) and whose overflows are Infinity;
     * writes them as the strings "NaN" and "Infinity" (Jackson's default), so what it writes is standard JSON.
     */
    private static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** The one mapper every reader of data files parses JSON with ({@link #MAPPER}). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

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

    /**
     * Each object of {@code file} with the line it starts on to {@code records} (an Elasticsearch hit as its document,
     * {@link #sourceOfHit}); each entry or line that is none to {@code bad}.
     */
    static void each(Path file, java.util.function.ObjIntConsumer<JsonNode> records, Bad bad) {
        // a search engine's hit, however the file lays them out (elasticdump writes one a line), is its document
        java.util.function.ObjIntConsumer<JsonNode> objects = (node, line) -> records.accept(sourceOfHit(node), line);
        Layout layout = layout(file);
        switch (layout.kind()) {
            case ARRAY, WRAPPED, STREAM -> eachElement(file, layout, objects, bad);
            case ONE_OBJECT -> objects.accept(tree(file), 1);
            case COLUMNS -> Columnar.records(tree(file)).forEach(record -> objects.accept(record, 1));
            default -> eachLine(file, objects, bad);
        }
    }

    /** How a JSON file holds its records. */
    enum Kind {
        /** One object a line: JSON Lines. */
        LINES,
        /** The elements of one array: {@code [{...}, {...}]}. */
        ARRAY,
        /** The elements of the one array of objects in one object, as APIs answer: {@code {"data": [{...}, ...]}}. */
        WRAPPED,
        /** One object written over several lines, holding no array of objects: one record, pretty-printed. */
        ONE_OBJECT,
        /** Objects one after another, written over several lines each, as {@code jq} prints them without {@code -c}. */
        STREAM,
        /**
         * One object that holds a table by its columns, as pandas writes one ({@code to_json()}'s default, {@code
         * {"age": {"0": 30, "1": 41}, ...}}; {@code orient="index"}, {@code "split"}; {@code to_dict("list")}): its rows
         * are the records ({@link Columnar}).
         */
        COLUMNS
    }

    /**
     * A file's {@link Kind}, and for {@link Kind#WRAPPED} the keys that lead to its array: one ({@code "data"}), or a path
     * through nested objects ({@code response, docs} in Solr's answer; {@code hits, hits} in Elasticsearch's).
     */
    record Layout(Kind kind, List<String> path) {}

    /** Whether {@code file} holds one record a line, so its records can be copied by line (JSON Lines). */
    static boolean oneRecordALine(Path file) {
        return layout(file).kind() == Kind.LINES;
    }

    /**
     * How {@code file} holds its records. A file that begins with '[' is an array; one that is a single object from its
     * first character to its last is WRAPPED where exactly one of its keys holds an array of objects (or, where none does,
     * exactly one key of its nested objects, within {@link #WRAPPING_DEPTH}), else COLUMNS where it holds a table by its
     * columns ({@link Columnar}), else ONE_OBJECT where it spans several lines; a first object over several lines with
     * another after it begins a STREAM; anything else (one object a line, broken JSON) is read line by line, where each
     * line's problem is said. A JSON Lines file is told apart at its second record; a WRAPPED one is read through once
     * here, before its records are.
     */
    static Layout layout(Path file) {
        if (startsWithArray(file)) {
            return new Layout(Kind.ARRAY, null);
        }
        try (JsonParser parser = MAPPER.getFactory().createParser(Utf8Lines.bytes(file))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Layout(Kind.LINES, null);
            }
            List<List<String>> arraysOfObjects = new java.util.ArrayList<>();
            if (!arraysOfObjects(parser, List.of(), arraysOfObjects)) {
                return new Layout(Kind.LINES, null);
            }
            int lastLine = parser.currentLocation().getLineNr();
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                return new Layout(Kind.LINES, null);
            }
            if (parser.nextToken() != null) { // another object follows the first: on the next line, or pretty-printed
                return new Layout(lastLine > 1 ? Kind.STREAM : Kind.LINES, null);
            }
            // the one array of objects at the top, else the one in the nested objects
            List<List<String>> top = arraysOfObjects.stream().filter(path -> path.size() == 1).toList();
            List<List<String>> wrapped = top.isEmpty() ? arraysOfObjects : top;
            if (wrapped.size() == 1) {
                return new Layout(Kind.WRAPPED, wrapped.get(0));
            }
            if (Columnar.isTable(tree(file))) {
                return new Layout(Kind.COLUMNS, null);
            }
            return new Layout(lastLine > 1 ? Kind.ONE_OBJECT : Kind.LINES, null);
        } catch (JsonProcessingException e) {
            return new Layout(Kind.LINES, null); // broken JSON: the lines say where
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** How deep into nested objects an array of records is looked for: Elasticsearch's hits.hits is two keys down. */
    private static final int WRAPPING_DEPTH = 3;

    /**
     * Reads the object whose start {@code parser} is at to its end, adding to {@code found} the path of each array whose
     * first element is an object, within {@link #WRAPPING_DEPTH} keys; false where the JSON ends too soon.
     */
    private static boolean arraysOfObjects(JsonParser parser, List<String> at, List<List<String>> found) throws IOException {
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            if (token != JsonToken.FIELD_NAME) {
                return false;
            }
            List<String> path = new java.util.ArrayList<>(at);
            path.add(parser.currentName());
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_ARRAY) {
                JsonToken element = parser.nextToken();
                if (element == JsonToken.START_OBJECT) {
                    found.add(List.copyOf(path));
                }
                for (; element != JsonToken.END_ARRAY; element = parser.nextToken()) {
                    if (element == null) {
                        return false;
                    }
                    if (element.isStructStart()) {
                        parser.skipChildren();
                    }
                }
            } else if (value == JsonToken.START_OBJECT && path.size() < WRAPPING_DEPTH) {
                if (!arraysOfObjects(parser, path, found)) {
                    return false;
                }
            } else if (value == null) {
                return false;
            } else if (value.isStructStart()) {
                parser.skipChildren();
            }
        }
        return true;
    }

    /**
     * An Elasticsearch or OpenSearch hit ({@code {"_index", "_id", "_source": {...}}}) as the document it holds, its
     * {@code _id} as its id where the document has none; any other object as it is.
     */
    private static JsonNode sourceOfHit(JsonNode node) {
        JsonNode source = node.get("_source");
        if (!node.has("_index") || source == null || !source.isObject()) {
            return node;
        }
        com.fasterxml.jackson.databind.node.ObjectNode record = MAPPER.createObjectNode();
        if (!source.has("id") && node.hasNonNull("_id")) {
            record.put("id", node.get("_id").asText());
        }
        record.setAll((com.fasterxml.jackson.databind.node.ObjectNode) source);
        return record;
    }

    /** The file's one JSON value, read whole. */
    private static JsonNode tree(Path file) {
        try (InputStream in = Utf8Lines.bytes(file)) {
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
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
     * The elements of the file's one array, or of the array its one object holds at the layout's path, streamed (a large export
     * is never held whole). Broken JSON ends the read whatever the bad-record policy: after it the parser cannot find
     * where the next element starts.
     */
    private static void eachElement(Path file, Layout layout, java.util.function.ObjIntConsumer<JsonNode> objects, Bad bad) {
        List<String> path = layout.path();
        boolean stream = layout.kind() == Kind.STREAM;
        try (JsonParser parser = MAPPER.getFactory().createParser(Utf8Lines.bytes(file))) {
            int line = 1;
            try {
                if (!stream) {
                    parser.nextToken(); // the array's start, or the object's that holds it
                }
                if (path != null) {
                    for (String key : path) { // into each object of the path, to the array's start
                        while (parser.nextToken() == JsonToken.FIELD_NAME && !key.equals(parser.currentName())) {
                            if (parser.nextToken().isStructStart()) {
                                parser.skipChildren();
                            }
                        }
                        parser.nextToken();
                    }
                }
                JsonToken end = stream ? null : JsonToken.END_ARRAY; // a stream ends with the file
                for (JsonToken token; (token = parser.nextToken()) != end; ) {
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
                if (!stream && path == null && parser.nextToken() != null) {
                    throw new DataFormatException(file + ":line " + parser.currentTokenLocation().getLineNr(),
                            "more after the array's end", "one JSON array of objects, or one object per line");
                }
            } catch (JsonProcessingException e) {
                throw new DataFormatException(file + ":line " + Math.max(line, e.getLocation() == null ? line
                        : e.getLocation().getLineNr()), malformed(e), stream ? "JSON objects one after another"
                        : "a JSON array of objects", e);
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
