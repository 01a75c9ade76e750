package dev.distillery.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;

/**
 * The mean embedding of each text's ids: input the bags of {@link SparseBags} (the batch's distinct ids, int64, and
 * the sparse texts x distinct-ids weights), output (texts, dim). Only the distinct ids' rows are read; in a training
 * pass they are a copy that collects the gradient, and the training loop updates those rows alone
 * ({@link RowSparseTable}).
 */
final class HashedBagBlock extends AbstractBlock implements RowSparseTable {
    private static final byte VERSION = 1;

    private final int dim;
    private final Parameter table;
    private boolean frozen;
    private Rows pending;

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
        NDArray ids = inputs.get(0);
        NDArray bags = inputs.get(1);
        NDArray weights = ps.getValue(table, ids.getDevice(), training);
        NDArray rows = Embedding.embedding(ids, weights, SparseFormat.DENSE).singletonOrThrow(); // a copy of the rows
        rows.attach(ids.getManager()); // freed with the batch, not kept by the model's manager
        pending = null;
        if (training && !frozen) {
            rows.setRequiresGradient(true);
            pending = new Rows(table, ids, rows);
        }
        return new NDList(bags.matMul(rows));
    }

    @Override
    public Rows takeRows() {
        Rows rows = pending;
        pending = null;
        return rows;
    }

    @Override
    public void freezeTable(boolean frozen) {
        this.frozen = frozen;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        // Bags: the texts are the weights' rows; at initialization a single (texts, ...) shape.
        return new Shape[] {new Shape(inputShapes[inputShapes.length - 1].get(0), dim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks; the table's shape does not depend on the input
    }
}
