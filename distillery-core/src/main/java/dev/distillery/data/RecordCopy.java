package dev.distillery.data;

import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

/**
 * What {@link DataFiles#copyRecords} writes of a CSV, TSV or JSON Lines file: the records whose first line {@code keep}
 * accepts, as the file holds them but for the columns (or keys) named in {@code dropped}; with {@code lineIds} each
 * under the id it was read with, {@code line-N} of its line, put first (a record without an id of its own would
 * otherwise be read from the copy under its line there, and lose its way back); with {@code labelOf} (null: the labels
 * as they are) each with the label it gives the record's line, in the column {@code labelColumn} (added where the file
 * has none); with {@code rewrites}, the values of the columns (or keys) it names as its functions make them.
 */
public record RecordCopy(LongPredicate keep, boolean lineIds, Set<String> dropped, String labelColumn, LongFunction<String> labelOf,
        java.util.Map<String, java.util.function.UnaryOperator<String>> rewrites) {
    /** The records {@code keep} accepts, their labels as they are. */
    public static RecordCopy of(LongPredicate keep, boolean lineIds, Set<String> dropped) {
        return new RecordCopy(keep, lineIds, dropped, null, null, java.util.Map.of());
    }

    /** The records {@code keep} accepts, each with the label {@code labelOf} gives its line, in {@code labelColumn}. */
    public static RecordCopy labeled(LongPredicate keep, boolean lineIds, Set<String> dropped, String labelColumn,
            LongFunction<String> labelOf) {
        return new RecordCopy(keep, lineIds, dropped, labelColumn, labelOf, java.util.Map.of());
    }

    /**
     * This copy with the values of {@code column} written as {@code rewrite} makes them: an image manifest's file names,
     * relative to the folder the copy is written to, so that the copy names the same images.
     */
    public RecordCopy withRewrite(String column, java.util.function.UnaryOperator<String> rewrite) {
        java.util.Map<String, java.util.function.UnaryOperator<String>> all = new java.util.HashMap<>(rewrites);
        all.put(column, rewrite);
        return new RecordCopy(keep, lineIds, dropped, labelColumn, labelOf, java.util.Map.copyOf(all));
    }
}
