package dev.distillery.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Where a table's labels may be when no record has one under the label's name: a column of a few whole numbers (Titanic's
 * {@code Survived}, 0 or 1) or of categories, which were read as features. Named in the message that says no record has
 * a label, so the user finds {@code --label-column} with the right name rather than guessing.
 */
public final class LikelyLabels {
    /** More distinct numbers than this make a measurement (an age, a count), not classes. */
    private static final int MAX_NUMBER_CLASSES = 10;

    private LikelyLabels() {}

    /**
     * A parenthesized hint naming the columns of {@code data} that could hold its labels, with how to use one (starting
     * with a space: "train with --label-column Survived"), or "" when it has none (images, texts, a table of measurements).
     */
    public static String hint(Dataset data, String verb) {
        List<String> names = data.schema().featureNames();
        List<String> numbers = new ArrayList<>();
        List<String> candidates = new ArrayList<>(); // by name, in the order they are said
        for (int j = 0; j < names.size(); j++) {
            if (CsvFormat.categoryOf(names.get(j)) == null) {
                TreeSet<Float> values = fewWholeNumbers(data, j);
                if (values != null) {
                    candidates.add(names.get(j));
                    numbers.add("'" + names.get(j) + "' (" + String.join(", ", values.stream()
                            .map(v -> Long.toString(v.longValue())).toList()) + ")");
                }
            }
        }
        List<String> categoryNames = names.stream().map(CsvFormat::categoryOf).filter(Objects::nonNull).distinct().toList();
        candidates.addAll(categoryNames);
        List<String> categories = categoryNames.stream().map(c -> "'" + c + "'").toList();
        if (numbers.isEmpty() && categories.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (!numbers.isEmpty()) {
            parts.add(String.join(", ", numbers) + (numbers.size() == 1 ? " holds" : " hold") + " a few whole numbers");
        }
        if (!categories.isEmpty()) {
            parts.add(String.join(", ", categories) + (categories.size() == 1 ? " was" : " were") + " read as categories");
        }
        String named = candidates.stream().filter(name -> LABEL_NAME.matcher(name.strip()).matches()).findFirst().orElse(null);
        if (named != null && candidates.size() > 1) {
            // Weka's files end with 'class', as many exports name the labels' column: that one first, by name
            return " ('" + named + "' is named as labels are: if it holds them, " + verb + " with --label-column " + named
                    + "; " + String.join(" and ", parts) + ")";
        }
        boolean one = candidates.size() == 1;
        String onlyName = one ? candidates.get(0) : null;
        // several columns of words: one may be short texts (reviews beside their sentiment)
        String text = categories.size() > 1 ? ", and if one is a text to classify, --text-column NAME" : "";
        return " (" + String.join(" and ", parts) + (one ? ": if it holds the labels, " + verb + " with --label-column " + onlyName
                : ": if one holds the labels, " + verb + " with --label-column NAME" + text) + ")";
    }

    /** class, Class, class-att, class_label, classes, target, outcome, y, label, labels: names a labels' column goes by. */
    private static final java.util.regex.Pattern LABEL_NAME = java.util.regex.Pattern.compile(
            "(?i)(class(es)?([-_ ].*)?|target|outcome|y|labels?)");

    /** Feature {@code j}'s distinct values if they are 2 to {@link #MAX_NUMBER_CLASSES} whole numbers, else null. */
    private static TreeSet<Float> fewWholeNumbers(Dataset data, int j) {
        TreeSet<Float> values = new TreeSet<>();
        for (Example e : data.examples()) {
            float[] features = e.features();
            if (features == null || j >= features.length) {
                return null;
            }
            float v = features[j];
            if (Float.isNaN(v)) {
                continue;
            }
            if (v != Math.rint(v) || (values.add(v) && values.size() > MAX_NUMBER_CLASSES)) {
                return null;
            }
        }
        return values.size() >= 2 ? values : null;
    }
}
