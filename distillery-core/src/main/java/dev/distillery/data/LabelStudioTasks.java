package dev.distillery.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Label Studio's JSON export: tasks of {@code {"id", "data": {"text": ...}, "annotations": [{"result": [{"value":
 * {"choices": [...]}}]}]}}. A team that labeled its texts there brings the export to {@code train} as it is; each task is
 * read as the record it stands for: its text from {@code data}, its label from its first annotation's first choice (a
 * cancelled annotation passed over; none: unlabeled), its id the {@code ref_id} a Distillery batch gave it, else the
 * task's own.
 */
public final class LabelStudioTasks {
    private LabelStudioTasks() {}

    /** Whether {@code node} is a Label Studio task: an object with a {@code data} object and annotations or predictions. */
    static boolean isTask(JsonNode node) {
        return node.isObject() && node.path("data").isObject() && (node.has("annotations") || node.has("predictions"));
    }

    /** The label of {@code task}: the first choice of its first annotation not cancelled, or null for none. */
    public static String choice(JsonNode task) {
        for (JsonNode annotation : task.path("annotations")) {
            if (annotation.path("was_cancelled").asBoolean(false)) {
                continue;
            }
            for (JsonNode result : annotation.path("result")) {
                JsonNode choices = result.path("value").path("choices");
                if (choices.isArray() && !choices.isEmpty()) {
                    return choices.get(0).asText();
                }
            }
        }
        return null;
    }

    /**
     * {@code task} as the record it stands for, its text and label under the keys {@code names} gives; or a problem, for a
     * task whose data holds no text (an image task: Label Studio serves its image, which is not read here) or several
     * strings none of which is named as the text.
     */
    static Record asRecord(JsonNode task, ColumnNames names) {
        JsonNode data = task.get("data");
        JsonNode text = data.get(names.text());
        if (text == null || !text.isTextual()) {
            List<String> strings = new ArrayList<>();
            data.fields().forEachRemaining(f -> {
                if (f.getValue().isTextual() && !f.getKey().equals("ref_id")) {
                    strings.add(f.getKey());
                }
            });
            if (data.has("image") || strings.isEmpty()) {
                return new Record(null, "a Label Studio task without a text (" + (data.has("image") ? "an image task: its image is"
                        + " a link Label Studio serves" : "its data holds no string") + ")", "a text task's export; for images, the"
                        + " photos themselves in label folders, or a CSV of image,label beside them");
            }
            if (strings.size() > 1) {
                return new Record(null, "a Label Studio task whose data holds several strings (" + String.join(", ", strings)
                        + ")", "the text named with --text-column");
            }
            text = data.get(strings.get(0));
        }
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        JsonNode refId = data.get("ref_id");
        JsonNode id = refId != null && refId.isValueNode() ? refId : task.get("id");
        if (id != null && id.isValueNode()) {
            record.put("id", id.asText());
        }
        record.set(names.text(), text);
        String label = choice(task);
        if (label != null) {
            record.put(names.label(), label);
        }
        return new Record(record, null, null);
    }

    /** A task read: the record it stands for, or what is wrong with it and what was expected. */
    record Record(ObjectNode record, String problem, String expected) {}
}
