package dev.distillery.data;

import java.util.regex.Pattern;

/** How every reader takes a label from a cell or a JSON value, so that the same class is one label in any file. */
public final class LabelText {
    /** A whole number written with a zero fraction: "1.0", "-2.00". */
    private static final Pattern WHOLE_DECIMAL = Pattern.compile("-?\\d+\\.0+");

    private LabelText() {}

    /**
     * The label a label directory named {@code folder} gives its files, or null for a folder named as unlabeled data
     * ("unsup", as the IMDB reviews' train/unsup/ holds 50,000 reviews without a rating; "unlabeled", "unlabelled"): read
     * as a class, the files without a label would outnumber the labeled ones as a class of their own.
     */
    public static String ofFolder(String folder) {
        return UNLABELED_FOLDERS.contains(folder.toLowerCase(java.util.Locale.ROOT)) ? null : folder;
    }

    private static final java.util.Set<String> UNLABELED_FOLDERS = java.util.Set.of("unsup", "unlabeled", "unlabelled");

    /** What a reader says of the {@code count} files it read from a folder {@link #ofFolder} takes as unlabeled. */
    public static String unlabeledFolderNote(String location, String folder, int count) {
        return String.format(java.util.Locale.ROOT, "%s: %s in %s/ %s read without a label, as the folder's name says (train"
                + " learns from %s with --unlabeled rest)", location, count == 1 ? "the 1 file" : String.format(java.util.Locale.ROOT,
                "the %,d files", count), folder, count == 1 ? "is" : "are", count == 1 ? "it" : "them");
    }

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
