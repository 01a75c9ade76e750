package dev.distillery.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * An immutable, ordered collection of examples with one {@link Schema}.
 *
 * <p>Every example agrees with the schema: same kind, the right number of features, and a label
 * the schema knows (or none).
 */
public final class Dataset {
    private final String name;
    private final Schema schema;
    private final List<Example> examples;

    public Dataset(String name, Schema schema, Collection<Example> examples) {
        this.name = name;
        this.schema = schema;
        this.examples = List.copyOf(examples);
        for (Example e : this.examples) {
            check(e);
        }
    }

    /**
     * Builds a data set whose schema is inferred from the examples: kind and shape from the first,
     * labels sorted by name (numeric labels in numeric order, so "2" comes before "10").
     */
    public static Dataset infer(String name, List<Example> examples, List<Long> denseShape) {
        if (examples.isEmpty()) {
            throw new DataFormatException(name, "no examples", "at least one example");
        }
        Example first = examples.get(0);
        List<String> labels = sortedLabels(examples);
        Schema schema = first.isText()
                ? Schema.text(labels)
                : Schema.dense(denseShape != null ? denseShape : List.of((long) first.featureLength()), labels);
        return new Dataset(name, schema, examples);
    }

    static List<String> sortedLabels(List<Example> examples) {
        TreeSet<String> set = new TreeSet<>(Dataset::compareLabels);
        for (Example e : examples) {
            e.label().ifPresent(set::add);
        }
        return new ArrayList<>(set);
    }

    /** A label that sorts as a number ("2" before "10"). */
    private static final java.util.regex.Pattern WHOLE_NUMBER = java.util.regex.Pattern.compile("-?\\d{1,18}");

    static int compareLabels(String a, String b) {
        if (a.equals(b)) {
            return 0; // most comparisons, one per labeled record: no pattern to run
        }
        boolean aNum = WHOLE_NUMBER.matcher(a).matches();
        boolean bNum = WHOLE_NUMBER.matcher(b).matches();
        if (aNum && bNum) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return a.compareTo(b);
    }

    private void check(Example e) {
        if (e.isText() != (schema.kind() == Schema.Kind.TEXT)) {
            throw new IllegalArgumentException("example " + e.id() + " does not match the "
                    + schema.kind() + " schema of " + name);
        }
        if (!e.isText() && e.featureLength() != schema.featureSize()) {
            throw new IllegalArgumentException("example " + e.id() + " has " + e.featureLength()
                    + " features; the schema of " + name + " expects " + schema.featureSize());
        }
        if (e.hasLabel() && !schema.labels().contains(e.label().get())) {
            throw new DataFormatException(name + ": example " + e.id() + (e.source().isEmpty() ? "" : " (" + e.source() + ")"),
                    "unknown label '" + e.label().get() + "'", "one of " + schema.labels());
        }
    }

    public String name() {
        return name;
    }

    public Schema schema() {
        return schema;
    }

    public List<Example> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    public boolean isEmpty() {
        return examples.isEmpty();
    }

    public Example get(int i) {
        return examples.get(i);
    }

    /** A subset in the given order, keeping this schema (so class indices stay the same). */
    public Dataset subset(String subsetName, List<Example> chosen) {
        return new Dataset(subsetName, schema, chosen);
    }

    /** These examples followed by {@code more}'s (null for none), under this schema, named {@code name}. */
    public Dataset plus(String name, Dataset more) {
        if (more == null) {
            return this;
        }
        List<Example> all = new java.util.ArrayList<>(examples);
        all.addAll(more.examples());
        return subset(name, all);
    }

    public Dataset filter(String subsetName, Predicate<Example> keep) {
        return subset(subsetName, examples.stream().filter(keep).toList());
    }

    /** The same examples under another (larger or reordered) label set, e.g. the training set's. */
    public Dataset withSchema(Schema other) {
        return new Dataset(name, other, examples);
    }

    public long labeledCount() {
        return examples.stream().filter(Example::hasLabel).count();
    }

    /** Count of examples per label, in schema order. */
    public Map<String, Integer> labelCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String l : schema.labels()) {
            counts.put(l, 0);
        }
        for (Example e : examples) {
            e.label().ifPresent(l -> counts.merge(l, 1, Integer::sum));
        }
        return counts;
    }

    /** The share of the commonest label among the examples: the accuracy of always guessing it (0 when empty). */
    public double commonestLabelShare() {
        return size() == 0 ? 0 : labelCounts().values().stream().mapToInt(Integer::intValue).max().orElse(0) / (double) size();
    }

    @Override
    public String toString() {
        return "Dataset{" + name + ", " + size() + " examples, " + schema.kind() + ", labels=" + schema.labels() + "}";
    }
}
