package dev.distillery.curate;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.data.DataFiles;
import dev.distillery.data.OnError;
import dev.distillery.data.LikelyLabels;
import dev.distillery.data.ReadResult;
import dev.distillery.data.RecordCopy;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code data split} as a library call: a seeded, stratified train/test split written as two files (JSONL, or CSV for
 * a spreadsheet), duplicates kept on one side, recorded as a run so that what trains on the parts can be traced back to the data they came from.
 */
public final class SplitJob {
    /**
     * {@code copiedFrom}: the file whose records the parts hold as they are, or null when they were written from the
     * examples; {@code leftOut}: its columns of personal data, not copied.
     */
    public record Outcome(Run run, Path out, int train, int test, int skipped, int testDuplicatedInTraining, String description,
            Path copiedFrom, List<String> leftOut) {}

    /** The recorded configuration of a split ({@code format}: the parts' extension). */
    public record Settings(String data, @JsonProperty("test_fraction") double testFraction, long seed, String out,
            @JsonProperty("on_error") String onError, String format, @JsonProperty("copies_records") boolean copiesRecords) {}

    /** The file format the parts are written in from the examples read, by its extension. */
    public enum Format {
        JSONL, CSV;

        String extension() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final DataCatalog catalog;
    private final RunStore runs;
    private final Consumer<String> log;

    public SplitJob(DataCatalog catalog, RunStore runs, Consumer<String> log) {
        this.catalog = catalog;
        this.runs = runs;
        this.log = log == null ? s -> {} : log;
    }

    /**
     * Splits {@code ref} into {@code out}/train and test. {@code format} null: a CSV, TSV or JSON Lines file's parts are
     * its own records ({@link #recordsToCopy}), anything else JSONL written from the examples; a format names what the
     * parts are written in, the file's own records again where it is the file's own format.
     */
    public Outcome run(String ref, double testFraction, long seed, Path out, Format format, OnError onError, List<String> args) {
        ReadResult r = catalog.load(ref, onError, log);
        if (r.dataset().labeledCount() == 0 && !r.dataset().schema().featureNames().isEmpty()) {
            // a table whose labels are under another header: its files would hold them as a feature, lost to training
            log.accept("warning: none of the " + r.dataset().size() + " records of " + ref + " has a label, so the split is"
                    + " not stratified" + LikelyLabels.hint(r.dataset(), "split"));
        }
        Path records = recordsToCopy(ref, r, format);
        String extension = records != null ? DataFiles.recordsExtension(records) : (format == null ? Format.JSONL : format).extension();
        Path train = out.resolve("train." + extension);
        Path test = out.resolve("test." + extension);
        return new StageRunner(runs).run(Stage.<Settings, Outcome>named("data split", new Settings(ref, testFraction, seed, out.toString(),
                        onError.name(), extension, records != null))
                .seeded(seed)
                .reads(catalog.inputFiles(ref, log))
                .does(run -> {
                    DuplicateGroups duplicates = new DuplicateGroups();
                    DuplicateGroups.Split split = duplicates.splitOf(r.dataset(), testFraction, seed, "train", "test");
                    var parts = split.parts();
                    List<String> leftOut = List.of();
                    if (records != null) {
                        Map<dev.distillery.data.Example, Long> lineOf = new java.util.IdentityHashMap<>();
                        for (int i = 0; i < r.dataset().size(); i++) {
                            lineOf.put(r.dataset().get(i), r.recordLines()[i]);
                        }
                        boolean lineIds = r.idsAreLines();
                        // personal data stays out of what the tool writes, as it stays out of what a model reads
                        Map<String, String> personal = DataFiles.personalColumns(records, catalog.columns());
                        personal.forEach((column, kind) -> log.accept("column '" + column + "' holds personal data (" + kind
                                + "): left out of the parts, as no model reads it"));
                        DataFiles.copyRecords(records, RecordCopy.of(linesOf(parts.first(), lineOf)::contains, lineIds, personal.keySet()), train);
                        DataFiles.copyRecords(records, RecordCopy.of(linesOf(parts.second(), lineOf)::contains, lineIds, personal.keySet()), test);
                        leftOut = List.copyOf(personal.keySet());
                    } else {
                        DataFiles.write(parts.first(), train);
                        DataFiles.write(parts.second(), test);
                    }
                    return new Outcome(run, out, parts.first().size(), parts.second().size(), r.skipped(),
                            duplicates.testDuplicatedInTraining(parts.first(), parts.second()), split.describe(), records, leftOut);
                })
                .reports(SplitJob::results, o -> "# Split " + o.run().id() + "\n\n`" + ref + "` -> `" + out + "`: "
                        + o.train() + " training and " + o.test() + " test examples; " + o.description() + "\n")
                .writes((run, o) -> Map.of("train", train, "test", test)), args);
    }

    /**
     * The file whose records the parts are to hold as they are, or null to write the parts from the examples read: a
     * CSV, TSV or JSON Lines file split into its own format. A table's examples hold only what a model reads, so parts
     * written from them lost its other columns: a ticket table's free-text description, which {@code train} may choose
     * as the text, its dates and identifiers.
     */
    private Path recordsToCopy(String ref, ReadResult r, Format format) {
        if (catalog.isKnown(ref) || r.recordLines() == null) {
            return null;
        }
        Path file = Path.of(ref);
        if (!DataFiles.copiesRecords(file) || format != null && !format.extension().equals(DataFiles.recordsExtension(file))) {
            return null;
        }
        long distinct = java.util.Arrays.stream(r.recordLines()).distinct().count();
        return distinct == r.recordLines().length ? file : null; // one record a line, as copying them needs
    }

    private static java.util.Set<Long> linesOf(dev.distillery.data.Dataset part, Map<dev.distillery.data.Example, Long> lineOf) {
        java.util.Set<Long> lines = new java.util.HashSet<>();
        part.examples().forEach(e -> lines.add(lineOf.get(e)));
        return lines;
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_examples", o.train());
        m.put("test_examples", o.test());
        m.put("skipped_records", o.skipped());
        m.put("test_duplicated_in_training", o.testDuplicatedInTraining());
        return m;
    }
}
