package dev.distillery.util;

import java.util.regex.Pattern;

/**
 * Regular expressions used on every record, compiled once: {@code String.split} and {@code String.replaceAll} compile
 * their pattern again on each call, which made it a large part of normalizing and shingling a corpus.
 */
public final class Patterns {
    /** Runs of characters that are neither letters nor digits: what separates words. */
    public static final Pattern WORD_BREAK = Pattern.compile("[^\\p{L}\\p{N}]+");
    /** Runs of whitespace. */
    public static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private Patterns() {}
}
