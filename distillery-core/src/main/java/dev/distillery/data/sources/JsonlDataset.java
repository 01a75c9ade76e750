package dev.distillery.data.sources;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.JsonlFormat;
import dev.distillery.data.OnError;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A known data set cached as one JSONL file of examples beside its manifest, with one split, {@code all}: what the
 * fetchers that parse an archive into examples (SpamAssassin, State of the Union) share.
 */
abstract class JsonlDataset implements KnownDataset {
    private final String name;
    private final Path dir;
    private final String fileName;
    /** What one example is called in counts and messages ("messages", "passages"). */
    private final String unit;

    JsonlDataset(String name, Path datasetsRoot, String fileName, String unit) {
        this.name = name;
        this.dir = datasetsRoot.resolve(name);
        this.fileName = fileName;
        this.unit = unit;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<String> splits() {
        return List.of("all");
    }

    @Override
    public final Path directory() {
        return dir;
    }

    final Path examplesFile() {
        return dir.resolve(fileName);
    }

    @Override
    public final boolean isCached() {
        return Files.isRegularFile(examplesFile()) && Files.isRegularFile(dir.resolve("manifest.json"));
    }

    /** The report of a fetch the cache answered. */
    final FetchReport cachedReport() {
        Map<String, Object> manifest = Manifest.read(dir);
        return new FetchReport(name, "cache " + dir, true, Map.of(fileName, Hashing.sha256(examplesFile())),
                Map.of(unit, (long) load("all").size()), ((Number) manifest.getOrDefault("skipped", 0)).intValue(), List.of());
    }

    /**
     * Writes {@code examples} and the manifest atomically (with {@code extraCounts} after the per-label counts) and
     * returns the fetch's report.
     */
    final FetchReport save(List<Example> examples, String origin, Map<String, String> archiveSums, Map<String, Long> extraCounts,
            int skipped, List<String> notes, Consumer<String> log) {
        Dataset data = Dataset.infer(name, examples, null);
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put(unit, (long) examples.size());
        data.labelCounts().forEach((k, v) -> counts.put(k, (long) v));
        counts.putAll(extraCounts);
        AtomicFiles.writeDirectory(dir, target -> {
            JsonlFormat.write(data, target.resolve(fileName));
            Map<String, String> sums = new LinkedHashMap<>(archiveSums);
            sums.put(fileName, Hashing.sha256(target.resolve(fileName)));
            Manifest.write(target, name, origin, sums, counts, skipped, notes);
        });
        log.accept("saved " + examples.size() + " " + unit + " " + data.labelCounts() + " to " + examplesFile());
        return new FetchReport(name, origin, false, archiveSums, counts, skipped, notes);
    }

    @Override
    public final Dataset load(String split) {
        if (!split.equals("all")) {
            throw new IllegalArgumentException(name + " has one split, 'all'; split it with --test-fraction or data split");
        }
        Dataset data = JsonlFormat.read(examplesFile(), OnError.FAIL).dataset();
        return new Dataset(name, data.schema(), data.examples());
    }
}
