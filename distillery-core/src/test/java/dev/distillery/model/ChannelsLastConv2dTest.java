package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelsLastConv2dTest {
    private static Conv2d.Builder conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).optBias(false);
    }

    /** Two stages as the CNN has them, with plain or channels-last convolutions. */
    private static Block stages(boolean channelsLast, int width) {
        SequentialBlock net = new SequentialBlock();
        for (int filters : new int[] {width, 2 * width}) {
            net.add(channelsLast ? new ChannelsLastConv2d(conv(filters)) : conv(filters).build())
                    .add(BatchNorm.builder().build())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        return net;
    }

    /**
     * One input channel (grayscale: the input's layout is free) and three (the input is copied into NHWC); width 16
     * runs on oneDNN, channels-last, and width 10 on PyTorch's own convolution (TorchRuntime), as the plain one.
     */
    @ParameterizedTest
    @CsvSource({"1, 16", "3, 16", "1, 10", "3, 10"})
    void sameValuesAndSavedFormAsThePlainConvolution(int inputChannels, int width) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape input = new Shape(5, inputChannels, 12, 10);
            Block plain = stages(false, width);
            plain.initialize(manager, DataType.FLOAT32, input);
            ByteArrayOutputStream saved = new ByteArrayOutputStream();
            plain.saveParameters(new DataOutputStream(saved));
            // A model saved with plain convolutions loads into channels-last ones: the parameters and their order match.
            Block channelsLast = stages(true, width);
            channelsLast.initialize(manager, DataType.FLOAT32, input);
            channelsLast.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));

            NDArray x = manager.randomNormal(input);
            try (TorchRuntime.Scope kernels = TorchRuntime.convolutions(channelsLast)) {
                assertThat(TorchRuntime.oneDnnEnabled()).isEqualTo(width % TorchRuntime.ONEDNN_BLOCK == 0);
                assertSameValues(plain, channelsLast, x, manager, new Shape(5, 2 * width, 3, 2));
            }
        }
    }

    /** The channels-last stages give the plain ones' values, read back in the logical order, training and not. */
    private static void assertSameValues(Block plain, Block channelsLast, NDArray x, NDManager manager, Shape expectedShape) {
        for (boolean training : new boolean[] {false, true}) {
            float[] expected = plain.forward(new ParameterStore(manager, false), new NDList(x), training).singletonOrThrow().toFloatArray();
            NDArray out = channelsLast.forward(new ParameterStore(manager, false), new NDList(x), training).singletonOrThrow();
            assertThat(out.getShape()).isEqualTo(expectedShape);
            float[] actual = out.toFloatArray(); // read back in the logical (N, C, H, W) order
            assertThat(actual).hasSameSizeAs(expected);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("value %d, training %s", i, training).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }
}
