package dev.distillery.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * A kernel machine with the radial basis function kernel, as a network: the features standardized
 * ({@code (x - mean) / scale}), their kernel values against {@code capacity} stored support vectors,
 * {@code exp(-gamma |z - sv|^2)}, then one coefficient per support vector and class and a bias per class. Every value
 * comes from the solver ({@code SvmFit}), none from gradient steps; unused support-vector rows have zero coefficients.
 */
final class RbfKernelBlock extends AbstractBlock implements QuantizedWeights.Tables {
    private static final byte VERSION = 1;

    private final int classes;
    private final Parameter mean;
    private final Parameter scale;
    private final Parameter supportVectors;
    private final Parameter coefficients;
    private final Parameter bias;
    private final Parameter gamma;

    RbfKernelBlock(int capacity, int features, int classes) {
        super(VERSION);
        this.classes = classes;
        this.mean = fixed("mean", new Shape(1, features), 0f);
        this.scale = fixed("scale", new Shape(1, features), 1f);
        this.supportVectors = fixed("support_vectors", new Shape(capacity, features), 0f);
        this.coefficients = fixed("coefficients", new Shape(capacity, classes), 0f);
        this.bias = fixed("bias", new Shape(1, classes), 0f);
        this.gamma = fixed("gamma", new Shape(1), 1f);
    }

    private Parameter fixed(String name, Shape shape, float value) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.OTHER).optRequiresGrad(false).optShape(shape)
                .optInitializer(new ConstantInitializer(value)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        x = x.reshape(x.getShape().get(0), -1);
        var device = x.getDevice();
        // From the distances on in double precision: with a large C the coefficients reach C and a logit is the small
        // difference of sums in the thousands, which float32 rounds by more than the export's parity check allows (two
        // engines, two summation orders: 2e-4 apart on a credit table's SVM with C 100, whose export was refused).
        NDArray z = x.sub(ps.getValue(mean, device, training)).div(ps.getValue(scale, device, training)).toType(DataType.FLOAT64, false);
        NDArray sv = ps.getValue(supportVectors, device, training).toType(DataType.FLOAT64, false);
        // |z - sv|^2 = |z|^2 - 2 z.sv + |sv|^2, clamped at 0 against rounding
        NDArray distances = z.square().sum(new int[] {1}, true).sub(z.matMul(sv.transpose()).mul(Scalars.like(z, 2)))
                .add(sv.square().sum(new int[] {1}).expandDims(0));
        distances = distances.maximum(Scalars.like(distances, 0));
        NDArray kernel = distances.mul(ps.getValue(gamma, device, training).toType(DataType.FLOAT64, false).neg()).exp();
        NDArray logits = kernel.matMul(ps.getValue(coefficients, device, training).toType(DataType.FLOAT64, false))
                .add(ps.getValue(bias, device, training).toType(DataType.FLOAT64, false));
        return new NDList(logits.toType(DataType.FLOAT32, false));
    }

    /**
     * The support vectors and their coefficients, a scale per support vector: nearly all of the model's size. Before,
     * {@code quantize} left them as floats (they are {@code OTHER}, kept from the trainer's initializer) and an "int8"
     * SVM was the float model's size.
     */
    @Override
    public java.util.Map<Parameter, QuantizedWeights.Axis> quantizedTables() {
        return java.util.Map.of(supportVectors, QuantizedWeights.Axis.ROWS, coefficients, QuantizedWeights.Axis.ROWS);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks; the shapes are fixed by the spec
    }
}
