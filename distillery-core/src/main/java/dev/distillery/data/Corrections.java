package dev.distillery.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Label corrections from a review of likely label errors ({@code label issues}, the dashboard's review page): one JSON
 * object a line, {@code {"id": ..., "action": "relabel", "label": ...}}, {@code "keep"} (the given label was right) or
 * {@code "remove"} (the record is not fit to train on). {@link #apply} changes a data set accordingly and counts what it
 * did, so nothing changes or disappears silently.
 */
public record Corrections(Path file, Map<String, Correction> byId) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One decision about one record. */
    public record Correction(String id, Action action, String label) {}

    public enum Action {
        RELABEL, KEEP, REMOVE
    }

    /** What applying the corrections did. */
    public record Applied(Dataset data, int relabeled, int kept, int removed) {
        public String describe() {
            return String.format("corrections: %,d relabeled, %,d removed, %,d confirmed as given", relabeled, removed, kept);
        }
    }

    /** Reads {@code file}; a bad line is an error naming the file and line. A later line for the same id wins. */
    public static Corrections read(Path file) {
        Map<String, Correction> byId = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            throw DataFormatException.notFound(file, "a corrections file (JSON lines with id, action, label)");
        }
        List<String> lines = Utf8Lines.readAll(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                throw new DataFormatException(where, "not valid JSON", "{\"id\": ..., \"action\": \"relabel\"|\"keep\"|\"remove\", \"label\": ...}");
            }
            if (n == null || !n.path("id").isTextual() || !n.path("action").isTextual()) {
                throw new DataFormatException(where, "no id or action", "{\"id\": ..., \"action\": \"relabel\"|\"keep\"|\"remove\"}");
            }
            Action action;
            try {
                action = Action.valueOf(n.get("action").asText().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new DataFormatException(where, "unknown action '" + n.get("action").asText() + "'", "relabel, keep or remove");
            }
            // A label as the data files hold it: a string or a number (a class 1 of labels 0 and 1), read by their rule.
            String label = n.path("label").isTextual() || n.path("label").isNumber() ? LabelText.of(n.get("label").asText()) : null;
            if (action == Action.RELABEL && label == null) {
                throw new DataFormatException(where, "relabel without a label", "\"label\": the new label");
            }
            String id = n.get("id").asText();
            byId.put(id, new Correction(id, action, action == Action.RELABEL ? label : null));
        }
        return new Corrections(file, byId);
    }

    /**
     * {@code data} with the corrections applied. A correction naming a record the data does not have, or a label outside
     * its label set, is an error: the file was made for other data.
     */
    public Applied apply(Dataset data) {
        Map<String, Correction> pending = new LinkedHashMap<>(byId);
        List<Example> out = new ArrayList<>(data.size());
        int relabeled = 0;
        int kept = 0;
        int removed = 0;
        for (Example e : data.examples()) {
            Correction c = pending.remove(e.id());
            if (c == null) {
                out.add(e);
            } else if (c.action() == Action.REMOVE) {
                removed++;
            } else if (c.action() == Action.KEEP) {
                kept++;
                out.add(e);
            } else {
                if (!data.schema().labels().contains(c.label())) {
                    throw new DataFormatException(file.toString(), "label '" + c.label() + "' for " + c.id() + " is not one of the data's labels",
                            "one of " + data.schema().labels());
                }
                relabeled += c.label().equals(e.label().orElse(null)) ? 0 : 1;
                out.add(e.withLabel(c.label()));
            }
        }
        if (!pending.isEmpty()) {
            throw new DataFormatException(file.toString(), pending.size() + " corrections name records " + data.name() + " does not have (first: "
                    + pending.keySet().iterator().next() + ")", "ids of the training data's records");
        }
        return new Applied(data.subset(data.name() + " (corrected)", out), relabeled, kept, removed);
    }
}
