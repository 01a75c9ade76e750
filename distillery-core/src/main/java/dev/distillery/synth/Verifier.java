package dev.distillery.synth;

import java.util.List;

/**
 * One check a synthetic candidate must pass before it may train anything. Each rejection carries a
 * reason, so acceptance rates can be reported per reason.
 */
public interface Verifier<T> {
    String name();

    /** For each candidate, why it is rejected, or null if it passes. Batched so a model can score many at once. */
    List<String> check(List<Candidate<T>> candidates);
}
