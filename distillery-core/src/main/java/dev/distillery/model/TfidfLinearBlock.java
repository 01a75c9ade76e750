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
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * A linear classifier over TF-IDF features: each feature's term frequency (from {@link TfidfFeaturizer}) times its
 * inverse document frequency, each view (words, characters) scaled to unit length, then one weight row per feature and
 * a bias per class. The IDF table is learned from the training texts, not by gradient steps, and saved with the
 * weights.
 */
final class TfidfLinearBlock extends AbstractBlock implements QuantizedWeights.Tables {
    private static final byte VERSION = 1;

    private final int classes;
    private final int charStart;
    private final Parameter idf;
    private final Parameter weights;
    private final Parameter bias;

    TfidfLinearBlock(int buckets, int classes) {
        super(VERSION);
        this.classes = classes;
        this.charStart = buckets / 2;
        this.idf = addParameter(Parameter.builder().setName("idf").setType(Parameter.Type.OTHER).optRequiresGrad(false)
                .optShape(new Shape(buckets, 1)).optInitializer(new ConstantInitializer(1f)).build());
        this.weights = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.OTHER)
                .optShape(new Shape(buckets, classes)).optInitializer(new ConstantInitializer(0f)).build());
        this.bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(classes)).build());
    }

    /**
     * The weights class by class: a row holds one feature's weight for each of a few classes, so a scale a row would
     * cost as much as the values it scales; one a column (a class, over a million features) costs nothing.
     */
    @Override
    public java.util.Map<Parameter, QuantizedWeights.Axis> quantizedTables() {
        return java.util.Map.of(weights, QuantizedWeights.Axis.COLUMNS);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray packed = inputs.singletonOrThrow();
        NDArray ids = packed.get(":, 0, :").toType(DataType.INT64, false);
        NDArray tf = packed.get(":, 1, :");
        NDArray idfTable = ps.getValue(idf, ids.getDevice(), training);
        NDArray x = tf.mul(Embedding.embedding(ids, idfTable, SparseFormat.DENSE).singletonOrThrow().squeeze(2));
        NDArray isChar = ids.gte(charStart).toType(DataType.FLOAT32, false);
        NDArray squares = x.square();
        NDArray charNorm = squares.mul(isChar).sum(new int[] {1}, true).sqrt().maximum(1e-12f);
        NDArray wordNorm = squares.mul(isChar.neg().add(1f)).sum(new int[] {1}, true).sqrt().maximum(1e-12f);
        NDArray scaled = x.div(isChar.mul(charNorm).add(isChar.neg().add(1f).mul(wordNorm)));
        NDArray rows = Embedding.embedding(ids, ps.getValue(weights, ids.getDevice(), training), SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray logits = rows.mul(scaled.expandDims(2)).sum(new int[] {1});
        return new NDList(logits.add(ps.getValue(bias, ids.getDevice(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks; the tables' shapes do not depend on the input
    }
}
