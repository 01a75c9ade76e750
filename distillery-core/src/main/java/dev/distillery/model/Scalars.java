package dev.distillery.model;

import ai.djl.ndarray.NDArray;

/**
 * Scalars for arithmetic on tensors that autograd records (a loss, a layer's forward pass while training).
 *
 * <p>Why not DJL's {@code x.mul(0.5f)}, {@code div}, {@code pow}, {@code maximum} with a number: its PyTorch engine makes
 * the number a tensor over a Java direct buffer and closes that tensor as soon as the operation returns, which leaves
 * the buffer to the garbage collector. PyTorch's autograd keeps the scalar tensor for the backward pass (the gradient
 * of {@code x * s} is {@code s}); if a collection frees the buffer between forward and backward, the backward pass reads
 * freed memory and every gradient upstream is wrong. Alone this happened too rarely to see; on a loaded machine the
 * quickstart's distilled student (whose loss divides by the temperature) trained differently in about 1 run of 7, and
 * with a thread calling {@code System.gc()} every few milliseconds in every run from its first step. A scalar made here
 * belongs to the manager of the tensor it is combined with (the training step's), so it lives until that manager
 * closes, after the backward pass.
 */
public final class Scalars {
    private Scalars() {}

    /** {@code value} as a 0-dimensional tensor in {@code x}'s manager, for an operation with {@code x}. */
    public static NDArray like(NDArray x, Number value) {
        return x.getManager().create(value);
    }
}
