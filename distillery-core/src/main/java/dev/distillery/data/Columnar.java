package dev.distillery.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A table held in one JSON object by its columns, as pandas writes a data frame: {@code to_json()}'s default
 * ({@code orient="columns"}: {@code {"age": {"0": 30, "1": 41}, "label": {"0": "a", "1": "b"}}}), {@code orient="index"}
 * ({@code {"0": {"age": 30, "label": "a"}, ...}}), {@code orient="split"} ({@code {"columns": [...], "index": [...],
 * "data": [[...], ...]}}) and {@code to_dict("list")} ({@code {"age": [30, 41], "label": ["a", "b"]}}). Read as one
 * record, such a file was one example of a column per cell ("age.0", "age.1", ...); its rows are its records, each with
 * its index label as its id where it has no id of its own.
 */
final class Columnar {
    private Columnar() {}

    /** Whether {@code node} is a table in one of the layouts above. */
    static boolean isTable(JsonNode node) {
        return isSplit(node) || isListsOfCells(node) || isObjectsOfCells(node);
    }

    /** The rows of the table {@code node} holds ({@link #isTable}), each a record of its columns. */
    static List<JsonNode> records(JsonNode node) {
        List<JsonNode> rows = new ArrayList<>();
        if (isSplit(node)) {
            JsonNode columns = node.get("columns");
            JsonNode index = node.get("index");
            JsonNode data = node.get("data");
            for (int r = 0; r < data.size(); r++) {
                ObjectNode row = JsonNodeFactory.instance.objectNode();
                for (int c = 0; c < columns.size(); c++) {
                    row.set(columns.get(c).asText(), data.get(r).get(c));
                }
                withId(row, index != null && index.isArray() && r < index.size() ? index.get(r).asText() : null);
                rows.add(row);
            }
        } else if (isListsOfCells(node)) {
            int n = node.elements().next().size();
            for (int r = 0; r < n; r++) {
                ObjectNode row = JsonNodeFactory.instance.objectNode();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> column = it.next();
                    row.set(column.getKey(), column.getValue().get(r));
                }
                rows.add(row);
            }
        } else if (byIndex(node)) { // {"0": {"age": 30, ...}, ...}: the rows themselves, under their index labels
            node.fields().forEachRemaining(f -> rows.add(withId(f.getValue().deepCopy(), f.getKey())));
        } else { // {"age": {"0": 30, ...}, ...}: the columns, each by index label
            for (String label : keys(node.elements().next())) {
                ObjectNode row = JsonNodeFactory.instance.objectNode();
                node.fields().forEachRemaining(column -> row.set(column.getKey(), column.getValue().get(label)));
                rows.add(withId(row, label));
            }
        }
        return rows;
    }

    /** {@code row} with {@code id} under "id" where it has none. */
    private static ObjectNode withId(ObjectNode row, String id) {
        if (id != null && !row.has("id")) {
            ObjectNode first = JsonNodeFactory.instance.objectNode();
            first.put("id", id);
            first.setAll(row);
            row.removeAll();
            row.setAll(first);
        }
        return row;
    }

    /** pandas' "split": columns (strings), data (rows of as many cells), optionally index. */
    private static boolean isSplit(JsonNode node) {
        JsonNode columns = node.get("columns");
        JsonNode data = node.get("data");
        if (!node.isObject() || columns == null || !columns.isArray() || data == null || !data.isArray() || columns.isEmpty()) {
            return false;
        }
        for (JsonNode c : columns) {
            if (!c.isTextual()) {
                return false;
            }
        }
        for (JsonNode row : data) {
            if (!row.isArray() || row.size() != columns.size() || !allCells(row)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Two or more keys, each a list of cells, all lists of one length (at least one): a dict of lists; not a record of
     * "features" (with "feature_names" or "shape", lists too).
     */
    private static boolean isListsOfCells(JsonNode node) {
        if (!node.isObject() || node.size() < 2 || node.has("features")) { // a record of features and their names is one record
            return false;
        }
        int n = -1;
        for (JsonNode column : node) {
            if (!column.isArray() || column.isEmpty() || n >= 0 && column.size() != n || !allCells(column)) {
                return false;
            }
            n = column.size();
        }
        return true;
    }

    /** Two or more keys, each an object of cells, all with the same keys (at least one): columns by index, or rows by index. */
    private static boolean isObjectsOfCells(JsonNode node) {
        if (!node.isObject() || node.size() < 2) {
            return false;
        }
        Set<String> keys = null;
        for (JsonNode inner : node) {
            if (!inner.isObject() || inner.isEmpty() || !allCells(inner)) {
                return false;
            }
            Set<String> these = keys(inner);
            if (keys != null && !keys.equals(these)) {
                return false;
            }
            keys = these;
        }
        return true;
    }

    /**
     * Whether an object of objects holds rows under their index labels (pandas' "index"), not columns (its default
     * "columns"): its outer keys are the running numbers an index holds and its inner keys are not.
     */
    private static boolean byIndex(JsonNode node) {
        return isRunningNumbers(keys(node)) && !isRunningNumbers(keys(node.elements().next()));
    }

    private static boolean isRunningNumbers(Set<String> keys) {
        return keys.stream().allMatch(k -> k.matches("-?\\d+"));
    }

    private static boolean allCells(JsonNode container) {
        for (JsonNode v : container) {
            if (v.isContainerNode()) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> keys(JsonNode object) {
        Set<String> keys = new LinkedHashSet<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }
}
