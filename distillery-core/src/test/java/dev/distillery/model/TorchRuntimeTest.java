package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reproduction behind {@link TorchRuntime}'s convolution rule: one 3x3 convolution, forward and backward through
 * PyTorch, against a plain loop. With oneDNN, channel counts that are not multiples of 16 gave wrong and varying
 * gradients on a 2-core AMD EPYC; run under {@link TorchRuntime#convolutions} they must match the loop, every time.
 */
class TorchRuntimeTest {

    @Test
    void theRuleTrustsOneDnnOnlyWithUnpaddedChannelBlocks() {
        assertThat(TorchRuntime.oneDnnSafe(1, 32)).isTrue(); // the default CNN's first layer
        assertThat(TorchRuntime.oneDnnSafe(32, 64)).isTrue();
        assertThat(TorchRuntime.oneDnnSafe(48, 96)).isTrue(); // the benchmark teacher
        assertThat(TorchRuntime.oneDnnSafe(3, 16)).isTrue();
        assertThat(TorchRuntime.oneDnnSafe(4, 8)).isFalse(); // output channels in a padded block
        assertThat(TorchRuntime.oneDnnSafe(10, 20)).isFalse(); // a width-10 student
        assertThat(TorchRuntime.oneDnnSafe(20, 32)).isFalse(); // input channels in a padded block
    }

    @Test
    void aNetworkWithAnyUnsafeConvolutionRunsOnPyTorchsOwnKernelsAndScopesRestore() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block safe = conv(32);
            safe.initialize(m, DataType.FLOAT32, new Shape(2, 1, 8, 8));
            Block unsafe = new SequentialBlock().add(conv(32)).add(conv(20));
            unsafe.initialize(m, DataType.FLOAT32, new Shape(2, 1, 8, 8));
            assertThat(TorchRuntime.oneDnnSafe(safe)).isTrue();
            assertThat(TorchRuntime.oneDnnSafe(unsafe)).isFalse();
            TorchRuntime.engine();
            boolean start = TorchRuntime.oneDnnEnabled();
            try (TorchRuntime.Scope outer = TorchRuntime.convolutions(unsafe)) {
                assertThat(TorchRuntime.oneDnnEnabled()).isFalse();
                try (TorchRuntime.Scope inner = TorchRuntime.convolutions(safe)) {
                    assertThat(TorchRuntime.oneDnnEnabled()).isTrue();
                }
                assertThat(TorchRuntime.oneDnnEnabled()).isFalse();
            }
            assertThat(TorchRuntime.oneDnnEnabled()).isEqualTo(start);
        }
    }

    @Test
    void theOpenMpRuntimeIsToldToSpinBrieflyUnlessTheUserChose() {
        TorchRuntime.engine();
        String set = com.sun.jna.NativeLibrary.getInstance("c").getFunction("getenv")
                .invokeString(new Object[] {"GOMP_SPINCOUNT"}, false);
        if (System.getenv("GOMP_SPINCOUNT") != null || System.getenv("OMP_WAIT_POLICY") != null) {
            assertThat(set).as("the user's own setting stays").isEqualTo(System.getenv("GOMP_SPINCOUNT"));
        } else {
            assertThat(set).isEqualTo(TorchRuntime.SPIN_COUNT);
        }
    }

    @Test
    void aNetworkWithRowTrainedTablesRunsTheEngineOnOneThreadAndScopesRestore() {
        Block ngram = NgramBagSpec.DEFAULT.build(dev.distillery.TestData.texts(2, 1).schema());
        Block dense = conv(32);
        int start = TorchRuntime.engineThreadCount();
        assertThat(start).as("the build runs PyTorch on two threads").isEqualTo(2);
        try (TorchRuntime.Scope rows = TorchRuntime.engineThreads(ngram)) {
            assertThat(TorchRuntime.engineThreadCount()).isEqualTo(1);
        }
        assertThat(TorchRuntime.engineThreadCount()).isEqualTo(start);
        try (TorchRuntime.Scope none = TorchRuntime.engineThreads(dense)) {
            assertThat(TorchRuntime.engineThreadCount()).isEqualTo(start);
        }
    }

    @Test
    void unsafeChannelCountsGiveThePlainLoopsGradientsEveryTime() {
        // 20 -> 32 channels: input channels in a padded block; 32 -> 20: output channels in one.
        for (int[] channels : new int[][] {{20, 32}, {32, 20}, {4, 8}}) {
            checkAgainstPlainLoop(32, channels[0], 8, channels[1]);
        }
    }

    private static Block conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).optBias(false).build();
    }

    /** Forward and backward of sum(y^2) for y = conv(x, w), 20 times, each equal to the loop's result. */
    private static void checkAgainstPlainLoop(int n, int c, int h, int f) {
        Random r = new Random(1);
        float[] x = new float[n * c * h * h];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        float[] w = new float[f * c * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.3f;
        }
        double[][] expected = plainLoop(x, w, n, c, h, f);
        Block network = conv(f);
        try (NDManager root = NDManager.newBaseManager()) {
            network.initialize(root, DataType.FLOAT32, new Shape(n, c, h, h));
            float[][] first = null;
            for (int trial = 0; trial < 20; trial++) {
                float[][] got = pytorch(root, network, x, w, n, c, h, f);
                for (int part = 0; part < 3; part++) {
                    double scale = 0;
                    for (double v : expected[part]) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int i = 0; i < got[part].length; i++) {
                        assertThat((double) got[part][i]).as("%s, %d -> %d channels, trial %d, element %d", new String[] {"output",
                                "weight gradient", "input gradient"}[part], c, f, trial, i)
                                .isCloseTo(expected[part][i], org.assertj.core.data.Offset.offset(1e-4 * scale + 1e-4));
                    }
                }
                if (first == null) {
                    first = got;
                } else {
                    assertThat(got).as("same inputs, same numbers (%d -> %d channels, trial %d)", c, f, trial).isDeepEqualTo(first);
                }
            }
        }
    }

    private static float[][] pytorch(NDManager root, Block network, float[] x, float[] w, int n, int c, int h, int f) {
        try (NDManager m = root.newSubManager(); TorchRuntime.Scope kernels = TorchRuntime.convolutions(network)) {
            NDArray xs = m.create(x, new Shape(n, c, h, h));
            NDArray ws = m.create(w, new Shape(f, c, 3, 3));
            xs.setRequiresGradient(true);
            ws.setRequiresGradient(true);
            try (GradientCollector gc = TorchRuntime.engine().newGradientCollector()) {
                NDArray y = Conv2d.conv2d(xs, ws, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
                gc.backward(y.mul(y).sum());
                return new float[][] {y.toFloatArray(), ws.getGradient().toFloatArray(), xs.getGradient().toFloatArray()};
            }
        }
    }

    /** y, dL/dw and dL/dx of L = sum(y^2), in double precision. */
    private static double[][] plainLoop(float[] x, float[] w, int n, int c, int h, int f) {
        double[] y = new double[n * f * h * h];
        double[] gw = new double[w.length];
        double[] gx = new double[x.length];
        for (int pass = 0; pass < 2; pass++) {
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < f; o++) {
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < h; j++) {
                            int out = ((b * f + o) * h + i) * h + j;
                            double sum = 0;
                            for (int ci = 0; ci < c; ci++) {
                                for (int kh = 0; kh < 3; kh++) {
                                    for (int kw = 0; kw < 3; kw++) {
                                        int ii = i + kh - 1;
                                        int jj = j + kw - 1;
                                        if (ii < 0 || jj < 0 || ii >= h || jj >= h) {
                                            continue;
                                        }
                                        int xi = ((b * c + ci) * h + ii) * h + jj;
                                        int wi = ((o * c + ci) * 3 + kh) * 3 + kw;
                                        if (pass == 0) {
                                            sum += x[xi] * w[wi];
                                        } else {
                                            gw[wi] += 2 * y[out] * x[xi];
                                            gx[xi] += 2 * y[out] * w[wi];
                                        }
                                    }
                                }
                            }
                            if (pass == 0) {
                                y[out] = sum;
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {y, gw, gx};
    }
}
