package dev.distillery.data;

import java.util.regex.Pattern;

/** How every reader takes a label from a cell or a JSON value, so that the same class is one label in any file. */
public final class LabelText {
    /** A whole number written with a zero fraction: "1.0", "-2.00". */
    private static final Pattern WHOLE_DECIMAL = Pattern.compile("-?\\d+\\.0+");

    private LabelText() {}

    /**
     * The label {@code cell} holds, or null for none: without the white space around it (" repaid" after a ", "), blank
     * as no label, and a whole number written as a decimal ("1.0") as the whole number ("1"). pandas writes a column of
     * whole numbers with a gap in it as decimals, so a file labeled 0 and 1 came back from a notebook labeled 0.0 and 1.0:
     * two other classes, and a model of one refused the other as unknown labels.
     */
    public static String of(String cell) {
        if (cell == null || cell.isBlank()) {
            return null;
        }
        String label = cell.strip();
        return WHOLE_DECIMAL.matcher(label).matches() ? label.substring(0, label.indexOf('.')) : label;
    }
}
