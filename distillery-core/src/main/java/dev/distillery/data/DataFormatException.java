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

    /**
     * {@code file} does not exist: the error says what its directory holds instead (the files of the same stem first:
     * train.jsonl for a train.csv that is not there) or that the directory itself is missing, so a wrong ending or a
     * wrong folder shows in the message, not after a listing by hand.
     */
    public static DataFormatException notFound(java.nio.file.Path file, String expected) {
        java.nio.file.Path dir = file.toAbsolutePath().getParent();
        String problem = "file not found";
        if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
            problem += "; there is no directory " + dir;
        } else if (dir != null) {
            String name = file.getFileName().toString();
            String stem = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
            try (java.util.stream.Stream<java.nio.file.Path> entries = java.nio.file.Files.list(dir)) {
                java.util.List<String> names = entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                        .sorted(java.util.Comparator.comparing((String n) -> !n.startsWith(stem + ".")).thenComparing(n -> n))
                        .toList();
                problem += names.isEmpty() ? "; its directory is empty"
                        : "; its directory holds " + dev.distillery.util.Listing.firstOf(names, 5, ", ");
            } catch (java.io.IOException | RuntimeException e) {
                // unreadable directory: the plain message
            }
        }
        return new DataFormatException(file.toString(), problem, expected);
    }

    /** File plus line or record, e.g. {@code data.jsonl:17}. */
    public String location() {
        return location;
    }
}
