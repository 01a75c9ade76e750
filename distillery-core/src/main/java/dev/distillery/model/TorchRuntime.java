package dev.distillery.model;

import ai.djl.engine.Engine;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native PyTorch runtime under DJL, configured once before the first operation, and the one place that knows
 * where PyTorch's CPU kernels must not be trusted.
 *
 * <p><b>Convolutions.</b> PyTorch 2.7.1 runs CPU convolutions through oneDNN 3.7.1, which stores activations and
 * weights in blocks of 16 channels (8 with AVX2), padding the last block. On a 2-core AMD EPYC (Zen 5, AVX-512) its
 * results are wrong when a convolution's output channels are not a multiple of 16, or when its input channels are
 * neither that nor a handful (a first layer's): measured against a plain loop, the input gradient of a 3x3
 * convolution from 20 to 32 channels was off by 18 on values of 1e4, the weight gradient by 26,484 on 1e5, and which
 * values were wrong changed with how the two threads split the work, sometimes into NaN. That is what made training
 * with two threads give different numbers on every run and end in NaN. With PyTorch's own convolution (oneDNN off)
 * every case matched the plain loop and repeated bit for bit; the channel counts of the default networks (32, 64,
 * 48, 96: multiples of 16) matched with oneDNN too, and oneDNN is about twice as fast for them. So oneDNN stays on
 * for networks whose every convolution has safe channel counts and is switched off while a network with any other
 * runs ({@link #convolutions}). The reproduction is {@code TorchRuntimeTest}.
 *
 * <p><b>Native log.</b> libtorch logs at WARNING by default, and on CPUs it does not know it warns "Could not
 * initialize NNPACK! Reason: Unsupported hardware." on every convolution. DJL never calls libtorch's own
 * {@code c10::initLogging()}, the function that reads {@code TORCH_CPP_LOG_LEVEL}; this class calls it, after the
 * NNPACK check, so the level is ERROR unless the user set {@code TORCH_CPP_LOG_LEVEL} themselves and the warning does
 * not show at all (PyTorch falls back to its own convolutions; the debug log says whether NNPACK is available).
 *
 * <p><b>Waiting threads.</b> libtorch's OpenMP runtime (GNU libgomp) makes a thread that waits for the others at the
 * end of a parallel kernel spin 300,000 times before it sleeps. Alone on the cores that is cheap; when any other
 * process wants them, the spinning thread burns the time slice the thread it waits for needs, at every kernel. With
 * two busy processes beside it on 2 cores, one epoch of the width-8 CNN took 94.6 s instead of 12 s, the default CNN's
 * 132.6 s instead of 14-18 s. A spin count of {@value #SPIN_COUNT} took them to 35.3 and 62.3 s and changed nothing
 * measurable alone (the default CNN's epoch 13.6-17.8 s against 14.2-18.5, alternated). libgomp reads its environment
 * once, when libtorch loads it, so this class sets {@code GOMP_SPINCOUNT} just before; a user's own
 * {@code GOMP_SPINCOUNT} or {@code OMP_WAIT_POLICY} is left as it is.
 */
public final class TorchRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(TorchRuntime.class);
    /** The channel block of oneDNN's AVX-512 kernels; counts that are multiples of it need no padding. */
    static final int ONEDNN_BLOCK = 16;
    /** Input channel counts up to this go to oneDNN's first-layer kernels, which pad nothing and were measured right. */
    static final int ONEDNN_SMALL_INPUT = 8;
    /** How often an OpenMP thread waiting for the others checks before it sleeps (see the class comment). */
    static final String SPIN_COUNT = "10000";

    private TorchRuntime() {}

    private static final class Holder {
        static final Native NATIVE = new Native();
    }

    /** The compute threads this process uses (the launcher's DISTILLERY_THREADS), for every engine: DJL and ONNX Runtime. */
    public static int threads() {
        return Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
    }

    /** Set once the native runtime has been loaded, by whatever first needed it. */
    private static volatile boolean loaded;

    /**
     * The engine's name and version if this process has loaded it, else the PyTorch version DJL would load, marked so:
     * a run that never touches a tensor (curation) should not spend seconds loading libtorch to name it.
     */
    public static String engineDescription() {
        if (loaded) {
            Engine e = engine();
            return e.getEngineName() + " " + e.getVersion();
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = Engine.class.getClassLoader().getResourceAsStream("pytorch-engine.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (java.io.IOException e) {
            // the version stays unknown
        }
        return "PyTorch " + p.getProperty("pytorch_version", "unknown") + " (not loaded)";
    }

    /** The DJL engine, with the native runtime configured. */
    public static Engine engine() {
        return Holder.NATIVE.engine;
    }

    /** Switches oneDNN back on when closed, if {@link #convolutions} switched it off. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs what follows with the convolution kernels {@code block} can trust: oneDNN when every convolution in it has
     * safe channel counts, PyTorch's own otherwise. Scopes nest; each restores what it found. PyTorch's switch is
     * process-wide, so networks run on one thread at a time (as every command does).
     */
    public static Scope convolutions(Block block) {
        Native runtime = Holder.NATIVE;
        boolean wanted = oneDnnSafe(block);
        boolean before = runtime.oneDnn;
        if (wanted == before) {
            return () -> {};
        }
        runtime.setOneDnn(wanted);
        return () -> runtime.setOneDnn(before);
    }

    /**
     * Runs what follows with the engine on one thread when {@code block} has tables trained by rows
     * ({@link RowSparseTable}): their row work, most of such a step, runs in Java on all the process's threads
     * ({@link RowParts}), and the engine's share is a small dense layer. On more threads PyTorch's OpenMP workers,
     * idle between its calls, spin on the cores the row work needs: SpamAssassin n-gram training measured 7,700-8,300
     * examples/s with the rows on two threads and the engine on two (8,400-9,300 with the rows on one), 12,600-12,800
     * with the engine on one. Restores the count it found when closed.
     */
    public static Scope engineThreads(Block block) {
        if (RowSparseTable.within(block).isEmpty()) {
            return () -> {};
        }
        Native runtime = Holder.NATIVE;
        int before = runtime.threads();
        if (before == 1) {
            return () -> {};
        }
        runtime.setThreads(1);
        return () -> runtime.setThreads(before);
    }

    /** PyTorch's intra-op threads now. */
    static int engineThreadCount() {
        return Holder.NATIVE.threads();
    }

    /** Whether every convolution of {@code block} has channel counts oneDNN computes right. */
    static boolean oneDnnSafe(Block block) {
        if (block instanceof Conv2d) {
            Parameter weight = block.getParameters().get("weight");
            if (weight == null || !weight.isInitialized()) {
                return true; // no kernel has run on it yet
            }
            long[] shape = weight.getArray().getShape().getShape(); // (out, in, kh, kw)
            return oneDnnSafe(shape[1], shape[0]);
        }
        for (Block child : block.getChildren().values()) {
            if (!oneDnnSafe(child)) {
                return false;
            }
        }
        return true;
    }

    /** The rule measured in {@code TorchRuntimeTest}: padded channel blocks are what oneDNN gets wrong. */
    static boolean oneDnnSafe(long inputChannels, long outputChannels) {
        return outputChannels % ONEDNN_BLOCK == 0
                && (inputChannels % ONEDNN_BLOCK == 0 || inputChannels <= ONEDNN_SMALL_INPUT);
    }

    /** Whether oneDNN convolutions are on now: {@link ChannelsLastConv2d} picks its layout by it. */
    static boolean oneDnnEnabled() {
        return Holder.NATIVE.oneDnn;
    }

    /** libtorch, libc10 and the switches this class turns, found once. */
    private static final class Native {
        final Engine engine;
        private final Function setUserEnabledMkldnn;
        private final Function getNumThreads;
        private final Function setNumThreads;
        private final Pointer context;
        boolean oneDnn = true;

        Native() {
            boundOpenMpSpinning();
            engine = Engine.getInstance(); // loads libtorch, and with it libgomp, which reads its settings now
            NativeLibrary torch = NativeLibrary.getInstance("torch_cpu");
            quietNativeLog(torch);
            context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            setUserEnabledMkldnn = torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb");
            getNumThreads = torch.getFunction("_ZN2at15get_num_threadsEv");
            setNumThreads = torch.getFunction("_ZN2at15set_num_threadsEi");
            loaded = true;
        }

        void setOneDnn(boolean on) {
            setUserEnabledMkldnn.invokeVoid(new Object[] {context, on});
            oneDnn = on;
        }

        /** PyTorch's intra-op threads for work this thread starts (at::get_num_threads, per thread in OpenMP). */
        int threads() {
            return getNumThreads.invokeInt(new Object[0]);
        }

        void setThreads(int threads) {
            setNumThreads.invokeVoid(new Object[] {threads});
        }

        /** Sets {@code GOMP_SPINCOUNT} for the OpenMP runtime libtorch is about to load, unless the user chose. */
        private static void boundOpenMpSpinning() {
            if (System.getenv("GOMP_SPINCOUNT") == null && System.getenv("OMP_WAIT_POLICY") == null) {
                NativeLibrary.getInstance("c").getFunction("setenv").invokeInt(new Object[] {"GOMP_SPINCOUNT", SPIN_COUNT, 0});
            }
        }

        private static void quietNativeLog(NativeLibrary torch) {
            try {
                // The level first, then the NNPACK check, which logs its warning when it first fails: on every command of
                // a CPU without NNPACK (these machines), a C++ warning about a fallback that changes no result.
                if (System.getenv("TORCH_CPP_LOG_LEVEL") == null) {
                    NativeLibrary.getInstance("c").getFunction("setenv").invokeInt(new Object[] {"TORCH_CPP_LOG_LEVEL", "ERROR", 0});
                }
                NativeLibrary.getInstance("c10").getFunction("_ZN3c1011initLoggingEv").invokeVoid(new Object[0]);
                boolean nnpack = (torch.getFunction("_ZN2at6native17_nnpack_availableEv").invokeInt(new Object[0]) & 0xff) != 0;
                LOG.debug("PyTorch native runtime configured (NNPACK {})", nnpack ? "available" : "not available on this CPU");
            } catch (UnsatisfiedLinkError e) {
                // Another libtorch build: its log stays as verbose as it is, which costs noise, not results.
                LOG.warn("could not configure libtorch's native log ({}); its warnings may repeat", e.getMessage());
            }
        }
    }
}
