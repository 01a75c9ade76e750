package dev.distillery.train;

import dev.distillery.data.ColumnNames;
import dev.distillery.data.DataFiles;
import dev.distillery.data.DataFormatException;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.MissingValues;
import dev.distillery.data.OnError;
import dev.distillery.data.Splits;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.Classifier;
import dev.distillery.model.LinearSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a table with one column of free text beside its numbers and categories (a support ticket's description beside its
 * product and priority) is read as when the user names no text column: its columns as features, or that text. A table's
 * model cannot read both, and either may carry the labels' signal (the ticket's words; a patient's measurements beside
 * a nurse's note), so the linear model is cross-validated on each view of the same labels and the better one is read;
 * a tie keeps the table. {@code train} decides once, before its run is recorded, on its training labels alone, so
 * every later reading of the run's data (its test set, {@code eval}, {@code predict}) reads the same columns; {@code
 * label issues} decides on all the labels it checks.
 */
public final class TextColumnChoice {
    private TextColumnChoice() {}

    /**
     * The one free-text column of the table file {@code ref} read with {@code names}, where the user named no text column
     * ({@code names}' text is the default) and there is exactly one; else empty (a known data set, a text file, none or
     * several such columns).
     */
    public static Optional<String> candidate(String ref, ColumnNames names, DataCatalog catalog) {
        if (!names.text().equals(ColumnNames.DEFAULT.text()) || catalog.isKnown(ref) || !Files.isRegularFile(Path.of(ref))) {
            return Optional.empty();
        }
        List<String> freeText = DataFiles.freeTextColumns(Path.of(ref), names);
        return freeText.size() == 1 ? Optional.of(freeText.get(0)) : Optional.empty();
    }

    /**
     * {@code names} with {@code ref}'s free-text column as the text where the linear model cross-validates better on it
     * than on the table's columns, judged on every labeled record; {@code names} otherwise.
     */
    public static ColumnNames forAllLabels(String ref, ColumnNames names, DataCatalog catalog, OnError onError, long seed,
            TrainListener listener) {
        Optional<String> column = candidate(ref, names, catalog);
        if (column.isEmpty()) {
            return names;
        }
        ColumnNames asText = new ColumnNames(names.label(), column.get());
        try {
            Dataset table = MissingValues.learn(labeled(catalog.withColumns(names).load(ref, onError, m -> { }).dataset()), m -> { });
            Dataset text = labeled(catalog.withColumns(asText).load(ref, onError, m -> { }).dataset());
            return readsTextBetter(table, text, column.get(), seed, listener) ? asText : names;
        } catch (DataFormatException | IllegalArgumentException e) {
            return names; // the job's own reading reports what is wrong with the file
        }
    }

    /**
     * {@code spec}, reading its data's free-text column as the text where that is the better view; unchanged where the
     * user named a model or a text column, the data is not a table file with exactly one free-text column, or its labels
     * are too few to cross-validate. {@code prepareQuietly} reads and splits the data as the run will, saying nothing.
     */
    static TrainSpec resolve(TrainSpec spec, DataCatalog catalog, java.util.function.Function<TrainSpec, TrainJob.Splits3> prepareQuietly,
            TrainListener listener) {
        Optional<String> column = spec.model() == null ? candidate(spec.data(), spec.columns(), catalog) : Optional.empty();
        if (column.isEmpty()) {
            return spec;
        }
        TrainSpec asText = spec.withColumns(new ColumnNames(spec.columns().label(), column.get()));
        try {
            // The labels the run trains on (the table's split and --labeled budget), less any record the text's own split
            // would test on, so the choice looks at no label that scores the model; both views are judged on those records.
            TrainJob.Splits3 tableSplits = prepareQuietly.apply(spec);
            Dataset tableLabels = tableSplits.train().plus("labels", tableSplits.validation());
            Set<String> judged = new java.util.HashSet<>(ids(tableLabels));
            if (spec.test() == null) {
                judged.removeAll(ids(prepareQuietly.apply(asText).test()));
            }
            Dataset textRecords = catalog.withColumns(asText.columns()).load(spec.data(), spec.onError(), m -> { }).dataset();
            Dataset table = tableLabels.filter("table", e -> judged.contains(e.id()));
            Dataset text = labeled(textRecords).filter("text", e -> judged.contains(e.id()));
            return readsTextBetter(table, text, column.get(), spec.train().seed(), listener) ? asText : spec;
        } catch (DataFormatException | IllegalArgumentException e) {
            return spec; // the job's own reading reports what is wrong with the file
        }
    }

    /**
     * Whether the linear model cross-validates better on {@code text} (the records read with {@code column} as their
     * text) than on {@code table} (the same records read as a table), said in two lines; false where some class has
     * fewer than 2 labels to compare them on.
     */
    private static boolean readsTextBetter(Dataset tableLabels, Dataset textLabels, String column, long seed, TrainListener listener) {
        Dataset table = sample(tableLabels, seed);
        Dataset text = sample(textLabels, seed);
        if (CrossValidation.smallestClass(table) < 2 || CrossValidation.smallestClass(text) < 2) {
            listener.onMessage("columns: '" + column + "' holds free text beside the table's other columns; with fewer than 2 labels"
                    + " of some class the two cannot be compared, so the table's columns are read (--text-column " + column
                    + " reads the text instead)");
            return false;
        }
        int folds = Math.min(LinearFit.MAX_FOLDS, Math.min(CrossValidation.smallestClass(table), CrossValidation.smallestClass(text)));
        double tableAccuracy = linearAccuracy(table, folds, seed);
        double textAccuracy = linearAccuracy(text, folds, seed);
        boolean readText = textAccuracy > tableAccuracy;
        listener.onMessage(String.format("columns: '%s' holds free text beside the table's other columns; linear, %d-fold"
                + " cross-validation on %,d labels: the table's columns %.4f, the text %.4f", column, folds, table.size(),
                tableAccuracy, textAccuracy));
        listener.onMessage(readText
                ? "columns: '" + column + "' is read as the text, not the table's other columns (--text-column names the text"
                        + " column yourself)"
                : "columns: the table's columns are read, not '" + column + "' (--text-column " + column + " reads the text instead)");
        return readText;
    }

    private static Dataset labeled(Dataset data) {
        return data.filter(data.name(), Example::hasLabel);
    }

    private static List<String> ids(Dataset data) {
        return data.examples().stream().map(Example::id).toList();
    }

    /**
     * At most {@link AutoSelect#CV_MAX_LABELS} of {@code labeled} (a stratified sample), without a class of one label, as
     * {@link AutoSelect} cross-validates them.
     */
    private static Dataset sample(Dataset labeled, long seed) {
        return CrossValidation.withoutSingletons(labeled.size() > AutoSelect.CV_MAX_LABELS
                ? Splits.labeledSubset(labeled, AutoSelect.CV_MAX_LABELS, seed).first() : labeled, "columns", TrainListener.NONE);
    }

    /** The linear model's best cross-validated accuracy over its settings on {@code data}. */
    private static double linearAccuracy(Dataset data, int folds, long seed) {
        try (Classifier probe = Classifier.create(LinearSpec.DEFAULT, data.schema())) {
            Map<LinearFit.Setting, Double> cv = LinearFit.crossValidate(probe, LinearFit.settings(LinearSpec.DEFAULT), data, folds,
                    seed, new java.util.IdentityHashMap<>());
            return cv.get(LinearFit.best(cv));
        }
    }
}
