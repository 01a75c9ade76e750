package dev.distillery.model;

import ai.djl.MalformedModelException;
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
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A linear classifier over TF-IDF features: each feature's term frequency (from {@link TfidfFeaturizer}) times its
 * inverse document frequency, each view (words, characters) scaled to unit length, then one weight row per feature and
 * a bias per class. The IDF table is learned from the training texts, not by gradient steps, and saved with the
 * weights.
 *
 * <p>Saved by its rows that are not all zero: a bucket no training text has keeps IDF 0 and weights 0, and most
 * buckets are such with a few hundred texts (a model of 77 classes over 770 texts was 312 MB as dense tables, against
 * the few MB of its nonzero rows). Files saved densely before ({@link #DENSE}) still load.
 */
final class TfidfLinearBlock extends AbstractBlock implements QuantizedWeights.Tables {
    /** The file layout DJL's own saveParameters writes: the version, the input shapes, then each table whole. */
    private static final byte DENSE = 1;
    /** This block's layout: buckets, classes, the rows with a nonzero IDF or weight (bucket, IDF, weights), the biases. */
    private static final byte SPARSE_ROWS = 2;
    private static final byte VERSION = SPARSE_ROWS;

    private final int classes;
    private final int charStart;
    private final Parameter idf;
    private final Parameter weights;
    private final Parameter bias;

    private final int buckets;

    TfidfLinearBlock(int buckets, int classes) {
        super(VERSION);
        this.buckets = buckets;
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
        NDArray charNorm = squares.mul(isChar).sum(new int[] {1}, true).sqrt().maximum(Scalars.like(squares, 1e-12f));
        NDArray wordNorm = squares.mul(isChar.neg().add(1f)).sum(new int[] {1}, true).sqrt().maximum(Scalars.like(squares, 1e-12f));
        NDArray scaled = x.div(isChar.mul(charNorm).add(isChar.neg().add(1f).mul(wordNorm)));
        NDArray rows = Embedding.embedding(ids, ps.getValue(weights, ids.getDevice(), training), SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray logits = rows.mul(scaled.expandDims(2)).sum(new int[] {1});
        return new NDList(logits.add(ps.getValue(bias, ids.getDevice(), training)));
    }

    @Override
    public void saveParameters(DataOutputStream out) throws IOException {
        float[] idfs = idf.getArray().toFloatArray();
        float[] table = weights.getArray().toFloatArray();
        List<Integer> rows = new ArrayList<>();
        for (int row = 0; row < buckets; row++) {
            boolean nonzero = idfs[row] != 0f;
            for (int k = 0; !nonzero && k < classes; k++) {
                nonzero = table[row * classes + k] != 0f;
            }
            if (nonzero) {
                rows.add(row);
            }
        }
        out.writeByte(SPARSE_ROWS);
        out.writeInt(buckets);
        out.writeInt(classes);
        out.writeInt(rows.size());
        for (int row : rows) {
            out.writeInt(row);
            out.writeFloat(idfs[row]);
            for (int k = 0; k < classes; k++) {
                out.writeFloat(table[row * classes + k]);
            }
        }
        for (float b : bias.getArray().toFloatArray()) {
            out.writeFloat(b);
        }
    }

    @Override
    public void loadParameters(NDManager manager, DataInputStream in) throws IOException, MalformedModelException {
        byte layout = in.readByte();
        if (layout == DENSE) {
            readInputShapes(in); // DJL's own layout: the input shapes, then each table in the order they were added
            for (Parameter p : List.of(idf, weights, bias)) {
                p.load(manager, in);
            }
            return;
        }
        if (layout != SPARSE_ROWS) {
            throw new MalformedModelException("TF-IDF linear weights in layout " + layout + "; this Distillery reads " + DENSE
                    + " and " + SPARSE_ROWS);
        }
        int savedBuckets = in.readInt();
        int savedClasses = in.readInt();
        if (savedBuckets != buckets || savedClasses != classes) {
            throw new MalformedModelException("TF-IDF linear weights for " + savedBuckets + " buckets and " + savedClasses
                    + " classes; the model is " + buckets + " by " + classes);
        }
        float[] idfs = new float[buckets];
        float[] table = new float[buckets * classes];
        int rows = in.readInt();
        for (int r = 0; r < rows; r++) {
            int row = in.readInt();
            if (row < 0 || row >= buckets) {
                throw new MalformedModelException("TF-IDF linear weights name bucket " + row + " of " + buckets);
            }
            idfs[row] = in.readFloat();
            for (int k = 0; k < classes; k++) {
                table[row * classes + k] = in.readFloat();
            }
        }
        float[] biases = new float[classes];
        for (int k = 0; k < classes; k++) {
            biases[k] = in.readFloat();
        }
        set(idf, idfs, new Shape(buckets, 1), manager);
        set(weights, table, new Shape(buckets, classes), manager);
        set(bias, biases, new Shape(classes), manager);
    }

    private static void set(Parameter parameter, float[] values, Shape shape, NDManager manager) {
        if (parameter.isInitialized()) {
            parameter.getArray().set(java.nio.FloatBuffer.wrap(values));
        } else {
            parameter.setArray(manager.create(values, shape));
        }
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
