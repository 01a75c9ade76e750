package dev.distillery.train;

import dev.distillery.data.ColumnNames;
import dev.distillery.data.OnError;
import dev.distillery.model.ModelSpec;

/**
 * Everything a training run needs, with every default resolved: written to {@code config.json}
 * so that the run can be reproduced or resumed.
 *
 * @param data               training data: a known data set name or a file
 * @param test               test data, or null to split {@code testFraction} off {@code data}
 * @param testFraction       share of {@code data} held out for testing when {@code test} is null
 * @param validationFraction share of the training part held out for early stopping; 0 for none
 * @param labeled            use only this many labels of the training part ("1%", "0.01", "600"), or null for all
 * @param model              the network to build; null picks the default for the data (CNN for images, n-gram bag for text)
 * @param train              optimizer, schedule, epochs, seed
 * @param onError            what to do with bad records
 * @param selfTraining       semi-supervised self-training on unlabeled data after the labeled round, or null for none
 * @param extra              more labeled training examples (e.g. synthetic ones) added to the training part after every
 *                           split, so they never reach validation or test, or null for none
 * @param corrections        a label-corrections file ({@link dev.distillery.data.Corrections}) applied to {@code data} as it
 *                           is read, before any split; null for none
 * @param columns            the columns holding the label and the text ({@code --label-column}, {@code --text-column});
 *                           null or absent (runs saved before) for "label" and "text"
 */
public record TrainSpec(String data, String test, double testFraction, double validationFraction, String labeled,
        ModelSpec model, TrainConfig train, OnError onError, SelfTraining selfTraining, String extra, String corrections,
        @com.fasterxml.jackson.annotation.JsonInclude(value = com.fasterxml.jackson.annotation.JsonInclude.Include.CUSTOM,
                valueFilter = ColumnNames.IsDefault.class) ColumnNames columns) {

    /** A run that reads the label and text from the columns so named. */
    public TrainSpec(String data, String test, double testFraction, double validationFraction, String labeled, ModelSpec model,
            TrainConfig train, OnError onError, SelfTraining selfTraining, String extra, String corrections) {
        this(data, test, testFraction, validationFraction, labeled, model, train, onError, selfTraining, extra, corrections, null);
    }

    /** A run without label corrections. */
    public TrainSpec(String data, String test, double testFraction, double validationFraction, String labeled, ModelSpec model,
            TrainConfig train, OnError onError, SelfTraining selfTraining, String extra) {
        this(data, test, testFraction, validationFraction, labeled, model, train, onError, selfTraining, extra, null);
    }

    /** A run with no extra training examples. */
    public TrainSpec(String data, String test, double testFraction, double validationFraction, String labeled, ModelSpec model,
            TrainConfig train, OnError onError, SelfTraining selfTraining) {
        this(data, test, testFraction, validationFraction, labeled, model, train, onError, selfTraining, null);
    }

    /** A supervised run: no self-training. */
    public TrainSpec(String data, String test, double testFraction, double validationFraction, String labeled, ModelSpec model,
            TrainConfig train, OnError onError) {
        this(data, test, testFraction, validationFraction, labeled, model, train, onError, null);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public TrainSpec {
        if (data == null || data.isBlank()) {
            throw new IllegalArgumentException("data must name a data set or a file");
        }
        if (test == null && !(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("with no test set, testFraction must be in (0, 1), got: " + testFraction);
        }
        if (validationFraction < 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("validationFraction must be in [0, 1), got: " + validationFraction);
        }
        java.util.Objects.requireNonNull(train, "train");
        java.util.Objects.requireNonNull(onError, "onError");
        columns = columns == null ? ColumnNames.DEFAULT : columns;
    }

    /** This spec with another model (null: left to auto). */
    public TrainSpec withModel(ModelSpec newModel) {
        return new TrainSpec(data, test, testFraction, validationFraction, labeled, newModel, train, onError, selfTraining, extra, corrections, columns);
    }

    /** This spec with another training configuration. */
    public TrainSpec withTrain(TrainConfig newTrain) {
        return new TrainSpec(data, test, testFraction, validationFraction, labeled, model, newTrain, onError, selfTraining, extra, corrections, columns);
    }

    /** This spec without semi-supervised learning. */
    public TrainSpec withoutSelfTraining() {
        return new TrainSpec(data, test, testFraction, validationFraction, labeled, model, train, onError, null, extra, corrections, columns);
    }

    /** This spec with {@code file} as its extra labeled training examples (null: none). */
    public TrainSpec withExtra(String file) {
        return new TrainSpec(data, test, testFraction, validationFraction, labeled, model, train, onError, selfTraining, file, corrections, columns);
    }

    /** This spec with the label corrections in {@code file} applied to its training data (null: none). */
    public TrainSpec withCorrections(String file) {
        return new TrainSpec(data, test, testFraction, validationFraction, labeled, model, train, onError, selfTraining, extra, file, columns);
    }

    /** This spec reading its label and text from the columns {@code names} says. */
    public TrainSpec withColumns(ColumnNames names) {
        return new TrainSpec(data, test, testFraction, validationFraction, labeled, model, train, onError, selfTraining, extra, corrections, names);
    }
}
