package dev.distillery.data;

/**
 * Bad input data: says which file, which line or record, what was found and what was expected.
 */
public class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String location;

    public DataFormatException(String location, String problem, String expected) {
        this(location, problem, expected, null);
    }

    public DataFormatException(String location, String problem, String expected, Throwable cause) {
        super(location + ": " + problem + (expected == null ? "" : " (expected " + expected + ")"), cause);
        this.location = location;
    }

    /** File plus line or record, e.g. {@code data.jsonl:17}. */
    public String location() {
        return location;
    }
}
