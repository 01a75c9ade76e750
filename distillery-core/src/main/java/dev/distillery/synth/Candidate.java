package dev.distillery.synth;

/** A generated example with the label it was generated for and the generator that made it. */
public record Candidate<T>(T example, int label, String generator) {}
