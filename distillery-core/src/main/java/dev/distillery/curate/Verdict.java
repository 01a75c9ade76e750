package dev.distillery.curate;

import java.io.Serializable;
import java.util.Map;

/**
 * What a per-record step decided about one record: keep it (with its text, changed or not) or remove
 * it for a reason; and what it changed, by kind, so the funnel can count redactions and the like.
 */
public record Verdict(String text, String removedFor, Map<String, Long> changes) implements Serializable {
    public static Verdict keep(String text) {
        return new Verdict(text, null, Map.of());
    }

    public static Verdict changed(String text, Map<String, Long> changes) {
        return new Verdict(text, null, changes);
    }

    public static Verdict remove(String reason) {
        return new Verdict(null, reason, Map.of());
    }

    public boolean kept() {
        return removedFor == null;
    }
}
