package dev.distillery.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers examples while a reader walks a file, applying the {@link OnError} policy to bad records
 * in one place so every format fails or skips the same way.
 */
final class RecordCollector {
    private final String file;
    private final OnError onError;
    private final List<Example> examples = new ArrayList<>();
    private final List<String> reasons = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    /** The line each example's record starts on, for the readers that know it; -1 where a reader does not. */
    private long[] lines = new long[64];
    private boolean everyLineKnown = true;
    private int skipped;

    RecordCollector(String file, OnError onError) {
        this.file = file;
        this.onError = onError;
    }

    void add(Example e) {
        add(e, -1);
    }

    /** Adds {@code e}, read from the record that starts on {@code line} of the file. */
    void add(Example e, long line) {
        if (examples.size() == lines.length) {
            lines = java.util.Arrays.copyOf(lines, lines.length * 2);
        }
        lines[examples.size()] = line;
        everyLineKnown &= line >= 0;
        examples.add(e);
    }

    /** Reports a bad record: throws under FAIL, counts it under SKIP. */
    void bad(String where, String problem, String expected) {
        DataFormatException error = new BadRecordException(file + ":" + where, problem, expected);
        if (onError == OnError.FAIL) {
            throw error;
        }
        skipped++;
        if (reasons.size() < ReadResult.MAX_REASONS) {
            reasons.add(error.getMessage());
        }
    }

    /** Something a reader of the file should know that is not a bad record (columns nothing reads). */
    void warn(String warning) {
        warnings.add(warning);
    }

    List<Example> examples() {
        return examples;
    }

    int skipped() {
        return skipped;
    }

    ReadResult finish(List<Long> denseShape) {
        return finish(denseShape, List.of());
    }

    /** The data set read, its dense features shaped {@code denseShape} (null: flat) and named {@code featureNames} (empty: unnamed). */
    ReadResult finish(List<Long> denseShape, List<String> featureNames) {
        if (examples.isEmpty()) {
            String why = skipped > 0 ? "all " + skipped + " records were bad" : "the file holds no records";
            throw new DataFormatException(file, "empty data set: " + why, "at least one valid record");
        }
        Dataset data = Dataset.infer(file, examples, denseShape);
        if (!featureNames.isEmpty() && data.schema().kind() == Schema.Kind.DENSE) {
            data = data.withSchema(data.schema().withFeatureNames(featureNames));
        }
        return new ReadResult(data, skipped, reasons, warnings, everyLineKnown ? java.util.Arrays.copyOf(lines, examples.size()) : null);
    }
}
