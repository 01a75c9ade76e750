package dev.distillery.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * A block that reads a few rows of a large table per example and is trained only in the rows a step read (the hashed
 * n-gram embeddings of {@link NgramBagSpec}: 131,072 rows, of which a batch of 128 SpamAssassin messages reads
 * about 19,000).
 * Back-propagating into the whole table and letting Adam move every row each step cost more than the rest of the
 * step, so the table is outside DJL's gradient bookkeeping ({@code requiresGrad} false) and the training loop hands the
 * rows a step read, with their gradient, to the optimizer's lazy update.
 */
public interface RowSparseTable {
    /**
     * Rows of {@code table}: {@code ids} (distinct), their {@code values} as the step read them and their
     * {@code gradients}, each {@code ids.length} x the row width, one row after another, at the start of arrays that
     * may be longer (buffers reused from step to step: read only the first {@code ids.length} rows).
     */
    record Rows(Parameter table, int[] ids, float[] values, float[] gradients) {}

    /**
     * The rows the last training forward pass read, with their gradients (call it after backward), or null when none
     * (or the table is frozen); forgets them.
     */
    Rows takeRows();

    /** Stops ({@code true}) or resumes training the table: a frozen table's rows are never handed out. */
    void freezeTable(boolean frozen);

    /** The row-trained tables in {@code block} and its descendants, in block order. */
    static List<RowSparseTable> within(Block block) {
        List<RowSparseTable> out = new ArrayList<>();
        if (block instanceof RowSparseTable table) {
            out.add(table);
        }
        for (Block child : block.getChildren().values()) {
            out.addAll(within(child));
        }
        return out;
    }
}
