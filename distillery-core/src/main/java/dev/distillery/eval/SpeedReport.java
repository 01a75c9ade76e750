package dev.distillery.eval;

import ai.djl.ndarray.NDManager;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import java.util.Arrays;
import java.util.List;

/**
 * Measured inference cost on this machine: single-example latency (p50, p99) and batch
 * throughput, plus the model's parameter count and bytes on disk.
 */
public record SpeedReport(double latencyP50Ms, double latencyP99Ms, double throughputPerSecond, int batchSize,
        long parameters, long bytesOnDisk, int threads) {

    static final int WARMUP = 20;
    /** Timing stops after this long per part (or the requested count), so slow models are measured in bounded time. */
    static final double BUDGET_SECONDS = 15;
    static final int MIN_SINGLES = 20;
    /**
     * Batches are timed for at least this long: a small model's few batches took a few hundred microseconds, where one
     * pause of the JVM moved its throughput 100-fold between two runs of the same command (a linear student at 31,942
     * and 2,297,815 examples/s).
     */
    static final double MIN_BATCH_SECONDS = 0.25;

    /**
     * The engine's speed on a {@code size} x {@code size} float matrix product, in GFLOP/s (2 n^3 per product): the
     * yardstick a training loop's FLOP/s is read against on the same machine and threads. Median of 5 rounds of
     * {@code iterations} products, after a warm-up.
     */
    public static double matmulGflops(int size, int iterations) {
        dev.distillery.model.TorchRuntime.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            var a = m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(size, size));
            var b = m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(size, size));
            for (int i = 0; i < 10; i++) {
                a.matMul(b).close();
            }
            double[] rounds = new double[5];
            for (int r = 0; r < rounds.length; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    a.matMul(b).close();
                }
                rounds[r] = 2.0 * size * size * size * iterations / ((System.nanoTime() - t0) / 1e9) / 1e9;
            }
            Arrays.sort(rounds);
            return rounds[rounds.length / 2];
        }
    }

    /**
     * Times up to {@code singles} one-example forward passes and up to {@code batches} passes of
     * {@code batchSize} examples drawn cyclically from {@code sample}, after a warm-up; throughput is the batch size over
     * the median pass. Each part
     * stops early once it has run {@link #BUDGET_SECONDS} (but times at least {@link #MIN_SINGLES}
     * single examples and one batch), so a large model is measured on fewer repetitions, not skipped; batches run for
     * at least {@link #MIN_BATCH_SECONDS}, so a fast one is measured on more.
     */
    public static SpeedReport measure(Classifier model, List<Example> sample, int singles, int batchSize, int batches,
            long bytesOnDisk) {
        if (sample.isEmpty()) {
            throw new IllegalArgumentException("need at least one example to time");
        }
        long warmupStart = System.nanoTime();
        for (int i = 0; i < WARMUP && (System.nanoTime() - warmupStart) / 1e9 < BUDGET_SECONDS / 3; i++) {
            forward(model, List.of(sample.get(i % sample.size())));
        }
        double[] ms = new double[singles];
        int timed = 0;
        long singlesStart = System.nanoTime();
        while (timed < singles && (timed < MIN_SINGLES || (System.nanoTime() - singlesStart) / 1e9 < BUDGET_SECONDS)) {
            List<Example> one = List.of(sample.get(timed % sample.size()));
            long t0 = System.nanoTime();
            forward(model, one);
            ms[timed++] = (System.nanoTime() - t0) / 1e6;
        }
        ms = Arrays.copyOf(ms, timed);
        Arrays.sort(ms);
        List<Example> batch = cycle(sample, batchSize);
        forward(model, batch);
        double[] batchSeconds = new double[16];
        int ran = 0;
        long start = System.nanoTime();
        while ((ran < batches || (System.nanoTime() - start) / 1e9 < MIN_BATCH_SECONDS)
                && (ran == 0 || (System.nanoTime() - start) / 1e9 < BUDGET_SECONDS)) {
            long t0 = System.nanoTime();
            forward(model, batch);
            batchSeconds = ran < batchSeconds.length ? batchSeconds : Arrays.copyOf(batchSeconds, 2 * batchSeconds.length);
            batchSeconds[ran++] = (System.nanoTime() - t0) / 1e9;
        }
        batchSeconds = Arrays.copyOf(batchSeconds, ran);
        Arrays.sort(batchSeconds);
        double medianBatch = percentile(batchSeconds, 0.50); // a pause of the JVM moves the mean, not the median
        int threads = dev.distillery.model.TorchRuntime.threads();
        return new SpeedReport(percentile(ms, 0.50), percentile(ms, 0.99), batchSize / medianBatch,
                batchSize, model.totalParameterCount(), bytesOnDisk, threads);
    }

    private static void forward(Classifier model, List<Example> batch) {
        try (NDManager sub = model.model().getNDManager().newSubManager()) {
            // toFloatArray forces the computation to finish before the clock stops.
            model.logitsUncached(sub, batch).toFloatArray();
        }
    }

    private static List<Example> cycle(List<Example> sample, int n) {
        Example[] out = new Example[n];
        for (int i = 0; i < n; i++) {
            out[i] = sample.get(i % sample.size());
        }
        return List.of(out);
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
