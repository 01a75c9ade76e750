package dev.distillery.curate;

import java.util.List;
import java.util.Objects;

/**
 * A step that decides each record on its own text alone (normalization, quality rules, redaction,
 * language, decontamination against a fixed test set), so any engine can run it record by record,
 * on any number of threads or machines.
 */
public interface RecordStep extends CurateStep {
    /** The verdict on one record's text; called from many threads at once. */
    Verdict check(String text);

    @Override
    default List<Doc> apply(List<Doc> docs, StepReport report) {
        return docs.parallelStream().map(d -> apply(this, d, report)).filter(Objects::nonNull).toList();
    }

    /** Runs {@code step} on {@code doc}, recording the outcome; the record to keep, or null. */
    static Doc apply(RecordStep step, Doc doc, StepReport report) {
        Verdict v = step.check(doc.text());
        v.changes().forEach(report::changed);
        if (!v.kept()) {
            report.removed(doc, v.removedFor());
        }
        return keptAs(doc, v);
    }

    /** The record a verdict leaves: null if removed, the same record if its text did not change. */
    static Doc keptAs(Doc doc, Verdict v) {
        return !v.kept() ? null : v.text().equals(doc.text()) ? doc : doc.withText(v.text());
    }
}
