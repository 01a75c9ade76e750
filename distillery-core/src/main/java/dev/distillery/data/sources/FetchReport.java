package dev.distillery.data.sources;

import java.util.List;
import java.util.Map;

/**
 * What a fetch did: where the data came from, the checksums it verified, and what it had to skip
 * (with reasons), so a user can see that nothing was dropped silently.
 */
public record FetchReport(
        String dataset, String origin, boolean fromCache, Map<String, String> checksums,
        Map<String, Long> counts, int skipped, List<String> notes) {
    public FetchReport {
        checksums = Map.copyOf(checksums);
        counts = Map.copyOf(counts);
        notes = List.copyOf(notes);
    }
}
