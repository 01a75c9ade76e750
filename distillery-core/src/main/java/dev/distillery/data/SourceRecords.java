package dev.distillery.data;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records of a CSV or JSON Lines file as the file holds them, for a person who judges its examples: an annotator
 * labeling a table needs its free-text description, dates and identifiers, which the examples (what a model reads)
 * leave out. Every column is shown but the id, the label and those of personal data.
 */
public final class SourceRecords {
    private final Path file;
    private final Map<String, Long> lineOfId;
    private final Set<String> personal;
    private final ColumnNames names;
    /** Whether every record was read under the id its line gives it, {@code line-N}, having none of its own. */
    private final boolean idsAreLines;

    private SourceRecords(Path file, Map<String, Long> lineOfId, Set<String> personal, ColumnNames names, boolean idsAreLines) {
        this.file = file;
        this.lineOfId = lineOfId;
        this.personal = personal;
        this.names = names;
        this.idsAreLines = idsAreLines;
    }

    /**
     * The records behind {@code read}, the read of {@code file} with {@code names}; null when the file is not one whose
     * records can be found by line (another format, or a read that does not know its records' lines).
     */
    public static SourceRecords of(Path file, ReadResult read, ColumnNames names) {
        if (read.recordLines() == null || !DataFiles.copiesRecords(file)) {
            return null;
        }
        Map<String, Long> lineOfId = new HashMap<>();
        for (int i = 0; i < read.dataset().size(); i++) {
            lineOfId.put(read.dataset().get(i).id(), read.recordLines()[i]);
        }
        return new SourceRecords(file, lineOfId, Set.copyOf(DataFiles.personalColumns(file, names).keySet()), names,
                read.idsAreLines());
    }

    /** The file's format, as a copy of its records is named: csv, tsv or jsonl. */
    public String extension() {
        return DataFiles.recordsExtension(file);
    }

    /**
     * Writes to {@code out} the records that {@code labels} (by id) gives a label, each as the file holds it but its
     * personal data, under its id, with that label in the label column; returns how many.
     */
    public int writeLabeled(Map<String, String> labels, Path out) {
        Map<Long, String> byLine = new HashMap<>();
        labels.forEach((id, label) -> {
            Long line = lineOfId.get(id);
            if (line != null) {
                byLine.put(line, label);
            }
        });
        DataFiles.copyRecords(file, RecordCopy.labeled(byLine::containsKey, idsAreLines, personal, names.label(), byLine::get), out);
        return byLine.size();
    }

    /** Each example's record by its id, as its columns and values in the file's order; none for an id not read from it. */
    public Map<String, Map<String, String>> of(List<Example> examples) {
        Set<Long> lines = new HashSet<>();
        examples.forEach(e -> {
            Long line = lineOfId.get(e.id());
            if (line != null) {
                lines.add(line);
            }
        });
        Set<String> hidden = new HashSet<>(personal);
        hidden.add(names.label());
        hidden.add("id");
        Map<Long, Map<String, String>> byLine = DataFiles.recordsAt(file, lines, hidden);
        Map<String, Map<String, String>> byId = new LinkedHashMap<>();
        for (Example e : examples) {
            Long line = lineOfId.get(e.id());
            if (line != null && byLine.containsKey(line)) {
                byId.put(e.id(), byLine.get(line));
            }
        }
        return byId;
    }
}
