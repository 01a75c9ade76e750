package dev.distillery.data.sources;

import dev.distillery.data.Dataset;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** A public data set Distillery can fetch, verify and cache by itself. */
public interface KnownDataset {

    String name();

    String description();

    /** Named parts, e.g. "train" and "test"; the first is the default. */
    List<String> splits();

    Path directory();

    boolean isCached();

    /** Fetches and verifies the data set unless a verified copy is cached; reports steps to {@code log}. */
    FetchReport fetch(Consumer<String> log);

    Dataset load(String split);
}
