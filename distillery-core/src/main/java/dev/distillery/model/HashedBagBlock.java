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
 * Mean of the embeddings of the ids in each row, ignoring the padding id 0: input (batch, length)
 * int64, output (batch, dim).
 */
final class HashedBagBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int dim;
    private final Parameter table;

    HashedBagBlock(int buckets, int dim) {
        super(VERSION);
        this.dim = dim;
        // Type OTHER keeps the trainer's weight initializer off this table: fastText's small uniform
        // start (±1/dim) suits averaged bags better than Xavier over 100k+ rows.
        this.table = addParameter(Parameter.builder().setName("table").setType(Parameter.Type.OTHER)
                .optShape(new Shape(buckets, dim)).optInitializer(new UniformInitializer(1f / dim)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        NDArray weights = ps.getValue(table, ids.getDevice(), training);
        NDArray vectors = Embedding.embedding(ids, weights, SparseFormat.DENSE).singletonOrThrow();
        NDArray mask = ids.neq(0).toType(DataType.FLOAT32, false).expandDims(2);
        NDArray sum = vectors.mul(mask).sum(new int[] {1});
        NDArray count = mask.sum(new int[] {1}).maximum(1f);
        return new NDList(sum.div(count));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), dim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks; the table's shape does not depend on the input
    }
}
