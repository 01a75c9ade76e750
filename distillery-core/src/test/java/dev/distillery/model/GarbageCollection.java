package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.Function;

/**
 * For tests of what a backward pass reads: the garbage collector run to the end between the forward and the backward
 * pass, so memory the JVM owns and let go of too early (see {@link Scalars}) is freed before the gradients are computed.
 */
public final class GarbageCollection {
    private GarbageCollection() {}

    /**
     * A full collection, then time for the JVM's reference handler to run the cleaners it found (a direct buffer's
     * memory is freed there).
     */
    public static void collectNow() {
        System.gc();
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Checks that {@code loss}'s gradient with respect to an input of {@code values} in {@code shape} is not all zero
     * (there is something to compare) and is the same, bit for bit, with a full collection before the backward pass.
     */
    public static void assertSameGradient(Function<NDArray, NDArray> loss, float[] values, Shape shape) {
        float[] plain = gradient(loss, values, shape, false);
        assertThat(plain).as("a gradient to compare").isNotEqualTo(new float[plain.length]);
        assertThat(gradient(loss, values, shape, true)).as("with a collection before the backward pass").containsExactly(plain);
    }

    /**
     * The gradient of {@code loss} with respect to an input of {@code values} in {@code shape}, with a full garbage
     * collection between the forward and the backward pass if {@code collect}.
     */
    public static float[] gradient(Function<NDArray, NDArray> loss, float[] values, Shape shape, boolean collect) {
        try (NDManager manager = NDManager.newBaseManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray input = manager.create(values, shape);
            input.setRequiresGradient(true);
            NDArray value = loss.apply(input);
            if (collect) {
                collectNow();
            }
            collector.backward(value);
            return input.getGradient().toFloatArray();
        }
    }
}
