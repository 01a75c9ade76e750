package dev.distillery.synth;

/**
 * A candidate must not be a near copy of one accepted before it: a generator stuck on one output would
 * otherwise fill the synthetic set with the same example, which adds weight but no information.
 */
public final class Novelty<T> {
    private final SimilarityIndex<T> accepted;
    private final double threshold;

    public Novelty(SimilarityIndex<T> accepted, double threshold) {
        this.accepted = accepted;
        this.threshold = threshold;
    }

    public String name() {
        return "novelty";
    }

    /** Why {@code c} is not novel, or null. */
    public String check(Candidate<T> c) {
        return accepted.maxSimilarity(c.example()) >= threshold ? "too close to an accepted candidate (similarity >= " + threshold + ")" : null;
    }

    public void remember(Candidate<T> c) {
        accepted.add(c.example());
    }
}
