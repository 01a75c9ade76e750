package dev.distillery.curate;

import dev.distillery.data.PersonalData;
import java.util.Map;

/**
 * The curation step that replaces personal data and secrets with typed placeholders ({@code [EMAIL]}, {@code [CARD]},
 * ...) and counts each kind; what it finds, and how, is {@link PersonalData}. Besides the text, every other text field of
 * a record is redacted too ({@link #rewriteFields}), unless the step's {@code fields} option names fewer.
 */
public final class PiiRedactor implements RecordStep, java.io.Serializable {
    private static final long serialVersionUID = 2L;

    /** Names of the record fields redacted besides the text; null means every text field. */
    private final java.util.Set<String> fields;

    /** Redacts the text and every other text field of a record. */
    public PiiRedactor() {
        this(null);
    }

    /** Redacts the text and the named fields ({@code null}: every text field; empty: the text alone). */
    public PiiRedactor(java.util.Collection<String> fields) {
        this.fields = fields == null ? null : java.util.Set.copyOf(fields);
    }

    @Override
    public String name() {
        return "pii";
    }

    /**
     * Redacts the record's other text fields in place (every string value at any depth, except its id and text, which
     * the curator handles), limited to the configured field names when there are any; the counts by kind.
     */
    @Override
    public boolean rewritesFields() {
        return fields == null || !fields.isEmpty();
    }

    @Override
    public Map<String, Long> rewriteFields(com.fasterxml.jackson.databind.node.ObjectNode record) {
        Map<String, Long> changes = new java.util.LinkedHashMap<>();
        var names = new java.util.ArrayList<String>();
        record.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (name.equals("id") || name.equals("text") || (fields != null && !fields.contains(name))) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode value = record.get(name);
            com.fasterxml.jackson.databind.JsonNode redactedValue = redactNode(value, changes);
            if (redactedValue != value) {
                record.set(name, redactedValue);
            }
        }
        return changes;
    }

    private static com.fasterxml.jackson.databind.JsonNode redactNode(com.fasterxml.jackson.databind.JsonNode node, Map<String, Long> changes) {
        if (node.isTextual()) {
            PersonalData.Result r = PersonalData.redact(node.asText());
            if (r.counts().isEmpty()) {
                return node;
            }
            r.counts().forEach((kind, n) -> changes.merge(kind.name().toLowerCase(java.util.Locale.ROOT) + " redacted", (long) n, Long::sum));
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(r.text());
        }
        if (node.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) node;
            var names = new java.util.ArrayList<String>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                o.set(name, redactNode(o.get(name), changes));
            }
        } else if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode a = (com.fasterxml.jackson.databind.node.ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, redactNode(a.get(i), changes));
            }
        }
        return node;
    }

    @Override
    public Verdict check(String text) {
        PersonalData.Result r = PersonalData.redact(text);
        if (r.counts().isEmpty()) {
            return Verdict.keep(text);
        }
        Map<String, Long> changes = new java.util.LinkedHashMap<>();
        r.counts().forEach((kind, n) -> changes.put(kind.name().toLowerCase(java.util.Locale.ROOT) + " redacted", (long) n));
        return Verdict.changed(r.text(), changes);
    }
}
