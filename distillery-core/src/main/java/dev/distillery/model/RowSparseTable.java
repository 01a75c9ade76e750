package dev.distillery.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * A block that reads a few rows of a large table per example and is trained only in the rows a step read (the hashed
 * n-gram embeddings of {@link NgramBagSpec}: 131,072 rows, of which a batch of 128 messages reads a few thousand).
 * Back-propagating into the whole table and letting Adam move every row each step cost more than the rest of the
 * step, so the table is outside DJL's gradient bookkeeping ({@code requiresGrad} false) and the training loop hands the
 * rows a step read, with their gradient, to the optimizer's lazy update.
 */
public interface RowSparseTable {
    /**
     * Rows of {@code table}: {@code ids} (int64, distinct) and {@code values} (their gathered copy, which carries the
     * gradient after backward).
     */
    record Rows(Parameter table, NDArray ids, NDArray values) {}

    /** The rows the last training forward pass read, or null when none (or the table is frozen); forgets them. */
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
