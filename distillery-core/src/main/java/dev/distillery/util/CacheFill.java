package dev.distillery.util;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Time this process spent filling content-addressed caches (encoder embeddings, teacher outputs): work a later run
 * over the same inputs will not repeat. Runs record their share, so an estimate made from a run that filled caches
 * can leave that work out when the caches are now warm. Nested fills (teacher outputs that embed texts) count once.
 */
public final class CacheFill {
    private static final AtomicLong NANOS = new AtomicLong();
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private CacheFill() {}

    /** Runs {@code work}, which computes entries a cache did not have, and counts its time. */
    public static <T> T time(Supplier<T> work) {
        int[] depth = DEPTH.get();
        long start = depth[0]++ == 0 ? System.nanoTime() : -1;
        try {
            return work.get();
        } finally {
            depth[0]--;
            if (start >= 0) {
                NANOS.addAndGet(System.nanoTime() - start);
            }
        }
    }

    /** Seconds spent filling caches in this process so far. */
    public static double seconds() {
        return NANOS.get() / 1e9;
    }
}
