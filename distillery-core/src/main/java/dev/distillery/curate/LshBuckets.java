package dev.distillery.curate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Candidate pairs from locality-sensitive hashing: items that share a bucket in at least one band. */
final class LshBuckets {
    private LshBuckets() {}

    /** A pair of item positions, a < b. */
    interface PairConsumer {
        void accept(int a, int b);
    }

    /**
     * Calls {@code pairs} once for every pair of items whose band keys agree in some band. {@code keys.get(i)} holds
     * item i's key per band, or is empty for an item that takes no part (a text too short to shingle).
     */
    static void forEachCandidate(List<long[]> keys, int bands, PairConsumer pairs) {
        Set<Long> seen = new HashSet<>();
        for (int band = 0; band < bands; band++) {
            Map<Long, List<Integer>> buckets = new HashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                if (keys.get(i).length > 0) {
                    buckets.computeIfAbsent(keys.get(i)[band], k -> new ArrayList<>(2)).add(i);
                }
            }
            for (List<Integer> bucket : buckets.values()) {
                for (int x = 0; x < bucket.size(); x++) {
                    for (int y = x + 1; y < bucket.size(); y++) {
                        int a = Math.min(bucket.get(x), bucket.get(y));
                        int b = Math.max(bucket.get(x), bucket.get(y));
                        if (seen.add(((long) a << 32) | b)) {
                            pairs.accept(a, b);
                        }
                    }
                }
            }
        }
    }
}
