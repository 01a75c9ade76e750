package dev.distillery.curate;

import dev.distillery.util.Hashing;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exact duplicates by normalized content ({@link Normalize#key}): of each group of records with the
 * same content, the one with the smallest id is kept, so the result does not depend on input order
 * (and a distributed engine keeps the same one). While it reads the corpus it holds one content
 * hash and one id per distinct content, not the records.
 */
public final class ExactDedup implements CorpusStep {
    @Override
    public String name() {
        return "exact-dedup";
    }

    /** The content key two records must share to be exact duplicates. */
    public static String key(String text) {
        return Hashing.sha256(Normalize.key(text));
    }

    @Override
    public Pass begin() {
        Map<String, String> keeper = new ConcurrentHashMap<>();
        return new Pass() {
            @Override
            public void observe(String id, String text) {
                keeper.merge(key(text), id, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }

            @Override
            public Decision decide(StepReport report) {
                return (id, text) -> keeper.get(key(text)).equals(id) ? null : "exact duplicate";
            }
        };
    }
}
