package dev.distillery.curate;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.data.DataFiles;
import dev.distillery.data.OnError;
import dev.distillery.data.LikelyLabels;
import dev.distillery.data.ReadResult;
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
    public record Outcome(Run run, Path out, int train, int test, int skipped, int testDuplicatedInTraining, String description) {}

    /** The recorded configuration of a split. */
    public record Settings(String data, @JsonProperty("test_fraction") double testFraction, long seed, String out,
            @JsonProperty("on_error") String onError, String format) {}

    /** The file format the parts are written in, by its extension. */
    public enum Format {
        JSONL, CSV;

        String fileName(String part) {
            return part + "." + name().toLowerCase(java.util.Locale.ROOT);
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

    public Outcome run(String ref, double testFraction, long seed, Path out, Format format, OnError onError, List<String> args) {
        ReadResult r = catalog.load(ref, onError, log);
        if (r.dataset().labeledCount() == 0 && !r.dataset().schema().featureNames().isEmpty()) {
            // a table whose labels are under another header: its files would hold them as a feature, lost to training
            log.accept("warning: none of the " + r.dataset().size() + " records of " + ref + " has a label, so the split is"
                    + " not stratified" + LikelyLabels.hint(r.dataset(), "split"));
        }
        Path train = out.resolve(format.fileName("train"));
        Path test = out.resolve(format.fileName("test"));
        return new StageRunner(runs).run(Stage.<Settings, Outcome>named("data split", new Settings(ref, testFraction, seed, out.toString(),
                        onError.name(), format.name().toLowerCase(java.util.Locale.ROOT)))
                .seeded(seed)
                .reads(catalog.inputFiles(ref, log))
                .does(run -> {
                    DuplicateGroups duplicates = new DuplicateGroups();
                    DuplicateGroups.Split split = duplicates.splitOf(r.dataset(), testFraction, seed, "train", "test");
                    var parts = split.parts();
                    DataFiles.write(parts.first(), train);
                    DataFiles.write(parts.second(), test);
                    return new Outcome(run, out, parts.first().size(), parts.second().size(), r.skipped(),
                            duplicates.testDuplicatedInTraining(parts.first(), parts.second()), split.describe());
                })
                .reports(SplitJob::results, o -> "# Split " + o.run().id() + "\n\n`" + ref + "` -> `" + out + "`: "
                        + o.train() + " training and " + o.test() + " test examples; " + o.description() + "\n")
                .writes((run, o) -> Map.of("train", train, "test", test)), args);
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
