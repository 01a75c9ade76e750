package dev.distillery.data;

import java.util.List;

/**
 * A data set read from a file, with the records that were skipped under {@link OnError#SKIP}
 * (their count and the first few reasons) so that nothing disappears silently, and warnings about records that were
 * kept but not read cleanly (a mail part that did not decode, kept raw).
 */
public record ReadResult(Dataset dataset, int skipped, List<String> skipReasons, List<String> warnings) {
    public ReadResult {
        skipReasons = List.copyOf(skipReasons);
        warnings = List.copyOf(warnings);
    }

    public ReadResult(Dataset dataset, int skipped, List<String> skipReasons) {
        this(dataset, skipped, skipReasons, List.of());
    }

    static final int MAX_REASONS = 20;
}
