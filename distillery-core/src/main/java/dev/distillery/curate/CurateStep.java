package dev.distillery.curate;

import java.util.List;

/** One curation step over the whole corpus: returns the records it keeps (possibly changed), in input order. */
public interface CurateStep {
    String name();

    List<Doc> apply(List<Doc> docs, StepReport report);
}
