package dev.distillery.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The mean embedding of each text's ids: input the bags of {@link TextBags} (each text's ids and where they start),
 * output (texts, dim). The batch's distinct rows are copied straight from the table's memory ({@link TensorMemory})
 * and averaged in Java: a batch of 128 SpamAssassin messages holds about 64,000 ids on about 19,000 distinct rows of
 * 32 floats, where the engine's gather, sparse product and scatter kernels cost more in calls and in fetching rows
 * from memory than in arithmetic. Both passes over the rows run in {@link RowParts}, on all the process's threads.
 * In a training pass the means are a leaf that collects the gradient;
 * {@link #takeRows} turns it into the gradient of each row read, which the training loop hands to the optimizer's
 * update of those rows alone ({@link RowSparseTable}).
 */
final class HashedBagBlock extends AbstractBlock implements RowSparseTable, QuantizedWeights.Tables {
    private static final byte VERSION = 1;

    private final int dim;
    private final Parameter table;
    private boolean frozen;
    /** The last training pass, until its rows are taken. */
    private Pass pending;
    /**
     * The row values and gradients of training passes, reused from step to step (grown, never shrunk): on SpamAssassin
     * they are 5 of the 7.5 MB a step allocated, and that garbage brought a young collection (18-80 ms) every one or
     * two epochs. One training step runs at a time; inference passes allocate their own.
     */
    private float[] trainingValues = new float[0];
    private float[] trainingGradients = new float[0];

    /** One training batch: the rows it read and their values, and the means it produced. */
    private record Pass(Bags bags, float[] values, NDArray means) {}

    HashedBagBlock(int buckets, int dim) {
        super(VERSION);
        this.dim = dim;
        // Type OTHER keeps the trainer's weight initializer off this table: fastText's small uniform
        // start (±1/dim) suits averaged bags better than Xavier over 100k+ rows. No gradient: see RowSparseTable.
        this.table = addParameter(Parameter.builder().setName("table").setType(Parameter.Type.OTHER).optRequiresGrad(false)
                .optShape(new Shape(buckets, dim)).optInitializer(new UniformInitializer(1f / dim)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray weights = ps.getValue(table, inputs.get(0).getDevice(), training);
        Bags bags = Bags.of(inputs.get(0).toIntArray(), inputs.get(1).toIntArray(), Math.toIntExact(weights.getShape().get(0)));
        boolean keep = training && !frozen;
        int size = bags.rows().length * dim;
        if (keep && trainingValues.length < size) {
            trainingValues = new float[size + size / 4];
        }
        float[] values = keep ? trainingValues : new float[size];
        FloatBuffer memory = TensorMemory.floats(weights);
        int[] parts = bags.parts();
        float[][] sums = new float[RowParts.COUNT][];
        RowParts.run(bags.parallel(dim), p -> {
            FloatBuffer rows = memory.duplicate();
            for (int r = parts[p]; r < parts[p + 1]; r++) {
                rows.get(bags.rows()[r] * dim, values, r * dim, dim);
            }
            sums[p] = new float[bags.texts() * dim];
            bags.spread(values, sums[p], dim, parts[p], parts[p + 1]);
        });
        float[] means = sums[0];
        for (int p = 1; p < sums.length; p++) { // in part order, whichever thread finished first
            for (int i = 0; i < means.length; i++) {
                means[i] += sums[p][i];
            }
        }
        NDArray out = inputs.get(0).getManager().create(means, new Shape(bags.texts(), dim));
        if (training) {
            pending = null;
            if (keep) {
                out.setRequiresGradient(true);
                pending = new Pass(bags, values, out);
            }
        }
        return new NDList(out);
    }

    /** The rows the last training pass read, with their gradient from the means' gradient (after backward). */
    @Override
    public Rows takeRows() {
        Pass pass = pending;
        pending = null;
        if (pass == null) {
            return null;
        }
        Bags bags = pass.bags();
        if (trainingGradients.length < pass.values().length) {
            trainingGradients = new float[pass.values().length];
        }
        float[] gradients = trainingGradients;
        float[] textGradients = pass.means().getGradient().toFloatArray();
        int[] parts = bags.parts();
        RowParts.run(bags.parallel(dim), p -> {
            Arrays.fill(gradients, parts[p] * dim, parts[p + 1] * dim, 0f); // the last step's, where this part adds
            bags.collect(textGradients, gradients, dim, parts[p], parts[p + 1]);
        });
        return new Rows(table, bags.rows(), pass.values(), gradients);
    }

    /**
     * A batch's bags as the rows they read: the distinct ids in ascending order and, row by row, the texts holding each
     * (a text once per time it holds the id; row r's from {@code start[r]} to {@code start[r + 1]}, exclusive), with
     * each text's weight 1/n for its n ids. Both passes (row values into text means, text gradients into row
     * gradients) then walk the rows front to back and touch the texts, a few kilobytes, in any order; grouped by text,
     * every id was a jump to a far row, and a pass took about 40% longer. The rows are ascending so that they are read
     * (and the optimizer later writes them) front to back through the table's memory, which the prefetcher follows.
     */
    record Bags(int[] rows, int[] start, int[] textOf, float[] weights) {
        static Bags of(int[] ids, int[] offsets, int buckets) {
            int texts = offsets.length - 1;
            int entries = offsets[texts];
            long[] present = new long[(buckets + 63) >>> 6];
            for (int e = 0; e < entries; e++) {
                present[ids[e] >>> 6] |= 1L << ids[e]; // Java shifts a long by the low six bits only
            }
            int[] before = new int[present.length]; // distinct ids in the words before each word
            int count = 0;
            for (int w = 0; w < present.length; w++) {
                before[w] = count;
                count += Long.bitCount(present[w]);
            }
            int[] rows = new int[count];
            int found = 0;
            for (int w = 0; w < present.length; w++) {
                for (long bits = present[w]; bits != 0; bits &= bits - 1) {
                    rows[found++] = (w << 6) + Long.numberOfTrailingZeros(bits);
                }
            }
            // Each entry's row is its id's rank among the distinct ids; a counting sort by row then lists each row's texts.
            int[] place = new int[entries];
            int[] start = new int[count + 1];
            for (int e = 0; e < entries; e++) {
                int id = ids[e];
                place[e] = before[id >>> 6] + Long.bitCount(present[id >>> 6] & ((1L << id) - 1));
                start[place[e] + 1]++;
            }
            for (int r = 0; r < count; r++) {
                start[r + 1] += start[r];
            }
            // Each row's texts, in text order (a text holding the row's id k times appears k times).
            int[] next = Arrays.copyOf(start, count);
            int[] textOf = new int[entries];
            float[] weights = new float[texts];
            for (int t = 0; t < texts; t++) {
                weights[t] = 1f / Math.max(1, offsets[t + 1] - offsets[t]);
                for (int e = offsets[t]; e < offsets[t + 1]; e++) {
                    textOf[next[place[e]]++] = t;
                }
            }
            return new Bags(rows, start, textOf, weights);
        }

        int texts() {
            return weights.length;
        }

        /**
         * Where each of the {@link RowParts} begins in {@link #rows} ({@code COUNT + 1} entries, the last the end): the
         * parts hold about equal numbers of (row, text) pairs, the work of both passes.
         */
        int[] parts() {
            int[] bounds = new int[RowParts.COUNT + 1];
            for (int p = 1; p < RowParts.COUNT; p++) {
                int at = Arrays.binarySearch(start, 0, rows.length + 1, RowParts.start(start[rows.length], p));
                bounds[p] = at >= 0 ? at : -at - 1; // start ascends, so the bounds do too
            }
            bounds[RowParts.COUNT] = rows.length;
            return bounds;
        }

        /** Whether the passes over rows of {@code dim} floats are worth running in parallel. */
        boolean parallel(int dim) {
            return RowParts.worthParallel((long) start[rows.length] * dim);
        }

        /** Adds rows {@code from}..{@code to}'s {@code values} to the {@code sums} of the texts holding them, weighted. */
        void spread(float[] values, float[] sums, int dim, int from, int to) {
            addPairs(values, sums, dim, true, from, to);
        }

        /** The transpose of {@link #spread}: adds to rows {@code from}..{@code to}'s {@code sums} the texts' values. */
        void collect(float[] values, float[] sums, int dim, int from, int to) {
            addPairs(values, sums, dim, false, from, to);
        }

        /** For each (row, text) pair of rows {@code r0}..{@code r1}, weighted by the text's weight: row into text, or back. */
        private void addPairs(float[] from, float[] into, int dim, boolean rowToText, int r0, int r1) {
            for (int r = r0; r < r1; r++) {
                for (int k = start[r]; k < start[r + 1]; k++) {
                    int t = textOf[k];
                    float weight = weights[t];
                    int in = (rowToText ? r : t) * dim;
                    int out = (rowToText ? t : r) * dim;
                    for (int j = 0; j < dim; j++) {
                        into[out + j] += weight * from[in + j];
                    }
                }
            }
        }
    }

    /** The table row by row: each embedding its own scale, as row-wise quantized embeddings are stored. */
    @Override
    public java.util.Map<Parameter, QuantizedWeights.Axis> quantizedTables() {
        return java.util.Map.of(table, QuantizedWeights.Axis.ROWS);
    }

    @Override
    public void freezeTable(boolean frozen) {
        this.frozen = frozen;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        // Bags: one offset per text and one for the end; at initialization a single (texts, ...) shape.
        long texts = inputShapes.length == 2 ? inputShapes[1].get(0) - 1 : inputShapes[0].get(0);
        return new Shape[] {new Shape(texts, dim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks; the table's shape does not depend on the input
    }
}
