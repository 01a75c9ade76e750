package dev.distillery.data;

import java.util.Locale;
import java.util.Objects;

/**
 * Which column of a CSV file (or key of a JSONL record) holds the label and which the text: {@code label} and
 * {@code text} unless the user names others ({@code train --label-column species --text-column body}). A model keeps
 * the names it was trained with ({@link Schema#columns}), so every later file read for it (test data, {@code predict},
 * {@code eval}) reads the same columns without the options given again. Names match case-insensitively, as the
 * defaults always have.
 */
public record ColumnNames(String label, String text) {
    public static final ColumnNames DEFAULT = new ColumnNames("label", "text");

    public ColumnNames {
        label = orDefault(label, "label");
        text = orDefault(text, "text");
        if (label.equalsIgnoreCase(text)) {
            throw new IllegalArgumentException("the label and the text cannot be one column ('" + label + "')");
        }
        for (String reserved : new String[] {"id", "source", "features", "shape", "feature_names"}) {
            if (label.equalsIgnoreCase(reserved) || text.equalsIgnoreCase(reserved)) {
                throw new IllegalArgumentException("'" + reserved + "' names the records' " + reserved + ", not a label or a text column");
            }
        }
    }

    /** {@code name}, or where none is given (null or blank), the default's. */
    private static String orDefault(String name, String fallback) {
        return name == null || name.isBlank() ? fallback : name.strip();
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isDefault() {
        return equals(DEFAULT);
    }

    /** True if the header cell {@code name} is the label column. */
    public boolean isLabel(String name) {
        return matches(name, label);
    }

    /** True if the header cell {@code name} is the text column. */
    public boolean isText(String name) {
        return matches(name, text);
    }

    private static boolean matches(String header, String name) {
        return header.strip().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT));
    }

    /** For Jackson: leaves the default out of a saved schema, so models saved before columns could be named read the same. */
    public static final class IsDefault {
        @Override
        public boolean equals(Object other) {
            return other == null || DEFAULT.equals(other);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(DEFAULT);
        }
    }
}
