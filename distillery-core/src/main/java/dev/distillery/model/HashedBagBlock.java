package dev.distillery.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
 * int64, output (batch, dim). The input may also come in length-sorted chunks ({@link NgramFeaturizer#batch}): each
 * chunk a (rows, its own length) tensor, then the position of every example of the batch in the chunks' order; the
 * output is then gathered back into the batch's order, so the rest of the network sees the same batch.
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
        if (inputs.size() == 1) {
            return new NDList(bag(ps, inputs.head(), training));
        }
        NDList bags = new NDList(inputs.size() - 1);
        for (int i = 0; i < inputs.size() - 1; i++) {
            bags.add(bag(ps, inputs.get(i), training));
        }
        NDArray positions = inputs.get(inputs.size() - 1);
        return new NDList(NDArrays.concat(bags, 0).get(new NDIndex("{}", positions)));
    }

    private NDArray bag(ParameterStore ps, NDArray ids, boolean training) {
        NDArray weights = ps.getValue(table, ids.getDevice(), training);
        NDArray vectors = Embedding.embedding(ids, weights, SparseFormat.DENSE).singletonOrThrow();
        NDArray mask = ids.neq(0).toType(DataType.FLOAT32, false).expandDims(2);
        NDArray sum = vectors.mul(mask).sum(new int[] {1});
        NDArray count = mask.sum(new int[] {1}).maximum(1f);
        return sum.div(count);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        // One tensor: its rows; chunks: the positions, one per example.
        return new Shape[] {new Shape(inputShapes[inputShapes.length - 1].get(0), dim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks; the table's shape does not depend on the input
    }
}
