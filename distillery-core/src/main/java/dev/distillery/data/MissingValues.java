package dev.distillery.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Missing values in numeric features (an empty cell, NA or null in a table) are read as NaN, and filled in before any
 * model sees them: in the data a model is trained on, with each column's median over that data, which the schema then
 * keeps ({@link Schema#fill}); in any data read for a trained model (its test set, {@code predict}, {@code eval},
 * {@code serve}), with the model's own values, so a row reads the same wherever it is read. Every fill is counted and
 * said, by column. A category column needs none: a missing value there is none of its categories.
 */
public final class MissingValues {
    private MissingValues() {}

    /** At most this many columns are named one by one in a log line; the rest are counted. */
    private static final int NAMED = 8;

    /**
     * {@code train} with its missing values filled in by each column's median over {@code train}, and a schema that keeps
     * those values. A table (one-dimensional features) keeps one for every numeric column, so a model can fill a gap
     * its training data never had; other shapes (images) only for the features that lacked a value somewhere. Data
     * that is not dense, or has nothing to keep, comes back as it was.
     */
    public static Dataset learn(Dataset train, Consumer<String> log) {
        Schema schema = train.schema();
        if (schema.kind() != Schema.Kind.DENSE || train.isEmpty()) {
            return train;
        }
        int size = schema.featureSize();
        boolean table = schema.featureShape().size() == 1;
        int[] missing = countMissing(train.examples(), size);
        Map<String, Float> fill = new LinkedHashMap<>();
        List<String> empty = new ArrayList<>();
        for (int f = 0; f < size; f++) {
            String name = schema.featureName(f);
            if ((table || missing[f] > 0) && CsvFormat.categoryOf(name) == null) { // a category's 0/1 feature is never missing
                float median = median(train.examples(), f);
                if (Float.isNaN(median)) {
                    empty.add("'" + name + "'");
                    median = 0f;
                }
                fill.put(name, median);
            }
        }
        if (!empty.isEmpty()) {
            log.accept("warning: " + named(empty) + " of " + train.name() + " ha" + (empty.size() == 1 ? "s" : "ve")
                    + " no value in any record, so " + (empty.size() == 1 ? "it tells" : "they tell") + " the model nothing (read as 0)");
        }
        if (fill.isEmpty()) {
            return train;
        }
        Dataset filled = apply(train, fill, schema, "the column's median over this training data (kept with the model)", log);
        return filled.withSchema(schema.withFill(fill));
    }

    /**
     * {@code data}, read for a model of schema {@code model}, with its missing values filled in by the model's values
     * (by feature name, so the data's columns may come in another order). A missing value the model has no value for
     * (a model saved before missing values were filled in) is a {@link DataFormatException} naming the record and column.
     */
    public static Dataset fill(Dataset data, Schema model, Consumer<String> log) {
        if (data.schema().kind() != Schema.Kind.DENSE || data.isEmpty()) {
            return data;
        }
        int size = data.schema().featureSize();
        int[] missing = countMissing(data.examples(), size);
        Map<String, Float> fill = new LinkedHashMap<>();
        for (int f = 0; f < size; f++) {
            if (missing[f] == 0) {
                continue;
            }
            String name = nameFor(data.schema(), model, f);
            Float value = model.fill().get(name);
            if (value == null) {
                int column = f;
                Example first = data.examples().stream().filter(e -> Float.isNaN(e.features()[column])).findFirst().orElseThrow();
                throw new DataFormatException(data.name() + ": record " + first.id(), "column '" + name + "' has no value",
                        "a number: the model has no value to fill in for it (" + (model.fill().isEmpty()
                                ? "it was trained before missing values were filled in; train it again to have them filled"
                                : "its training data had no such numeric column") + ")");
            }
            fill.put(name, value);
        }
        return fill.isEmpty() ? data : apply(data, fill, model, "the model's value for the column (its median over the training data)", log);
    }

    /** Feature {@code f}'s name: the data's own, or where it named none (features read by position), the model's. */
    private static String nameFor(Schema data, Schema model, int f) {
        return data.featureNames().isEmpty() && f < model.featureSize() ? model.featureName(f) : data.featureName(f);
    }

    /** How many records of {@code data} lack each feature that some record lacks, by feature name, in feature order. */
    public static Map<String, Integer> byFeature(Dataset data) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (data.schema().kind() == Schema.Kind.DENSE) {
            int[] missing = countMissing(data.examples(), data.schema().featureSize());
            for (int f = 0; f < missing.length; f++) {
                if (missing[f] > 0) {
                    out.put(data.schema().featureName(f), missing[f]);
                }
            }
        }
        return out;
    }

    /** How many examples lack each feature. */
    private static int[] countMissing(List<Example> examples, int size) {
        int[] missing = new int[size];
        for (Example e : examples) {
            float[] v = e.features();
            for (int f = 0; f < size && f < v.length; f++) {
                if (Float.isNaN(v[f])) {
                    missing[f]++;
                }
            }
        }
        return missing;
    }

    /** The median of feature {@code f} over the examples that have it (the mean of the middle two for an even count); NaN for none. */
    static float median(List<Example> examples, int f) {
        float[] values = new float[examples.size()];
        int n = 0;
        for (Example e : examples) {
            float v = e.features()[f];
            if (!Float.isNaN(v)) {
                values[n++] = v;
            }
        }
        if (n == 0) {
            return Float.NaN;
        }
        Arrays.sort(values, 0, n);
        return n % 2 == 1 ? values[n / 2] : (float) (((double) values[n / 2 - 1] + values[n / 2]) / 2);
    }

    /** {@code data} with each missing value of a feature named in {@code fill} replaced, and one line saying how many, by column. */
    private static Dataset apply(Dataset data, Map<String, Float> fill, Schema model, String what, Consumer<String> log) {
        int size = data.schema().featureSize();
        float[] byIndex = new float[size];
        boolean[] fills = new boolean[size];
        for (int f = 0; f < size; f++) {
            Float value = fill.get(nameFor(data.schema(), model, f));
            fills[f] = value != null;
            byIndex[f] = value != null ? value : Float.NaN;
        }
        int[] count = new int[size];
        int records = 0;
        List<Example> out = new ArrayList<>(data.size());
        for (Example e : data.examples()) {
            float[] v = e.features();
            float[] copy = null;
            for (int f = 0; f < v.length; f++) {
                if (Float.isNaN(v[f]) && fills[f]) {
                    copy = copy == null ? v.clone() : copy;
                    copy[f] = byIndex[f];
                    count[f]++;
                }
            }
            records += copy == null ? 0 : 1;
            out.add(copy == null ? e : Example.denseOwned(e.id(), copy, e.label().orElse(null), e.source()));
        }
        if (records == 0) {
            return data;
        }
        List<String> columns = new ArrayList<>();
        for (int f = 0; f < size; f++) {
            if (count[f] > 0) {
                columns.add(String.format("'%s' in %,d (%s)", nameFor(data.schema(), model, f), count[f], number(byIndex[f])));
            }
        }
        log.accept(String.format("missing values: %,d of %,d records of %s lack a value, each filled with %s: %s", records,
                data.size(), data.name(), what, named(columns)));
        return new Dataset(data.name(), data.schema(), out);
    }

    /** A value as a person reads it: five significant digits at most, without an exponent or trailing zeros (36190.5 as 36190). */
    static String number(float v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(5)).stripTrailingZeros().toPlainString();
    }

    private static String named(List<String> items) {
        return dev.distillery.util.Listing.firstOf(items, NAMED, ", ");
    }
}
