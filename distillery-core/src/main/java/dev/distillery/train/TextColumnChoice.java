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
 * What a table with columns of free text beside its numbers and categories (a support ticket's description beside its
 * product and priority) is read as when the user names no text column: its columns as features, or one of those texts.
 * A table's model cannot read both, and either may carry the labels' signal (the ticket's words; a patient's
 * measurements beside a nurse's note), so the linear model is cross-validated on each view of the same labels and the
 * best one is read; a tie keeps the table. {@code train} decides once, before its run is recorded, on its training labels
 * alone, so every later reading of the run's data (its test set, {@code eval}, {@code predict}) reads the same columns;
 * {@code label issues} decides on all the labels it checks. Only a table with a free-text column pays for the choice:
 * its file is read once more for each view.
 */
public final class TextColumnChoice {
    private TextColumnChoice() {}

    /**
     * The free-text columns of the table file {@code ref} read with {@code names}, where the user named no text column
     * ({@code names}' text is the default); else none (also for a known data set or a text file).
     */
    public static List<String> candidates(String ref, ColumnNames names, DataCatalog catalog) {
        if (!names.text().equals(ColumnNames.DEFAULT.text()) || catalog.isKnown(ref) || !Files.isRegularFile(Path.of(ref))) {
            return List.of();
        }
        return DataFiles.freeTextColumns(Path.of(ref), names);
    }

    /**
     * {@code names} with the one of {@code ref}'s free-text columns as the text on which the linear model cross-validates
     * best, where that beats the table's columns, judged on every labeled record; {@code names} otherwise.
     */
    public static ColumnNames forAllLabels(String ref, ColumnNames names, DataCatalog catalog, OnError onError, long seed,
            TrainListener listener) {
        return choose(ref, names, catalog, onError, TextColumnChoice::labeled, seed, listener);
    }

    /**
     * {@link #forAllLabels}, judged on {@code answers} (record id to label, of the label set {@code labels}: a labeling
     * project's) in place of the labels the file may hold.
     */
    public static ColumnNames forAnswers(String ref, ColumnNames names, DataCatalog catalog, OnError onError, List<String> labels,
            Map<String, String> answers, long seed, TrainListener listener) {
        return choose(ref, names, catalog, onError, data -> new Dataset(data.name(), data.schema().withLabels(labels),
                data.examples().stream().filter(e -> answers.containsKey(e.id())).map(e -> e.withLabel(answers.get(e.id()))).toList()),
                seed, listener);
    }

    /** The choice of {@link #forAllLabels}, on the labeled records {@code labeledOf} finds in each reading of {@code ref}. */
    private static ColumnNames choose(String ref, ColumnNames names, DataCatalog catalog, OnError onError,
            java.util.function.UnaryOperator<Dataset> labeledOf, long seed, TrainListener listener) {
        ColumnNames lone = catalog.withLoneText(ref, names, listener::onMessage);
        if (!lone.equals(names)) {
            return lone;
        }
        List<String> columns = candidates(ref, names, catalog);
        if (columns.isEmpty()) {
            return names;
        }
        try {
            Dataset table = MissingValues.learn(labeledOf.apply(catalog.withColumns(names).load(ref, onError, m -> { }).dataset()), m -> { });
            Map<String, Dataset> texts = new java.util.LinkedHashMap<>();
            for (String column : columns) {
                texts.put(column, labeledOf.apply(catalog.withColumns(asText(names, column)).load(ref, onError, m -> { }).dataset()));
            }
            return bestText(table, texts, "labels", seed, listener).map(column -> asText(names, column)).orElse(names);
        } catch (DataFormatException | IllegalArgumentException e) {
            return names; // the job's own reading reports what is wrong with the file
        }
    }

    /**
     * {@code spec}, reading one of its data's free-text columns as the text where that is the better view; unchanged
     * where the user named a model or a text column, the data is not a table file with a free-text column, or its labels
     * are too few to cross-validate. {@code prepareQuietly} reads and splits the data as the run will, saying nothing.
     */
    static TrainSpec resolve(TrainSpec spec, DataCatalog catalog, java.util.function.Function<TrainSpec, TrainJob.Splits3> prepareQuietly,
            TrainListener listener) {
        ColumnNames lone = catalog.withLoneText(spec.data(), spec.columns(), listener::onMessage);
        if (!lone.equals(spec.columns())) {
            return spec.withColumns(lone); // whatever the model: a text model is the one that can read it
        }
        List<String> columns = spec.model() == null ? candidates(spec.data(), spec.columns(), catalog) : List.of();
        if (columns.isEmpty()) {
            return spec;
        }
        try {
            // The labels the run trains on (the table's split and --labeled budget), less any record a text's own split
            // would test on, so the choice looks at no label that scores the model; every view is judged on those records.
            TrainJob.Splits3 tableSplits = prepareQuietly.apply(spec);
            Dataset tableLabels = tableSplits.train().plus("labels", tableSplits.validation());
            Set<String> judged = new java.util.HashSet<>(ids(tableLabels));
            if (spec.test() == null) {
                for (String column : columns) {
                    judged.removeAll(ids(prepareQuietly.apply(spec.withColumns(asText(spec.columns(), column))).test()));
                }
            }
            Map<String, Dataset> texts = new java.util.LinkedHashMap<>();
            for (String column : columns) {
                Dataset records = catalog.withColumns(asText(spec.columns(), column)).load(spec.data(), spec.onError(), m -> { }).dataset();
                texts.put(column, labeled(records).filter("text", e -> judged.contains(e.id())));
            }
            Dataset table = tableLabels.filter("table", e -> judged.contains(e.id()));
            return bestText(table, texts, "labels judged on (none the run may test on)", spec.train().seed(), listener)
                    .map(column -> spec.withColumns(asText(spec.columns(), column))).orElse(spec);
        } catch (DataFormatException | IllegalArgumentException e) {
            return spec; // the job's own reading reports what is wrong with the file
        }
    }

    private static ColumnNames asText(ColumnNames names, String column) {
        return new ColumnNames(names.label(), column);
    }

    /**
     * The free-text column (a key of {@code texts}: the same records read with that column as their text) on which the
     * linear model cross-validates best, if it beats {@code table} (the records read as a table); ties go to the table,
     * then to the earlier column. Said in two lines ({@code judged} names the labels in the count); empty where some class
     * has fewer than 2 labels to compare them on.
     */
    private static Optional<String> bestText(Dataset tableLabels, Map<String, Dataset> textLabels, String judged, long seed,
            TrainListener listener) {
        String named = String.join(", ", textLabels.keySet().stream().map(c -> "'" + c + "'").toList());
        String holds = named + (textLabels.size() == 1 ? " holds" : " hold") + " free text beside the table's other columns";
        String instead = " (--text-column " + textLabels.keySet().iterator().next() + " reads " + (textLabels.size() == 1 ? "the" : "a")
                + " text instead)";
        Dataset table = sample(tableLabels, seed);
        Set<String> sampled = new java.util.HashSet<>(ids(table)); // every view judged on the very records of the table's sample
        Map<String, Dataset> texts = new java.util.LinkedHashMap<>();
        textLabels.forEach((column, data) -> texts.put(column, data.filter(data.name(), e -> sampled.contains(e.id()))));
        int smallest = Math.min(CrossValidation.smallestClass(table),
                texts.values().stream().mapToInt(CrossValidation::smallestClass).min().orElse(0));
        if (smallest < 2) {
            // the count the user can check: the labels it judged on ({@code judged}: train's, after those the run may test
            // on were set aside)
            listener.onMessage(String.format("columns: %s; of the %,d %s, some class has fewer than 2, so they cannot be compared"
                    + " and the table's columns are read%s", holds, table.size(), judged, instead));
            return Optional.empty();
        }
        int folds = Math.min(LinearFit.MAX_FOLDS, smallest);
        double best = linearAccuracy(table, folds, seed);
        StringBuilder scores = new StringBuilder(String.format("the table's columns %.4f", best));
        String chosen = null;
        for (Map.Entry<String, Dataset> text : texts.entrySet()) {
            double accuracy = linearAccuracy(text.getValue(), folds, seed);
            scores.append(String.format(", %s %.4f", textLabels.size() == 1 ? "the text" : "'" + text.getKey() + "'", accuracy));
            if (accuracy > best) {
                best = accuracy;
                chosen = text.getKey();
            }
        }
        listener.onMessage(String.format("columns: %s; linear, %d-fold cross-validation on %,d labels: %s", holds, folds, table.size(),
                scores));
        listener.onMessage(chosen != null
                ? "columns: '" + chosen + "' is read as the text, not the table's other columns (--text-column names the text"
                        + " column yourself)"
                : "columns: the table's columns are read, not " + named + instead);
        return Optional.ofNullable(chosen);
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
