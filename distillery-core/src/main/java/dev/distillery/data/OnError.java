package dev.distillery.data;

/** What a reader does with a bad record: stop with an error, or skip it and count it. */
public enum OnError {
    FAIL,
    SKIP
}
