package dev.distillery.synth;

import java.util.List;
import java.util.Random;

/** Produces candidate examples, each with the label it is meant to have; verifiers decide which are kept. */
public interface Generator<T> {
    String name();

    /** {@code n} candidates built from, or sampled to resemble, the labeled {@code examples}. */
    List<Candidate<T>> generate(List<T> examples, int[] labels, int n, Random rng);
}
