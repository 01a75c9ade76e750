package dev.distillery.data;

import java.util.List;

/**
 * A data set read from a file, with the records that were skipped under {@link OnError#SKIP}
 * (their count and the first few reasons) so that nothing disappears silently.
 */
public record ReadResult(Dataset dataset, int skipped, List<String> skipReasons) {
    public ReadResult {
        skipReasons = List.copyOf(skipReasons);
    }

    static final int MAX_REASONS = 20;
}
