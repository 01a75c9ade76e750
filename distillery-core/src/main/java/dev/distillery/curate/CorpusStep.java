package dev.distillery.curate;

import java.util.ArrayList;
import java.util.List;

/**
 * A step that must see every record before it can decide about any (deduplication). An engine
 * streams the records through a {@link Pass}, which keeps only a compact key per record (a hash, a
 * MinHash sketch), never the records themselves; the {@link Decision} then judges each record when
 * the engine streams the corpus again.
 */
public interface CorpusStep extends CurateStep {
    Pass begin();

    /** Gathers what the step needs to know about the corpus. */
    interface Pass {
        /** Sees one record that reached this step; called from many threads at once. */
        void observe(String id, String text);

        /** Called once after every record was observed; may note changes (such as pairs found) in {@code report}. */
        Decision decide(StepReport report);
    }

    /** The step's judgement, once it has seen the corpus. */
    interface Decision {
        /** Why the record is removed, or null if it is kept. */
        String removedFor(String id, String text);
    }

    @Override
    default List<Doc> apply(List<Doc> docs, StepReport report) {
        Pass pass = begin();
        docs.parallelStream().forEach(d -> pass.observe(d.id(), d.text()));
        Decision decision = pass.decide(report);
        List<Doc> out = new ArrayList<>();
        for (Doc d : docs) {
            String why = decision.removedFor(d.id(), d.text());
            if (why == null) {
                out.add(d);
            } else {
                report.removed(d, why);
            }
        }
        return out;
    }
}
