package dev.distillery.cli;

import dev.distillery.data.ColumnNames;
import picocli.CommandLine.Option;

/** Which column of a CSV file (or key of a JSONL record) holds the label and which the text, for commands that read data. */
final class ColumnOptions {
    @Option(names = "--label-column", paramLabel = "NAME",
            description = "The column (CSV) or key (JSONL) that holds the labels, e.g. species or target. Default: label (for a"
                    + " saved model: the one it was trained with).")
    String label;

    @Option(names = "--text-column", paramLabel = "NAME",
            description = "The column or key that holds the text to classify, e.g. body or review. Default: text (for a saved"
                    + " model: the one it was trained with; for train, label issues, label next and label simulate with their"
                    + " default model,"
                    + " on a table with columns of free text beside others: the one on which the linear model cross-validates"
                    + " best (label next: on its answers), where that beats the table's columns; for a table whose one column"
                    + " beside its id and labels holds words, not numbers: that column).")
    String text;

    ColumnNames names() {
        return new ColumnNames(label, text);
    }

    /**
     * The options that name {@code names}' columns where they are not the defaults (" --label-column class"), for a
     * command the user is told to run next, which must read the labels where they are.
     */
    static String asOptions(ColumnNames names) {
        return (names.label().equalsIgnoreCase(ColumnNames.DEFAULT.label()) ? "" : " --label-column " + shellWord(names.label()))
                + (names.text().equalsIgnoreCase(ColumnNames.DEFAULT.text()) ? "" : " --text-column " + shellWord(names.text()));
    }

    /** {@code word} as a shell reads it back: in single quotes where it holds anything but plain name characters. */
    private static String shellWord(String word) {
        return word.matches("[A-Za-z0-9_.,:/=+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** {@code catalog} reading the columns named here; for a saved model, its own where one is not named. */
    dev.distillery.data.sources.DataCatalog applyTo(dev.distillery.data.sources.DataCatalog catalog) {
        return catalog.withColumns(label, text);
    }
}
