package dev.distillery.curate;

import dev.distillery.util.Hashing;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact duplicates by normalized content ({@link Normalize#key}): of each group of records with the
 * same content, the one with the smallest id is kept, so the result does not depend on input order
 * (and a distributed engine keeps the same one).
 */
public final class ExactDedup implements CurateStep {
    @Override
    public String name() {
        return "exact-dedup";
    }

    @Override
    public List<Doc> apply(List<Doc> docs, StepReport report) {
        String[] keys = docs.parallelStream().map(d -> Hashing.sha256(Normalize.key(d.text()))).toArray(String[]::new);
        Map<String, String> keeper = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            keeper.merge(keys[i], docs.get(i).id(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
        }
        java.util.ArrayList<Doc> out = new java.util.ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            Doc d = docs.get(i);
            if (keeper.get(keys[i]).equals(d.id())) {
                out.add(d);
            } else {
                report.removed(d, "exact duplicate");
            }
        }
        return out;
    }
}
