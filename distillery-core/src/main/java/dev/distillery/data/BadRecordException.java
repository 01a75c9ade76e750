package dev.distillery.data;

/**
 * One bad record in otherwise readable input, met under {@link OnError#FAIL}: a command that takes {@code --on-error} could
 * skip it and count it instead, which the CLI says beside the error. Problems with the file as a whole (missing, no
 * header, broken quoting) are plain {@link DataFormatException}s.
 */
public class BadRecordException extends DataFormatException {
    private static final long serialVersionUID = 1L;

    public BadRecordException(String location, String problem, String expected) {
        super(location, problem, expected);
    }
}
