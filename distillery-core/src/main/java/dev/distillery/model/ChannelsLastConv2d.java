package dev.distillery.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2-D convolution that works channels-last (NHWC in memory, still indexed as NCHW): its input is laid out that way
 * before it convolves, so oneDNN writes its output in the same order. The same values, parameters and saved form as
 * {@link Conv2d}, a different memory order. PyTorch then keeps that order through batch normalization, ReLU, max
 * pooling and the next convolution, and oneDNN convolves NHWC data directly instead of reordering every activation to
 * its blocked format and back. Measured on 2 cores (the default CNN, Fashion-MNIST, batch 128), NCHW throughout,
 * then the output alone channels-last, then the input too: training 3,148, 3,997 and 4,493 examples/s
 * ({@code bench/djl-vs-pytorch}); 3,159, 3,661 and 4,608 over 20 augmented epochs; inference (batch 256) 8,110,
 * 12,844 and 17,161 examples/s.
 *
 * <p>Why the input too: with the output alone converted, the first convolution (one input channel) still ran NCHW
 * and its 128 x 32 x 28 x 28 output was copied into NHWC, and its gradient back, every step. A one-channel image is
 * the same bytes in either order, so laying out the input costs nothing there and removed both copies.
 *
 * <p>Only with oneDNN: where {@link TorchRuntime} switches it off (channel counts it gets wrong), PyTorch's own
 * convolution trains twice as fast on NCHW (the width-10 CNN on 2 cores: 5,000-6,500 against 2,000-3,600 examples/s
 * channels-last, and infers no slower), so the convolution runs as the plain one.
 *
 * <p>DJL has no memory-format call; a transpose to NHWC, a reshape (which copies a transposed tensor into that order)
 * and the transpose back give a tensor of the same shape with channels-last strides. On a tensor already in that
 * order (one channel, or the output of a channels-last stage) the reshape is a view and nothing is copied.
 */
final class ChannelsLastConv2d extends Conv2d {
    ChannelsLastConv2d(Conv2d.Builder builder) {
        super(builder);
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (!TorchRuntime.oneDnnEnabled()) {
            // PyTorch's own convolution: NCHW is its fast layout (see the class comment).
            return super.forwardInternal(parameterStore, inputs, training, params);
        }
        NDList in = new NDList(channelsLast(inputs.singletonOrThrow()));
        NDList out = super.forwardInternal(parameterStore, in, training, params);
        // oneDNN answers channels-last input with channels-last output, so this is a view; it keeps the order certain.
        return new NDList(channelsLast(out.singletonOrThrow()));
    }

    /** {@code x} (N, C, H, W) with the same values, laid out channels-last. */
    static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), -1).reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }
}
