package dev.distillery.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON Lines: one object per line with {@code text} or {@code features} (a flat number array; null for a missing value,
 * filled in before a model reads it: {@link MissingValues}),
 * optional {@code id} (default {@code line-N}), {@code label} (string or number), {@code source},
 * and optional {@code shape} (e.g. {@code [1,28,28]}) giving the shape of dense features and {@code feature_names}
 * naming them (both read from the first record that has them; written on the first record, so that a CSV's column
 * names survive {@code data split}). Blank lines are ignored.
 */
public final class JsonlFormat {
    private static final ObjectMapper MAPPER = JsonObjects.mapper();
    private static final String FEATURE_NAMES = "feature_names";

    private JsonlFormat() {}

    public static ReadResult read(Path file, OnError onError) {
        return read(file, onError, ColumnNames.DEFAULT);
    }

    /** {@link #read(Path, OnError)} with the label and text under the keys {@code names} says. */
    public static ReadResult read(Path file, OnError onError, ColumnNames columns) {
        Records records = new Records(file, columns, new RecordCollector(file.toString(), onError), idKey(file, columns));
        JsonObjects.each(file, records::object, records::bad);
        return records.collector.finish(records.shape, records.names == null ? List.of() : records.names);
    }

    /** A file's records as examples, with the shape and the feature names of the first record that has them. */
    private static final class Records {
        private final Path file;
        private final ColumnNames columns;
        private final RecordCollector collector;
        private List<Long> shape;
        private List<String> names;
        /** The key whose value is a record's id where it has no "id" (see {@link #idKey}); null: none. */
        private final String idKey;

        Records(Path file, ColumnNames columns, RecordCollector collector, String idKey) {
            this.file = file;
            this.columns = columns;
            this.collector = collector;
            this.idKey = idKey;
        }

        void object(JsonNode node, int lineNo) {
            String where = "line " + lineNo;
            if (LabelStudioTasks.isTask(node)) {
                LabelStudioTasks.Record task = LabelStudioTasks.asRecord(node, columns);
                if (task.record() == null) {
                    collector.bad(where, task.problem(), task.expected());
                    return;
                }
                node = task.record();
            }
            if (!node.has(columns.text()) && columns.text().contains(".") || !node.has(columns.label()) && columns.label().contains(".")) {
                node = JsonRecords.flat(node); // the text or label named by its path in nested objects, "content.body"
            }
            JsonNode id = idKey == null ? null : JsonRecords.flat(node).get(idKey);
            String defaultId = id != null && id.isValueNode() && !id.asText().isEmpty() ? id.asText() : "line-" + lineNo;
            Example example = toExample(node, columns, defaultId, file.getFileName().toString(), where, collector);
            if (example == null) {
                return;
            }
            if (!collector.examples().isEmpty() && collector.examples().get(0).isText() != example.isText()) {
                collector.bad(where, "mixes text and features", "every record of the same kind as the first");
                return;
            }
            if (!example.isText() && !collector.examples().isEmpty()
                    && collector.examples().get(0).featureLength() != example.featureLength()) {
                collector.bad(where, example.featureLength() + " features", collector.examples().get(0).featureLength()
                        + " like the first record");
                return;
            }
            if (shape == null && node.has("shape")) {
                shape = readShape(node.get("shape"), example.featureLength(), where, collector);
                if (shape == null) {
                    return; // counted as bad: its features were written for another shape
                }
            }
            if (names == null && node.has(FEATURE_NAMES)) {
                names = readNames(node.get(FEATURE_NAMES), example.featureLength(), where, collector);
                if (names == null) {
                    return; // counted as bad
                }
            }
            collector.add(example, lineNo);
        }

        void bad(int line, String problem, String expected) {
            collector.bad("line " + line, problem, expected);
        }
    }

    /**
     * The key that gives a text file's records their ids, where its records have keys beside the text: the identifier
     * (a "ticket_no" whose values never repeat) or row number a table's reading of the same file takes its ids from
     * ({@link CsvFormat}), so that the file's records keep their ids whichever key is read as the text; null for a file
     * of texts alone or of records with an "id", named by it or by their line.
     */
    private static String idKey(Path file, ColumnNames names) {
        JsonNode first = JsonObjects.first(file);
        if (first == null || !first.hasNonNull(names.text()) || first.hasNonNull("id")) {
            return null;
        }
        java.util.Set<String> others = new java.util.HashSet<>();
        JsonRecords.flat(first).fieldNames().forEachRemaining(others::add);
        others.removeAll(List.of("id", "source", "shape", "feature_names", names.label(), names.text()));
        if (others.isEmpty()) {
            return null;
        }
        CsvFormat.ColumnKinds kinds = CsvFormat.columnKinds(JsonRecords.all(file), names, List.of());
        return kinds.identifiers().isEmpty() ? null : kinds.header().get(kinds.identifiers().iterator().next());
    }

    private static Example toExample(JsonNode node, ColumnNames names, String defaultId, String source, String where, RecordCollector c) {
        String id = node.hasNonNull("id") ? node.get("id").asText() : defaultId;
        if (node.hasNonNull("id") && (!node.get("id").isValueNode() || id.isEmpty())) {
            c.bad(where, "id is " + (id.isEmpty() ? "empty" : node.get("id").getNodeType().toString()), "a non-empty string or number, or no id");
            return null;
        }
        String label = null;
        if (node.hasNonNull(names.label()) && !JsonRecords.isNaN(node.get(names.label()))) {
            JsonNode l = node.get(names.label());
            if (!l.isValueNode()) {
                // A list of labels is a multi-label record, which a classifier of one answer per example cannot learn.
                c.bad(where, names.label() + " is " + (l.isArray() ? "a list " + l + " (several labels for one record)" : "an "
                        + l.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)), "one label, a string or number: each"
                        + " model answers one class an example" + (l.isArray() ? " (for several, train one model a label, with"
                        + " labels such as 'spam' and 'not spam')" : ""));
                return null;
            }
            label = LabelText.of(l.asText()); // as a CSV label cell is read (empty was a class "")
        }
        String src = node.hasNonNull("source") ? node.get("source").asText() : source;
        boolean hasText = node.hasNonNull(names.text());
        boolean hasFeatures = node.hasNonNull("features");
        if (isTableRecord(node, names)) { // in a file whose first record is text or features
            c.bad(where, "neither " + names.text() + " nor features, but a column per key (a table's record)",
                    "every record like the first: " + (c.examples().isEmpty() || c.examples().get(0).isText()
                            ? "\"" + names.text() + "\": \"...\"" : "\"features\": [numbers]"));
            return null;
        }
        if (hasText == hasFeatures) {
            // A text under another key ("body", "review") is the usual cause: name the keys that hold strings.
            JsonNode flat = JsonRecords.flat(node); // strings in nested objects too, by their path: "content.body"
            List<String> strings = stringKeys(flat, names);
            String longest = strings.stream().max(java.util.Comparator.comparingInt(k -> flat.get(k).asText().length())).orElse(null);
            c.bad(where, hasText ? "both " + names.text() + " and features" : "neither " + names.text() + " nor features"
                    + (strings.isEmpty() ? "" : " (its keys of strings: " + String.join(", ", strings) + "; if '" + longest
                    + "' holds the text, name it with --text-column " + longest + ")"),
                    "exactly one of \"" + names.text() + "\" and \"features\"");
            return null;
        }
        if (hasText) {
            if (!node.get(names.text()).isTextual()) {
                c.bad(where, names.text() + " is " + node.get(names.text()).getNodeType(), "a string");
                return null;
            }
            return Example.text(id, node.get(names.text()).asText(), label, src);
        }
        JsonNode arr = node.get("features");
        if (!arr.isArray() || arr.isEmpty()) {
            c.bad(where, "features is not a non-empty array", "an array of numbers");
            return null;
        }
        float[] f = new float[arr.size()];
        for (int i = 0; i < f.length; i++) {
            JsonNode v = arr.get(i);
            if (v.isNull() || JsonRecords.isNaN(v)) {
                f[i] = Float.NaN; // a missing value: filled in before a model reads it (MissingValues)
                continue;
            }
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                c.bad(where, "features[" + i + "] = " + v, "a finite number, or null for a missing value");
                return null;
            }
            f[i] = (float) v.asDouble();
        }
        return Example.denseOwned(id, f, label, src);
    }

    /** The keys of {@code node} that hold a string, other than id, label and source, in the record's order. */
    private static List<String> stringKeys(JsonNode node, ColumnNames names) {
        List<String> strings = new ArrayList<>();
        node.fields().forEachRemaining(f -> {
            if (f.getValue().isTextual() && !f.getKey().equals("id") && !f.getKey().equals(names.label()) && !f.getKey().equals("source")) {
                strings.add(f.getKey());
            }
        });
        return strings;
    }

    /**
     * The one key of {@code first} (a file's first record, read with {@code names}) beside its id, label and source, where
     * it holds a string that is not a number and the record has neither a text nor features ({"word": "abandon",
     * "sentiment": "negative"}): the text under another key; else empty.
     */
    static java.util.Optional<String> loneStringKey(JsonNode first, ColumnNames names) {
        if (first.hasNonNull(names.text()) || first.hasNonNull("features")) {
            return java.util.Optional.empty();
        }
        int others = 0;
        for (var it = first.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            others += key.equals("id") || key.equals(names.label()) || key.equals("source") ? 0 : 1;
        }
        List<String> strings = stringKeys(first, names);
        return others == 1 && strings.size() == 1 && !isNumber(first.get(strings.get(0))) ? java.util.Optional.of(strings.get(0))
                : java.util.Optional.empty();
    }

    /**
     * True if {@code node} is a table's row written as a record (pandas' to_json(orient="records", lines=True)): neither
     * text nor features, but a column per key, numbers among them. A file whose first record is one is read as a table
     * ({@link JsonRecords}), as a CSV file is: a key of sentences beside the numbers (a review beside its stars) is its
     * free-text column, which {@code train} may read as the text ({@code TextColumnChoice}).
     */
    static boolean isTableRecord(JsonNode node, ColumnNames names) {
        return !node.hasNonNull(names.text()) && !node.hasNonNull("features") && numbers(node, names) > 0;
    }

    /**
     * How many of a record's keys, other than id, label and source, hold a number: a JSON number or, as a CSV cell would
     * hold it, a string of one ({"ticket_no": "1000"}: curate's output of a CSV table, whose cells it passes on as strings).
     */
    private static int numbers(JsonNode node, ColumnNames names) {
        int n = 0;
        for (var it = node.fields(); it.hasNext(); ) {
            var f = it.next();
            String key = f.getKey();
            n += isNumber(f.getValue()) && !key.equals("id") && !key.equals(names.label()) && !key.equals("source") ? 1 : 0;
        }
        return n;
    }

    private static boolean isNumber(JsonNode value) {
        return value.isNumber() || value.isTextual() && NumberCells.isNumber(value.asText().strip(), false);
    }

    private static List<Long> readShape(JsonNode node, int size, String where, RecordCollector c) {
        List<Long> shape = new ArrayList<>();
        long product = 1;
        for (JsonNode d : node) {
            shape.add(d.asLong());
            product *= d.asLong();
        }
        if (product != size) {
            c.bad(where, "shape " + shape + " holds " + product + " values but features has " + size,
                    "a shape whose product equals the feature count");
            return null;
        }
        return shape;
    }

    /** The names of dense features: as many distinct, non-empty strings as there are features, else a bad record. */
    private static List<String> readNames(JsonNode node, int size, String where, RecordCollector c) {
        List<String> names = new ArrayList<>();
        for (JsonNode n : node) {
            names.add(n.isTextual() ? n.asText() : "");
        }
        if (!node.isArray() || names.size() != size || names.contains("") || names.stream().distinct().count() != size) {
            c.bad(where, FEATURE_NAMES + " " + node, size + " distinct non-empty strings, one per feature");
            return null;
        }
        return names;
    }

    /**
     * Writes to {@code out} each line of {@code file} (one record a line) that {@code copy} keeps, as it is, but for the
     * id, label and keys {@code copy} puts in or leaves out (see {@link RecordCopy}).
     */
    static void copyRecords(Path file, RecordCopy copy, Path out) {
        AtomicFiles.write(out, o -> {
            try (Utf8Lines lines = Utf8Lines.open(file)) {
                for (Utf8Lines.Line line; (line = lines.next()) != null; ) {
                    if (line.valid() && copy.keep().test(line.number())) {
                        String record = line.text().strip();
                        String id = copy.lineIds() ? "line-" + line.number() : null;
                        if (!copy.dropped().isEmpty() || copy.labelOf() != null || !copy.rewrites().isEmpty()) {
                            record = rewritten(record, id, copy, line.number());
                        } else if (id != null) { // text put in, not the object rewritten: every other byte of the record stays
                            String rest = record.substring(1).strip();
                            record = "{\"id\":\"" + id + "\"" + (rest.startsWith("}") ? "" : ",") + rest;
                        }
                        o.write((record + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        });
    }

    /**
     * The JSON object {@code record} of line {@code line} without the keys {@code copy} drops, under {@code id} (first)
     * unless it is null, with the label {@code copy} gives it, if any, and the values it rewrites rewritten.
     */
    private static String rewritten(String record, String id, RecordCopy copy, long line) throws IOException {
        ObjectNode node = (ObjectNode) MAPPER.readTree(record);
        ObjectNode kept = MAPPER.createObjectNode();
        if (id != null) {
            kept.put("id", id);
        }
        node.fields().forEachRemaining(f -> {
            if (!copy.dropped().contains(f.getKey())) {
                var rewrite = copy.rewrites().get(f.getKey());
                kept.set(f.getKey(), rewrite != null && f.getValue().isTextual()
                        ? MAPPER.getNodeFactory().textNode(rewrite.apply(f.getValue().asText())) : f.getValue());
            }
        });
        if (copy.labelOf() != null) {
            kept.put(copy.labelColumn(), copy.labelOf().apply(line));
        }
        return MAPPER.writeValueAsString(kept);
    }

    /**
     * The records (one a line) of {@code file} on the given {@code lines}, each as its keys and values (a nested value
     * as its JSON) in the record's order, without the keys named in {@code dropped}.
     */
    static Map<Long, Map<String, String>> recordsAt(Path file, java.util.Set<Long> lines, java.util.Set<String> dropped) {
        Map<Long, Map<String, String>> records = new java.util.HashMap<>();
        try (Utf8Lines all = Utf8Lines.open(file)) {
            for (Utf8Lines.Line line; (line = all.next()) != null; ) {
                if (line.valid() && lines.contains((long) line.number())) {
                    JsonNode node = MAPPER.readTree(line.text());
                    Map<String, String> record = new java.util.LinkedHashMap<>();
                    node.fields().forEachRemaining(f -> {
                        if (!dropped.contains(f.getKey())) {
                            record.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString());
                        }
                    });
                    records.put((long) line.number(), record);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return records;
    }

    /**
     * Writes {@code data} as JSON Lines, the label and text under the keys its schema's columns name ({@code partei},
     * {@code rede} for data read with {@code --label-column partei --text-column rede}): a file written from the user's,
     * such as {@code data split}'s halves, reads as theirs did, with the same options and by a model trained on theirs.
     */
    public static void write(Dataset data, Path file) {
        ColumnNames names = data.schema().columns();
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            boolean first = true;
            for (Example e : data.examples()) {
                ObjectNode node = toJson(e, names);
                if (first && !e.isText()) {
                    node.set("shape", MAPPER.valueToTree(data.schema().featureShape()));
                    if (!data.schema().featureNames().isEmpty()) {
                        node.set(FEATURE_NAMES, MAPPER.valueToTree(data.schema().featureNames()));
                    }
                }
                first = false;
                w.write(MAPPER.writeValueAsString(node));
                w.write('\n');
            }
            w.flush();
        });
    }

    static ObjectNode toJson(Example e, ColumnNames names) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", e.id());
        if (e.isText()) {
            node.put(names.text(), e.text());
        } else {
            var arr = node.putArray("features");
            for (float v : e.features()) {
                if (Float.isNaN(v)) {
                    arr.addNull(); // a missing value, as it was read
                } else {
                    arr.add(v);
                }
            }
        }
        e.label().ifPresent(l -> node.put(names.label(), l));
        if (!e.source().isEmpty()) {
            node.put("source", e.source());
        }
        return node;
    }
}
