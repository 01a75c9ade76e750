package dev.distillery.data;

import java.util.List;

/**
 * A data set read from a file, with the records that were skipped under {@link OnError#SKIP}
 * (their count and the first few reasons) so that nothing disappears silently, and warnings about records that were
 * kept but not read cleanly (a mail part that did not decode, kept raw), and, for a CSV or JSON Lines file, the line each
 * example's record starts on ({@code recordLines}, in the data set's order; null for other sources), so that a part of
 * the file can be written as its own records ({@link DataFiles#copyRecords}).
 */
public record ReadResult(Dataset dataset, int skipped, List<String> skipReasons, List<String> warnings, long[] recordLines) {
    public ReadResult {
        skipReasons = List.copyOf(skipReasons);
        warnings = List.copyOf(warnings);
        if (recordLines != null && recordLines.length != dataset.size()) {
            throw new IllegalArgumentException(recordLines.length + " record lines for " + dataset.size() + " examples");
        }
    }

    public ReadResult(Dataset dataset, int skipped, List<String> skipReasons, List<String> warnings) {
        this(dataset, skipped, skipReasons, warnings, null);
    }

    /**
     * Whether every record was read without an id of its own, under the one its line gives it ({@code line-N}): a copy
     * of such records must carry that id, or it would be read under its lines in the copy.
     */
    public boolean idsAreLines() {
        if (recordLines == null) {
            return false;
        }
        for (int i = 0; i < dataset.size(); i++) {
            if (!dataset.get(i).id().equals("line-" + recordLines[i])) {
                return false;
            }
        }
        return true;
    }

    /** This read with {@code same} in place of its data set: the same records, one example each, in the same order. */
    public ReadResult withDataset(Dataset same) {
        return new ReadResult(same, skipped, skipReasons, warnings, recordLines);
    }

    public ReadResult(Dataset dataset, int skipped, List<String> skipReasons) {
        this(dataset, skipped, skipReasons, List.of());
    }

    /** Reasons kept for skipped records; the count goes on. */
    public static final int MAX_REASONS = 20;

    /** Reasons a console report shows; the count says how many more there were. */
    static final int SHOWN_REASONS = 5;

    /** {@link #skippedReport(int, List, String)} of this read. */
    public List<String> skippedReport() {
        return skippedReport(skipped, skipReasons, null);
    }

    /**
     * What {@code --on-error skip} left out, as console lines, the one form every command prints: how many records
     * ({@code source}, if not null, says of which input), then the first reasons (each names the file and the line or
     * record, and what was expected) and how many more there were. No lines when nothing was left out.
     */
    public static List<String> skippedReport(int skipped, List<String> reasons, String source) {
        if (skipped == 0) {
            return List.of();
        }
        List<String> lines = new java.util.ArrayList<>();
        lines.add(String.format("skipped %,d bad record%s%s%s", skipped, skipped == 1 ? "" : "s",
                source == null ? "" : " in " + source, reasons.isEmpty() ? "" : ":"));
        int shown = Math.min(SHOWN_REASONS, reasons.size());
        reasons.subList(0, shown).forEach(r -> lines.add("  " + r));
        if (shown > 0 && skipped > shown) {
            lines.add(String.format("  and %,d more", skipped - shown));
        }
        return lines;
    }
}
