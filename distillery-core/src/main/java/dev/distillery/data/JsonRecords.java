package dev.distillery.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A JSON Lines file that holds a table as records, a key per column (pandas' {@code to_json(orient="records",
 * lines=True)}, Spark's {@code df.write.json}, a database's export), as the rows of a CSV file: so it is read by the same
 * rules ({@link CsvFormat}: categories, missing values, dates, identifiers, personal data, columns by name for a model).
 * The columns are the keys of all records, in the order first seen (Spark leaves out a null value's key, so the first
 * record need not have them all); a key a record lacks, or a {@code null}, is a missing value. A nested object is read
 * as columns named by their path, {@code customer.age}, as pandas' {@code json_normalize} names them (an API's or a
 * document store's export nests them). A line that is not a JSON object of numbers, strings, booleans, nulls and such
 * objects is a bad record.
 */
public final class JsonRecords implements CsvFormat.Table {
    private final Path file;
    /** Every key, in the order first seen, with the line of the record it was first seen on. */
    private final Map<String, Integer> columns = new LinkedHashMap<>();

    private JsonRecords(Path file) {
        this.file = file;
        JsonObjects.each(file, (node, line) -> flat(node).fieldNames().forEachRemaining(key -> columns.putIfAbsent(key, line)),
                (line, problem, expected) -> { });
    }

    /** The file's records as a table's rows, whatever they hold: one column per key of any record. */
    static JsonRecords all(Path file) {
        return new JsonRecords(file);
    }

    /**
     * The file's records as a table, if its first record is one: no text and no {@code features}, but a column per key,
     * numbers among them ({@link JsonlFormat#isTableRecord}), or a key naming an image file ({@link ImageManifest}:
     * {@code {"image": "images/a.png", "label": "cat"}}); else null.
     */
    static JsonRecords ifTable(Path file, ColumnNames names) {
        JsonNode first = JsonObjects.first(file);
        return first != null && (JsonlFormat.isTableRecord(flat(first), names) || namesAnImage(first, names)) ? new JsonRecords(file)
                : null;
    }

    /** Whether {@code record} has no text but a string that names an image file under a key other than the label's. */
    private static boolean namesAnImage(JsonNode record, ColumnNames names) {
        if (!record.isObject() || record.has(names.text())) {
            return false;
        }
        java.util.Iterator<java.util.Map.Entry<String, JsonNode>> fields = record.fields();
        while (fields.hasNext()) {
            java.util.Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isTextual() && !names.isLabel(f.getKey()) && ImageFolderFormat.isImageName(f.getValue().asText().strip())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public boolean decimalComma() {
        return false; // JSON numbers have a decimal point; a string with a comma is read as a CSV cell of a comma-separated file
    }

    @Override
    public void stream(Consumer<CsvFormat.BadRow> bad, Consumer<CsvFormat.Row> rows) {
        String[] header = columns.keySet().toArray(String[]::new);
        rows.accept(new CsvFormat.Row(header.clone(), columns.isEmpty() ? 1 : columns.values().iterator().next()));
        JsonObjects.each(file, (record, line) -> {
            JsonNode node = flat(record);
            String[] cells = new String[header.length];
            for (int i = 0; i < header.length; i++) {
                JsonNode value = node.get(header[i]);
                if (value != null && value.isContainerNode()) {
                    bad.accept(new CsvFormat.BadRow(line, "'" + header[i] + "' is an " + value.getNodeType().toString().toLowerCase(
                            java.util.Locale.ROOT), "a number, a string, true, false or null: a table's cell"));
                    return;
                }
                cells[i] = value == null || value.isNull() || isNaN(value) ? "" : value.asText();
            }
            rows.accept(new CsvFormat.Row(cells, line));
        }, (line, problem, expected) -> bad.accept(new CsvFormat.BadRow(line, problem, expected)));
    }

    /** Whether {@code value} is NaN, which Python's json module writes for a missing number (pandas' NaN): no value. */
    static boolean isNaN(JsonNode value) {
        return value.isNumber() && Double.isNaN(value.asDouble());
    }

    /**
     * {@code node} with its nested objects' values as keys of their path ({@code {"customer": {"age": 30}}} as
     * {@code {"customer.age": 30}}); itself when it has none. Arrays stay as they are (a bad record where a cell is read).
     */
    public static JsonNode flat(JsonNode node) {
        boolean nested = false;
        for (var it = node.elements(); it.hasNext() && !nested; ) {
            nested = it.next().isObject(); // a nested object, or a MongoDB type's wrapper
        }
        if (!nested) {
            return node;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, com.fasterxml.jackson.databind.node.ObjectNode out) {
        node.fields().forEachRemaining(f -> {
            JsonNode value = typed(f.getValue());
            if (value.isObject()) {
                flatten(prefix + f.getKey() + ".", value, out);
            } else {
                out.set(prefix + f.getKey(), value);
            }
        });
    }

    /**
     * The value a MongoDB Extended JSON wrapper holds, as {@code mongoexport} writes one ({@code {"$oid": "65a1..."}},
     * {@code {"$date": "2024-01-01T10:00:00Z"}}, {@code {"$numberLong": "1000"}}, and canonical mode's {@code {"$date":
     * {"$numberLong": "1704103200000"}}}): as a cell, read as such a cell is, so "_id" is the record's identifier and
     * "income" a number, not "_id.$oid", a category of a value a row, and "income.$numberLong"; anything else as it is.
     */
    private static JsonNode typed(JsonNode value) {
        while (value.isObject() && value.size() == 1 && MONGO_TYPES.contains(value.fieldNames().next())) {
            value = value.elements().next();
        }
        return value;
    }

    private static final java.util.Set<String> MONGO_TYPES = java.util.Set.of("$oid", "$date", "$numberInt", "$numberLong",
            "$numberDouble", "$numberDecimal", "$uuid");
}
