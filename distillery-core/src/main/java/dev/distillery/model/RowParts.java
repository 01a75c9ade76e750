package dev.distillery.model;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The row work of a {@link RowSparseTable} (copying a step's rows out of the table, their means, their gradients and
 * the optimizer's update) split into a fixed number of parts over the rows, run on the calling thread and the common
 * fork-join pool: {@code DISTILLERY_THREADS} threads in all. The number of parts is fixed, not taken from the thread
 * count, and where parts add into the same numbers (the texts' means) each part adds into its own buffer and the
 * buffers are summed in part order: the same numbers, bit for bit, on one thread or many.
 *
 * <p>Why: on SpamAssassin (128 messages a step, about 19,000 distinct rows of 32 floats) the row work is four-fifths
 * of a training step, and it ran on one core while the second waited.
 */
public final class RowParts {
    /** Parts per step: enough for a few cores to share, few enough that the texts' partial means stay cheap to sum. */
    public static final int COUNT = 4;
    /** Below this many floats to add or update a step runs its parts one after another: a parallel start costs more. */
    private static final long PARALLEL_MIN_FLOATS = 1 << 18;

    private RowParts() {}

    /** Runs {@code part} for parts {@code 0 .. COUNT - 1}: side by side when {@code parallel}, else in order. */
    public static void run(boolean parallel, IntConsumer part) {
        if (parallel) {
            IntStream.range(0, COUNT).parallel().forEach(part);
        } else {
            for (int p = 0; p < COUNT; p++) {
                part.accept(p);
            }
        }
    }

    /** Whether work over {@code floats} floats is worth running in parallel (a single text's bag is not). */
    public static boolean worthParallel(long floats) {
        return floats >= PARALLEL_MIN_FLOATS;
    }

    /** The first of {@code n} equal items that part {@code part} holds ({@code part == COUNT}: {@code n}). */
    public static int start(int n, int part) {
        return (int) ((long) n * part / COUNT);
    }
}
