package dev.distillery.serve;

import dev.distillery.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching for one model: requests wait in a bounded queue; one worker thread takes the oldest, gathers more
 * for at most {@code maxWait} or until {@code maxBatch} instances, and runs the model once for all of them. A full
 * queue refuses at once ({@link QueueFullException}) instead of growing without end; a request whose deadline passes
 * is answered with a timeout at once, leaves the queue and is never computed. {@link #close} stops taking requests
 * and finishes every one already queued.
 */
public final class Batcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

    /** Thrown by {@link #submit} when the queue is full: the caller should retry later. */
    public static final class QueueFullException extends RuntimeException {
        QueueFullException(String message) {
            super(message);
        }
    }

    private record Pending(List<Example> instances, long deadlineNanos, CompletableFuture<float[][]> result) {}

    private final String name;
    private final String version;
    private final Predictor predictor;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Pending> queue;
    private final ServeMetrics metrics;
    private final Thread worker;
    private volatile boolean accepting = true;
    private Pending carried; // taken from the queue but too big for the batch being gathered: first of the next

    public Batcher(String name, String version, Predictor predictor, int maxBatch, long maxWaitMicros, int queueCapacity,
            ServeMetrics metrics) {
        if (maxBatch < 1 || queueCapacity < 1 || maxWaitMicros < 0) {
            throw new IllegalArgumentException("maxBatch and queueCapacity must be >= 1 and maxWait >= 0");
        }
        this.name = name;
        this.version = version;
        this.predictor = predictor;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = TimeUnit.MICROSECONDS.toNanos(maxWaitMicros);
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.metrics = metrics;
        this.worker = new Thread(this::work, "distillery-batcher-" + name + "-" + version);
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Queues {@code instances} for one model call shared with other requests; the future completes with their
     * probabilities, or exceptionally with a {@link TimeoutException} (as the cause of a {@code CompletionException}) as
     * soon as {@code deadlineNanos} (System.nanoTime) passes first.
     */
    public CompletableFuture<float[][]> submit(List<Example> instances, long deadlineNanos) {
        if (!accepting) {
            throw new QueueFullException("the server is shutting down");
        }
        Pending p = new Pending(instances, deadlineNanos, new CompletableFuture<>());
        if (!queue.offer(p)) {
            throw new QueueFullException("model " + name + " has " + queue.size() + " requests waiting, its limit");
        }
        metrics.queueDepth.labelValues(name, version).set(queue.size());
        // A request that times out while it waits leaves the queue before its caller hears of it, so a caller who retries
        // on the timeout finds the place free instead of a queue still full of answers nobody will read.
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        return p.result().orTimeout(left, TimeUnit.NANOSECONDS).whenComplete((probs, failure) -> {
            if (failure != null && queue.remove(p)) {
                metrics.queueDepth.labelValues(name, version).set(queue.size());
            }
        });
    }

    /** Requests waiting now. */
    public int queued() {
        return queue.size();
    }

    public Predictor predictor() {
        return predictor;
    }

    private void work() {
        while (accepting || carried != null || !queue.isEmpty()) {
            try {
                List<Pending> batch = gather();
                if (!batch.isEmpty()) {
                    run(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.error("batcher for {} failed outside a model call", name, e); // keep serving the next requests
            }
        }
    }

    private List<Pending> gather() throws InterruptedException {
        List<Pending> batch = new ArrayList<>();
        Pending first = carried != null ? carried : queue.poll(50, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
            return batch;
        }
        batch.add(first);
        int size = first.instances().size();
        long until = System.nanoTime() + maxWaitNanos;
        while (size < maxBatch) {
            long left = until - System.nanoTime();
            Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            if (size + next.instances().size() > maxBatch) {
                carried = next;
                break;
            }
            batch.add(next);
            size += next.instances().size();
        }
        metrics.queueDepth.labelValues(name, version).set(queue.size());
        return batch;
    }

    private void run(List<Pending> batch) {
        long now = System.nanoTime();
        List<Pending> live = new ArrayList<>(batch.size());
        List<Example> instances = new ArrayList<>();
        for (Pending p : batch) {
            if (now > p.deadlineNanos()) {
                p.result().completeExceptionally(new TimeoutException("the request waited past its deadline"));
            } else {
                live.add(p);
                instances.addAll(p.instances());
            }
        }
        if (live.isEmpty()) {
            return;
        }
        metrics.batchSize.labelValues(name, version).observe(instances.size());
        try {
            float[][] probs = predictor.probabilities(instances);
            int at = 0;
            for (Pending p : live) {
                int n = p.instances().size();
                p.result().complete(java.util.Arrays.copyOfRange(probs, at, at + n));
                at += n;
            }
        } catch (RuntimeException | Error e) {
            for (Pending p : live) {
                p.result().completeExceptionally(e);
            }
        }
    }

    /** Stops taking requests, answers every queued one, then stops the worker (waiting at most 10 s for it). */
    @Override
    public void close() {
        accepting = false;
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.result().completeExceptionally(new QueueFullException("the server stopped before this request ran"));
        }
    }
}
