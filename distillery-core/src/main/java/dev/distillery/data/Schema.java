package dev.distillery.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a data set holds: its kind (text or dense), the feature shape of dense examples, the
 * ordered label set, and the names of the dense features where the data named them (a CSV header), else none.
 * The label order fixes the class index a model predicts; the names let data whose columns come in another order be
 * read by name (see {@link InputCheck#conform}). {@code fill} holds, by {@link #featureName feature name}, the value a
 * missing value of a numeric column is read as (its median over the training data; see {@link MissingValues}); models
 * saved before missing values were filled in have none, and refuse a missing value as they always did. {@code columns}
 * names the label and text columns of the data (see {@link ColumnNames}), which later files are read by.
 */
public record Schema(Kind kind, List<Long> featureShape, List<String> labels,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> featureNames,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Float> fill,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = ColumnNames.IsDefault.class) ColumnNames columns) {

    public enum Kind { TEXT, DENSE }

    public Schema {
        Objects.requireNonNull(kind, "kind");
        featureShape = List.copyOf(featureShape);
        labels = List.copyOf(labels);
        featureNames = featureNames == null ? List.of() : List.copyOf(featureNames); // models saved before names had none
        fill = fill == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fill)); // kept in order
        columns = columns == null ? ColumnNames.DEFAULT : columns;
        if (kind == Kind.DENSE && featureShape.isEmpty()) {
            throw new IllegalArgumentException("a dense schema needs a feature shape");
        }
        if (labels.stream().distinct().count() != labels.size()) {
            throw new IllegalArgumentException("labels must be distinct, got: " + labels);
        }
        if (!featureNames.isEmpty() && (kind != Kind.DENSE || featureNames.size() != featureSize(featureShape))) {
            throw new IllegalArgumentException(featureNames.size() + " feature names for a " + kind + " schema of shape " + featureShape);
        }
    }

    /** A schema whose features have no names. */
    public Schema(Kind kind, List<Long> featureShape, List<String> labels) {
        this(kind, featureShape, labels, List.of(), Map.of(), null);
    }

    /** A schema without fill values, of data whose label and text columns have the default names. */
    public Schema(Kind kind, List<Long> featureShape, List<String> labels, List<String> featureNames) {
        this(kind, featureShape, labels, featureNames, Map.of(), null);
    }

    public static Schema text(List<String> labels) {
        return new Schema(Kind.TEXT, List.of(), labels);
    }

    public static Schema dense(List<Long> shape, List<String> labels) {
        return new Schema(Kind.DENSE, shape, labels);
    }

    public int numClasses() {
        return labels.size();
    }

    /** Number of floats in one dense example (the product of the shape). */
    public int featureSize() {
        return featureSize(featureShape);
    }

    private static int featureSize(List<Long> shape) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        return Math.toIntExact(size);
    }

    /** The class index of {@code label}, or an error that lists the labels the schema knows. */
    public int indexOf(String label) {
        int index = labels.indexOf(label);
        if (index < 0) {
            throw new IllegalArgumentException(
                    "unknown label '" + label + "'; the schema knows " + labels);
        }
        return index;
    }

    public Map<String, Integer> labelIndex() {
        Map<String, Integer> map = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            map.put(labels.get(i), i);
        }
        return map;
    }

    public Schema withLabels(List<String> newLabels) {
        return new Schema(kind, featureShape, new ArrayList<>(newLabels), featureNames, fill, columns);
    }

    /**
     * A table's row as a person reads it, "age 30 · income 41000.5 · region north": up to {@code limit} values, each
     * after its name ({@code names}, or f1, f2, ... where they do not fit the row), whole numbers without a fraction, a
     * category column as the value its 0/1 features hold.
     */
    public static String describeRow(List<String> names, float[] values, int limit) {
        List<String> parts = new ArrayList<>();
        rowByColumn(names, values).forEach((column, value) -> {
            if (!"".equals(value)) { // a category column none of whose values the row holds (a missing value)
                parts.add(column + " " + value);
            }
        });
        return parts.size() > limit ? String.join(" · ", parts.subList(0, limit)) + " · …" : String.join(" · ", parts);
    }

    /**
     * A table's row by column, in order: a number as a number (whole ones as {@code Long}), a category column as the
     * value its 0/1 features hold (a {@code String}, "" for none), a missing number as ""; features named by {@code names}, or f1, f2, ... where
     * they do not fit the row. What annotators and reviewers see of a row, and what serve reads back by name.
     */
    public static Map<String, Object> rowByColumn(List<String> names, float[] values) {
        boolean named = names.size() == values.length;
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            String name = named ? names.get(i) : "f" + (i + 1);
            String category = named ? CsvFormat.categoryOf(name) : null;
            if (category != null) {
                String value = name.substring(category.length() + 1);
                out.merge(category, v == 1f ? value : "", (was, now) -> was.toString().isEmpty() ? now : was);
            } else if (Float.isNaN(v)) {
                out.put(name, ""); // a missing value
            } else {
                out.put(name, v == Math.rint(v) && Math.abs(v) < 1e7 ? (Object) (long) v : (Object) v);
            }
        }
        return out;
    }

    /**
     * The columns of a file behind {@code featureNames}, as its header named them, in order: a category column once, by
     * its own name, with its values ("'region' (east, north)"); an error that listed "region=east" would name a column
     * no file has.
     */
    public static String describeColumns(List<String> featureNames) {
        return describeColumns(featureNames, "'");
    }

    /** {@link #describeColumns(List)} with each column name between {@code quote}s ("" for none). */
    public static String describeColumns(List<String> featureNames, String quote) {
        Map<String, List<String>> columns = new java.util.LinkedHashMap<>();
        for (String name : featureNames) {
            String category = CsvFormat.categoryOf(name);
            List<String> values = columns.computeIfAbsent(category != null ? category : name, k -> new ArrayList<>());
            if (category != null) {
                values.add(name.substring(category.length() + 1));
            }
        }
        List<String> parts = new ArrayList<>();
        columns.forEach((column, values) -> parts.add(quote + column + quote + (values.isEmpty() ? "" : " (" + String.join(", ", values) + ")")));
        return dev.distillery.util.Listing.firstOf(parts, 20, ", ");
    }

    /** The distinct columns {@code featureNames} come from, a category column by its own name ("region"), in order. */
    public static List<String> columnsOf(List<String> featureNames) {
        return featureNames.stream().map(n -> CsvFormat.categoryOf(n) != null ? CsvFormat.categoryOf(n) : n).distinct().toList();
    }

    /** This schema with its dense features named {@code names}, in feature order (empty: unnamed); no fill values. */
    public Schema withFeatureNames(List<String> names) {
        return new Schema(kind, featureShape, labels, names, Map.of(), columns);
    }

    /** This schema with {@code fill}: by feature name, the value a missing value is read as. */
    public Schema withFill(Map<String, Float> fill) {
        return new Schema(kind, featureShape, labels, featureNames, fill, columns);
    }

    /** This schema of data whose label and text columns are named {@code names}. */
    public Schema withColumns(ColumnNames names) {
        return new Schema(kind, featureShape, labels, featureNames, fill, names);
    }

    /** The name of dense feature {@code index}: its column's name where the data named them, else f1, f2, ... */
    public String featureName(int index) {
        return featureNames.isEmpty() ? "f" + (index + 1) : featureNames.get(index);
    }
}
