package dev.distillery.curate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record being curated: its id, its text, and the JSON object it came from (so fields other
 * than the text pass through curation unchanged).
 */
public record Doc(String id, String text, ObjectNode fields) {
    public Doc withText(String newText) {
        ObjectNode copy = fields.deepCopy();
        copy.put("text", newText);
        return new Doc(id, newText, copy);
    }
}
