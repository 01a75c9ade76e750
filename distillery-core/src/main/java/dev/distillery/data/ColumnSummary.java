package dev.distillery.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table's columns at a glance, as {@code data inspect} prints them: per column its kind, how many records lack it, and
 * for a number its range and median, for a category its values by count. Read from a data set's features by the column
 * names its schema keeps ({@link Schema#rowByColumn}).
 */
public record ColumnSummary(String column, boolean category, int missing, String values) {

    /** One summary per column of {@code data}, in order; none for data that is not a named table. */
    public static List<ColumnSummary> of(Dataset data) {
        Schema schema = data.schema();
        if (schema.kind() != Schema.Kind.DENSE || schema.featureNames().isEmpty() || data.isEmpty()) {
            return List.of();
        }
        Map<String, List<Object>> byColumn = new LinkedHashMap<>();
        for (Example e : data.examples()) {
            Schema.rowByColumn(schema.featureNames(), e.features()).forEach((column, value) ->
                    byColumn.computeIfAbsent(column, k -> new ArrayList<>()).add(value));
        }
        List<String> categoryColumns = schema.featureNames().stream().map(CsvFormat::categoryOf).filter(java.util.Objects::nonNull)
                .distinct().toList();
        List<ColumnSummary> out = new ArrayList<>();
        byColumn.forEach((column, values) -> {
            boolean category = categoryColumns.contains(column);
            int missing = (int) values.stream().filter(""::equals).count();
            out.add(new ColumnSummary(column, category, missing, category ? counts(values)
                    : range(values, MissingValues.median(data.examples(), schema.featureNames().indexOf(column)))));
        });
        return out;
    }

    /** A category's values, commonest first, with their counts. */
    private static String counts(List<Object> values) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        values.stream().filter(v -> !"".equals(v)).forEach(v -> counts.merge(v.toString(), 1, Integer::sum));
        List<String> parts = counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> String.format("%s %,d", e.getKey(), e.getValue())).toList();
        return parts.size() > 6 ? String.join(", ", parts.subList(0, 6)) + ", ... (" + parts.size() + " values)" : String.join(", ", parts);
    }

    /** A number's smallest, median (as {@link MissingValues} computes the value it fills in) and largest value. */
    private static String range(List<Object> values, float median) {
        double[] v = values.stream().filter(x -> x instanceof Number).mapToDouble(x -> ((Number) x).doubleValue()).sorted().toArray();
        if (v.length == 0) {
            return "no value";
        }
        return String.format("min %s, median %s, max %s", MissingValues.number((float) v[0]), MissingValues.number(median),
                MissingValues.number((float) v[v.length - 1]));
    }

    /** The summaries as aligned text rows under a header. */
    public static String table(List<ColumnSummary> summaries) {
        int width = Math.max(6, summaries.stream().mapToInt(s -> s.column().length()).max().orElse(6));
        StringBuilder sb = new StringBuilder(String.format("  %-" + width + "s  %-8s  %7s  %s%n", "column", "kind", "missing", "values"));
        for (ColumnSummary s : summaries) {
            sb.append(String.format("  %-" + width + "s  %-8s  %,7d  %s%n", s.column(), s.category() ? "category" : "number", s.missing(),
                    s.values()));
        }
        return sb.toString();
    }
}
