package dev.distillery.curate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A step that decides each record on its own text alone (normalization, quality rules, redaction,
 * language, decontamination against a fixed test set), so any engine can run it record by record,
 * on any number of threads or machines.
 */
public interface RecordStep extends CurateStep {
    /** The verdict on one record's text; called from many threads at once. */
    Verdict check(String text);

    /**
     * Rewrites the other fields of a kept record in place, as this step rewrites its text, and returns the changes by
     * kind. Redaction does (personal data hides in any field); filters and normalization leave fields alone.
     */
    default Map<String, Long> rewriteFields(ObjectNode record) {
        return Map.of();
    }

    /** Whether {@link #rewriteFields} can change anything: only then is a record's JSON copied (or, on Spark, parsed). */
    default boolean rewritesFields() {
        return false;
    }

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
        return keptAs(step, doc, v, report::changed);
    }

    /**
     * The record a verdict leaves: null if removed, else the record with the verdict's text and the step's rewritten
     * fields (the same record if neither changed); field changes go to {@code changes}.
     */
    static Doc keptAs(RecordStep step, Doc doc, Verdict v, BiConsumer<String, Long> changes) {
        if (!v.kept()) {
            return null;
        }
        Doc kept = v.text().equals(doc.text()) ? doc : doc.withText(v.text());
        if (!step.rewritesFields()) {
            return kept;
        }
        ObjectNode fields = kept.fields().deepCopy();
        Map<String, Long> fieldChanges = step.rewriteFields(fields);
        if (fieldChanges.isEmpty()) {
            return kept;
        }
        fieldChanges.forEach(changes);
        return new Doc(kept.id(), kept.text(), fields);
    }
}
