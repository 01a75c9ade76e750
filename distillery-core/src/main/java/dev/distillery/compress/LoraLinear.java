package dev.distillery.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.distillery.model.Scalars;
import java.util.Random;

/**
 * A frozen dense layer plus a trainable low-rank update (LoRA, Hu et al. 2021):
 * y = x W^T + b + (alpha / rank) * (x A^T) B^T, with A (rank x in) random and B (out x rank) zero at
 * the start, so the adapted layer begins exactly equal to the base layer.
 */
public final class LoraLinear extends AbstractBlock {
    private final Linear base;
    private final int rank;
    private final float scale;
    private final Parameter loraA;
    private final Parameter loraB;

    public LoraLinear(Linear base, int rank, float alpha, long seed) {
        super((byte) 1);
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be >= 1, got: " + rank);
        }
        this.base = addChildBlock("base", base);
        this.rank = rank;
        this.scale = alpha / rank;
        this.loraA = addParameter(Parameter.builder().setName("loraA").setType(Parameter.Type.WEIGHT)
                .optInitializer(seededNormal(seed, 1.0 / Math.sqrt(rank))).build());
        this.loraB = addParameter(Parameter.builder().setName("loraB").setType(Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS).build());
    }

    /** Normal initial values from a seeded Java RNG, so an adapter's start does not depend on the engine's RNG state. */
    private static Initializer seededNormal(long seed, double std) {
        return (manager, shape, dataType) -> {
            Random rng = new Random(seed);
            float[] v = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rng.nextGaussian() * std / Math.sqrt(shape.get(1)));
            }
            return manager.create(v, shape).toType(dataType, false);
        };
    }

    public Linear base() {
        return base;
    }

    public Parameter loraA() {
        return loraA;
    }

    public Parameter loraB() {
        return loraB;
    }

    /** The dense-weight update this adapter adds: (alpha / rank) * B A, shaped like the base weight. */
    public NDArray delta() {
        return loraB.getArray().matMul(loraA.getArray()).mul(scale);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray out = base.forward(store, inputs, training, params).singletonOrThrow();
        NDArray a = store.getValue(loraA, x.getDevice(), training);
        NDArray b = store.getValue(loraB, x.getDevice(), training);
        NDArray update = Linear.linear(Linear.linear(x, a).singletonOrThrow(), b).singletonOrThrow();
        return new NDList(out.add(update.mul(Scalars.like(update, scale))));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        base.initialize(manager, dataType, inputShapes);
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        long in = inputShapes[0].get(inputShapes[0].dimension() - 1);
        long out = base.getOutputShapes(inputShapes)[0].get(inputShapes[0].dimension() - 1);
        loraA.setShape(new Shape(rank, in));
        loraB.setShape(new Shape(out, rank));
    }
}
