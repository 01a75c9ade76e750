package dev.distillery.data.sources;

import dev.distillery.data.ColumnNames;
import dev.distillery.data.DataFiles;
import dev.distillery.data.Dataset;
import dev.distillery.data.MissingValues;
import dev.distillery.data.OnError;
import dev.distillery.data.ReadResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Resolves what a user names as data: a known data set ({@code fashion-mnist},
 * {@code fashion-mnist:test}, {@code spamassassin}, {@code digits}, {@code wine}, {@code breast-cancer}, {@code sotu-era}, {@code sotu-party}), fetched on
 * first use, or a file path.
 */
public final class DataCatalog {
    private final List<KnownDataset> known;
    /** The label and text columns the user named (null: not named), over the defaults or a model's own. */
    private final String label;
    private final String text;

    public DataCatalog(Path datasetsRoot) {
        this(all(datasetsRoot));
    }

    /** A catalog of {@code known} data sets (tests give their own). */
    DataCatalog(List<KnownDataset> known) {
        this(known, null, null);
    }

    private DataCatalog(List<KnownDataset> known, String label, String text) {
        this.known = List.copyOf(known);
        this.label = label == null || label.isBlank() ? null : label;
        this.text = text == null || text.isBlank() ? null : text;
    }

    /**
     * This catalog reading a file's label and text from the columns {@code names} says ({@code --label-column},
     * {@code --text-column}); the data's schema keeps them, so a model trained on it reads later files the same way.
     * Known data sets are read as they always are. The defaults ({@code label}, {@code text}) name nothing: a file read
     * for a model is then read by the model's own columns.
     */
    public DataCatalog withColumns(ColumnNames names) {
        return names == null || names.isDefault() ? new DataCatalog(known, null, null)
                : new DataCatalog(known, names.label(), names.text());
    }

    /**
     * This catalog with the label column {@code label} and the text column {@code text} where given (null: not named):
     * a file read for a model takes the model's own for the one not named ({@code eval --label-column outcome} on a text
     * model trained with {@code --text-column body} reads the text from body).
     */
    public DataCatalog withColumns(String label, String text) {
        return new DataCatalog(known, label, text);
    }

    /** The columns a file is read by without a model: those named, else the defaults. */
    public ColumnNames columns() {
        return columnsFor(null);
    }

    /** The columns a file is read by: those named, else {@code model}'s (null: no model yet), else the defaults. */
    private ColumnNames columnsFor(dev.distillery.data.Schema model) {
        ColumnNames base = model != null ? model.columns() : ColumnNames.DEFAULT;
        return new ColumnNames(label != null ? label : base.label(), text != null ? text : base.text());
    }

    private static List<KnownDataset> all(Path datasetsRoot) {
        List<KnownDataset> all = new java.util.ArrayList<>(List.of(new FashionMnist(datasetsRoot), new SpamAssassin(datasetsRoot)));
        all.addAll(SklearnBundled.all(datasetsRoot));
        all.addAll(StateOfTheUnion.all(datasetsRoot));
        return all;
    }

    public List<KnownDataset> known() {
        return known;
    }

    public Optional<KnownDataset> find(String name) {
        return known.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    public KnownDataset require(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown data set '" + name
                + "'; known: " + known.stream().map(KnownDataset::name).toList()));
    }

    /** True if {@code ref} names a known data set rather than a file. */
    public boolean isKnown(String ref) {
        return find(ref.split(":", 2)[0]).isPresent() && !java.nio.file.Files.exists(Path.of(ref));
    }

    /**
     * {@code names} with the text column {@code ref}'s file implies where none is named: a table's one column beside its
     * id and labels, where that column holds words, not numbers (a list of words with their sentiment, of products with
     * their category), which nothing but a text model can learn from; said through {@code say}. {@code names} otherwise
     * (also for a known data set or a text file). Every file read without a model goes through it ({@link #loadFor});
     * {@code train} asks first, so its run records the column for the reads of its model.
     */
    public ColumnNames withLoneText(String ref, ColumnNames names, Consumer<String> say) {
        if (!names.text().equals(ColumnNames.DEFAULT.text()) || isKnown(ref) || !java.nio.file.Files.isRegularFile(Path.of(ref))) {
            return names;
        }
        return DataFiles.loneWordsColumn(Path.of(ref), names).map(column -> {
            say.accept("columns: '" + column + "' is read as the text: it is the file's one column beside its id and "
                    + (names.label().equals(ColumnNames.DEFAULT.label()) ? "labels" : "labels ('" + names.label() + "')")
                    + ", and it holds words, not numbers (--text-column names the text column yourself)");
            return new ColumnNames(names.label(), column);
        }).orElse(names);
    }

    /** Loads {@code ref}; known data sets are fetched first if they are not cached. */
    public ReadResult load(String ref, OnError onError, Consumer<String> log) {
        return loadFor(ref, null, onError, log);
    }

    /**
     * Loads {@code ref} to be read by a model of {@code model}'s schema (null: no model yet): images (a file or a folder)
     * at the model's size and channels, as {@code serve} reads them, and missing values filled in with the model's
     * values ({@link MissingValues#fill}); anything else as {@link #load} does. Without a model, missing values stay
     * missing (NaN): the data a model is trained on fills them with its own medians ({@link MissingValues#learn}).
     */
    public ReadResult loadFor(String ref, dev.distillery.data.Schema model, OnError onError, Consumer<String> log) {
        if (isKnown(ref)) {
            String[] parts = ref.split(":", 2);
            KnownDataset ds = require(parts[0]);
            ensureCached(ds, log);
            Dataset data = ds.load(parts.length > 1 ? parts[1] : ds.splits().get(0));
            return new ReadResult(data, 0, List.of());
        }
        if (!ref.contains("/") && !ref.contains(".") && !java.nio.file.Files.exists(Path.of(ref))) {
            // a bare word is a data set's name more often than a file's: a mistyped name gets the names, not a directory listing
            throw new dev.distillery.data.DataFormatException(ref, "no such file, and no known data set of that name",
                    "a file, or a known data set: " + String.join(", ", known.stream().map(KnownDataset::name).toList()));
        }
        // a model reads a file by the columns it was trained with, unless the caller names others
        ColumnNames names = model == null ? withLoneText(ref, columnsFor(null), log) : columnsFor(model);
        if (model != null && model.kind() == dev.distillery.data.Schema.Kind.TEXT) {
            // a text model's table without its text column was read as numeric features and refused by its first word
            DataFiles.tableColumns(Path.of(ref), names).filter(columns -> columns.stream().noneMatch(names::isText))
                    .ifPresent(columns -> {
                        throw new dev.distillery.data.DataFormatException(ref + ":line 1", "no column '" + names.text()
                                + "', the text the model reads (its columns: " + String.join(", ", columns) + ")",
                                "a column '" + names.text() + "', or --text-column naming the column that holds the text");
                    });
        }
        ReadResult read = model != null && model.kind() == dev.distillery.data.Schema.Kind.DENSE
                ? DataFiles.readFor(Path.of(ref), onError, model, names) : DataFiles.read(Path.of(ref), onError, names, model != null);
        if (!names.isDefault()) {
            Dataset named = read.dataset().withSchema(read.dataset().schema().withColumns(names));
            read = read.withDataset(named);
        }
        read.warnings().forEach(w -> log.accept("warning: " + w));
        if (model != null) {
            read = read.withDataset(MissingValues.fill(read.dataset(), model, log));
        }
        return read;
    }

    /** {@link #loadFor}, saying how many bad records were skipped. */
    public Dataset loadDatasetFor(String ref, dev.distillery.data.Schema model, OnError onError, Consumer<String> log) {
        return counted(loadFor(ref, model, onError, log), ref, log);
    }

    /** Loads {@code ref} and says how many bad records were skipped, so no job drops records silently. */
    public Dataset loadDataset(String ref, OnError onError, Consumer<String> log) {
        return counted(load(ref, onError, log), ref, log);
    }

    private static Dataset counted(ReadResult r, String ref, Consumer<String> log) {
        if (r.skipped() > 0) {
            log.accept("skipped " + r.skipped() + " bad records in " + ref);
        }
        return r.dataset();
    }

    private static void ensureCached(KnownDataset ds, Consumer<String> log) {
        if (!ds.isCached()) {
            log.accept(ds.name() + " is not cached yet; fetching it into " + ds.directory());
            ds.fetch(log);
        }
    }

    /**
     * The files a reference reads, for input checksums in provenance and a recipe stage's identity; a known data set
     * not yet cached is fetched first (reading it would fetch it moments later). Listed before the fetch, its files
     * were none: the run that fetched a data set recorded no checksum of it, and a recipe's stage, its identity changed
     * by the fetch, ran again the second time instead of being cached.
     */
    public List<Path> inputFiles(String ref, Consumer<String> log) {
        if (isKnown(ref)) {
            ensureCached(require(ref.split(":", 2)[0]), log);
        }
        return inputFiles(ref);
    }

    /** The files a reference reads as things stand: none for a known data set not yet fetched (a plan fetches nothing). */
    public List<Path> inputFiles(String ref) {
        if (isKnown(ref)) {
            KnownDataset ds = require(ref.split(":", 2)[0]);
            try (var files = java.nio.file.Files.list(ds.directory())) {
                return files.filter(p -> !p.getFileName().toString().equals("manifest.json")).sorted().toList();
            } catch (java.io.IOException e) {
                return List.of();
            }
        }
        return List.of(Path.of(ref));
    }
}
