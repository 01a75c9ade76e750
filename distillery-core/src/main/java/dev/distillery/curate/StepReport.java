package dev.distillery.curate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one step did: records in and out, removals by reason (with a few samples each), and changes by kind. */
public final class StepReport {
    static final int SAMPLES_PER_REASON = 3;

    private final String step;
    private int in;
    private int out;
    private double seconds;
    private final Map<String, Integer> removed = new LinkedHashMap<>();
    private final Map<String, List<String>> samples = new LinkedHashMap<>();
    private final Map<String, Long> changes = new LinkedHashMap<>();

    public StepReport(String step) {
        this.step = step;
    }

    /** A report from counts another engine gathered (no samples). */
    public static StepReport of(String step, long in, long out, double seconds, Map<String, Long> removed,
            Map<String, Long> changes) {
        StepReport r = new StepReport(step);
        r.counts(Math.toIntExact(in), Math.toIntExact(out), seconds);
        removed.forEach((why, n) -> r.removed.put(why, Math.toIntExact(n)));
        r.changes.putAll(changes);
        return r;
    }

    public synchronized void removed(Doc doc, String reason) {
        removed.merge(reason, 1, Integer::sum);
        List<String> s = samples.computeIfAbsent(reason, k -> new ArrayList<>());
        if (s.size() < SAMPLES_PER_REASON) {
            // Whichever step removed the record, its sample goes through the same redaction as the output: reports are
            // outputs too.
            s.add(dev.distillery.data.PersonalData.redacted(doc.id()) + ": " + dev.distillery.data.PersonalData.excerpt(doc.text(), 200));
        }
    }

    public synchronized void changed(String kind, long count) {
        if (count > 0) {
            changes.merge(kind, count, Long::sum);
        }
    }

    void counts(int recordsIn, int recordsOut, double elapsedSeconds) {
        this.in = recordsIn;
        this.out = recordsOut;
        this.seconds = elapsedSeconds;
    }

    /** Wall-clock seconds the step took. */
    public double seconds() {
        return seconds;
    }

    public String step() {
        return step;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public Map<String, Integer> removed() {
        return removed;
    }

    public Map<String, List<String>> samples() {
        return samples;
    }

    public Map<String, Long> changes() {
        return changes;
    }
}
