package dev.distillery.train;

import dev.distillery.data.ColumnNames;
import dev.distillery.data.DataFiles;
import dev.distillery.data.DataFormatException;
import dev.distillery.data.Dataset;
import dev.distillery.data.Splits;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.Classifier;
import dev.distillery.model.LinearSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a table with one column of free text beside its numbers and categories (a support ticket's description beside its
 * product and priority) is trained on when the user names no text column: its columns as features, or that text. A
 * table's model cannot read both, and either may carry the labels' signal (the ticket's words; a patient's measurements
 * beside a nurse's note), so the linear model is cross-validated on each view of the same labels and the better one is
 * read; a tie keeps the table. Decided once, before the run is recorded, so every later reading of the run's data (its
 * test set, {@code eval}, {@code predict}) reads the same columns.
 */
final class TextColumnChoice {
    private TextColumnChoice() {}

    /**
     * {@code spec}, reading its data's free-text column as the text where that is the better view; unchanged where the
     * user named a model or a text column, the data is not a table file with exactly one free-text column, or its labels
     * are too few to cross-validate. {@code prepareQuietly} reads and splits the data as the run will, saying nothing.
     */
    static TrainSpec resolve(TrainSpec spec, DataCatalog catalog, java.util.function.Function<TrainSpec, TrainJob.Splits3> prepareQuietly,
            TrainListener listener) {
        if (spec.model() != null || !spec.columns().text().equals(ColumnNames.DEFAULT.text()) || catalog.isKnown(spec.data())
                || !Files.isRegularFile(Path.of(spec.data()))) {
            return spec;
        }
        List<String> freeText = DataFiles.freeTextColumns(Path.of(spec.data()), spec.columns());
        if (freeText.size() != 1) {
            return spec;
        }
        String column = freeText.get(0);
        TrainSpec asText = spec.withColumns(new ColumnNames(spec.columns().label(), column));
        Dataset table;
        Dataset text;
        try {
            // The labels the run trains on (the table's split and --labeled budget), less any record the text's own split
            // would test on, so the choice looks at no label that scores the model; both views are judged on those records.
            TrainJob.Splits3 tableSplits = prepareQuietly.apply(spec);
            Dataset tableLabels = tableSplits.train().plus("labels", tableSplits.validation());
            java.util.Set<String> judged = new java.util.HashSet<>(ids(tableLabels));
            if (spec.test() == null) {
                judged.removeAll(ids(prepareQuietly.apply(asText).test()));
            }
            Dataset textRecords = catalog.withColumns(asText.columns()).load(spec.data(), spec.onError(), message -> { }).dataset();
            table = sample(tableLabels.filter("table", e -> judged.contains(e.id())), spec);
            text = sample(textRecords.filter("text", e -> e.hasLabel() && judged.contains(e.id())), spec);
        } catch (DataFormatException | IllegalArgumentException e) {
            return spec; // the job's own reading reports what is wrong with the file
        }
        if (CrossValidation.smallestClass(table) < 2 || CrossValidation.smallestClass(text) < 2) {
            listener.onMessage("columns: '" + column + "' holds free text beside the table's other columns; with fewer than 2 labels"
                    + " of some class the two cannot be compared, so the table's columns are read (--text-column " + column
                    + " reads the text instead)");
            return spec;
        }
        int folds = Math.min(LinearFit.MAX_FOLDS, Math.min(CrossValidation.smallestClass(table), CrossValidation.smallestClass(text)));
        long seed = spec.train().seed();
        double tableAccuracy = linearAccuracy(table, folds, seed);
        double textAccuracy = linearAccuracy(text, folds, seed);
        boolean readText = textAccuracy > tableAccuracy;
        listener.onMessage(String.format("columns: '%s' holds free text beside the table's other columns; linear, %d-fold"
                + " cross-validation on %,d training labels: the table's columns %.4f, the text %.4f", column, folds, table.size(),
                tableAccuracy, textAccuracy));
        listener.onMessage(readText
                ? "columns: the model reads '" + column + "' as its text, not the table's other columns (--text-column names"
                        + " the text column yourself)"
                : "columns: the model reads the table's columns, not '" + column + "' (--text-column " + column
                        + " reads the text instead)");
        return readText ? asText : spec;
    }

    private static List<String> ids(Dataset data) {
        return data.examples().stream().map(dev.distillery.data.Example::id).toList();
    }

    /**
     * At most {@link AutoSelect#CV_MAX_LABELS} of {@code labeled} (a stratified sample), without a class of one label, as
     * {@link AutoSelect} cross-validates them.
     */
    private static Dataset sample(Dataset labeled, TrainSpec spec) {
        return CrossValidation.withoutSingletons(labeled.size() > AutoSelect.CV_MAX_LABELS
                ? Splits.labeledSubset(labeled, AutoSelect.CV_MAX_LABELS, spec.train().seed()).first() : labeled, "columns",
                TrainListener.NONE);
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
