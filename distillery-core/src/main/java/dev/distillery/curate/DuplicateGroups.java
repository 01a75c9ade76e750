package dev.distillery.curate;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which examples of a data set are copies of each other, by the curation pipeline's own notions: texts with the same
 * normalized content ({@link ExactDedup}) or a word-5-gram Jaccard similarity of at least 0.8 ({@link NearDedup}'s
 * defaults); dense examples with identical features. A split that puts a message in training and its near copy in
 * the test set measures memory, not generalization, so every split keeps a group on one side ({@link #split}). A table
 * of a few distinct rows (a few category columns) has no copies by this notion: see {@code smallFeatureSpace}.
 */
public final class DuplicateGroups {
    /** Each example's exact-duplicate key and near-duplicate sketch, by identity: the job's data sets share examples. */
    private final Map<Example, Keys> keys = new IdentityHashMap<>();
    private final NearDedup near = NearDedup.defaults();

    private record Keys(Object exact, NearDedup.Sketch sketch) {}

    /**
     * Groupings that remember each example's keys, for a job that groups several data sets sharing examples (a test
     * split, then a validation split of its training part, then the leak check over all of them): normalizing and
     * shingling a text, most of the cost, then happens once per example instead of once per grouping.
     */
    public DuplicateGroups() {}

    /** A split that kept each duplicate group on one side. */
    public record Split(Splits.Pair parts, int groups, int examplesInGroups) {
        /** A line for the console and the run record. */
        public String describe() {
            return groups == 0 ? "no duplicates to keep together"
                    : groups == 1 ? String.format("%,d examples, exact or near duplicates of each other, kept on one side", examplesInGroups)
                    : String.format("%,d examples in %,d groups of exact or near duplicates kept on one side each", examplesInGroups,
                            groups);
        }
    }

    /** The group of each example, by position: equal numbers are duplicates (transitively). */
    public static int[] of(Dataset data) {
        return new DuplicateGroups().groups(data);
    }

    /**
     * What {@link #of} finds in {@code data}, in a line for {@code data inspect}, or empty where it finds no copies: how
     * many examples are copies of another and in how many groups, and the groups whose copies carry different labels
     * (the same picture or text under two classes: a label error, or classes a model cannot tell apart), the first few
     * named by their ids.
     */
    public static java.util.Optional<String> describe(Dataset data) {
        int[] group = of(data);
        Map<Integer, List<Example>> members = new java.util.TreeMap<>();
        for (int i = 0; i < group.length; i++) {
            members.computeIfAbsent(group[i], g -> new ArrayList<>()).add(data.get(i));
        }
        List<List<Example>> copies = members.values().stream().filter(m -> m.size() > 1).toList();
        if (copies.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<List<Example>> mixed = copies.stream()
                .filter(m -> m.stream().map(e -> e.label().orElse(null)).filter(java.util.Objects::nonNull).distinct().count() > 1)
                .toList();
        int inCopies = copies.stream().mapToInt(List::size).sum();
        StringBuilder line = new StringBuilder(String.format("duplicates: %,d of %,d examples in %,d groups of exact or near copies"
                + " (%,d distinct); every split keeps a group on one side", inCopies, data.size(), copies.size(),
                data.size() - inCopies + copies.size()));
        if (!mixed.isEmpty()) {
            line.append(mixed.size() == 1 ? "; 1 group holds different labels: "
                    : String.format("; %,d groups hold different labels, such as ", mixed.size())).append(mixed.stream().limit(3)
                    .map(m -> m.stream().limit(3).map(e -> e.id() + " [" + e.label().orElse("unlabeled") + "]")
                            .collect(java.util.stream.Collectors.joining(" = ")))
                    .collect(java.util.stream.Collectors.joining("; ")));
        }
        return java.util.Optional.of(line.toString());
    }

    /** {@link #of}, with the keys of examples seen before reused. */
    public int[] groups(Dataset data) {
        List<Example> examples = data.examples();
        Keys[] each = keysOf(examples);
        int[] parent = new int[examples.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        if (examples.isEmpty() || examples.get(0).isText() || isImage(data) || !smallFeatureSpace(each)) {
            Map<Object, Integer> firstWithKey = new HashMap<>();
            for (int i = 0; i < examples.size(); i++) {
                Integer first = firstWithKey.putIfAbsent(each[i].exact(), i);
                if (first != null) {
                    union(parent, first, i);
                }
            }
        }
        if (!examples.isEmpty() && examples.get(0).isText()) {
            List<NearDedup.Sketch> sketches = new ArrayList<>(examples.size());
            for (Keys k : each) {
                sketches.add(k.sketch());
            }
            for (NearDedup.Pair p : near.pairsOf(sketches)) {
                union(parent, p.a(), p.b());
            }
        }
        int[] group = new int[parent.length];
        for (int i = 0; i < group.length; i++) {
            group[i] = find(parent, i);
        }
        return group;
    }

    /**
     * Whether these dense examples take so few distinct feature rows (on average at least {@value #RECORDS_PER_ROW} each)
     * that sharing one says nothing about copying: a table of a few category columns, such as a ticket's product and
     * priority beside its description, which the model does not read, falls into a handful of rows because they can take
     * few values. Keeping each such row on one side would split whole kinds of record off into the test part (600 tickets
     * in 9 groups), so there identical rows are not copies; in images, measurements and tables with a numeric column,
     * where rows are mostly distinct, they are.
     */
    private static boolean smallFeatureSpace(Keys[] each) {
        long distinct = java.util.Arrays.stream(each).map(Keys::exact).distinct().count();
        return distinct * RECORDS_PER_ROW <= each.length;
    }

    private static final int RECORDS_PER_ROW = 4;

    /**
     * Images (a shape of channels, height and width) are never a small feature space: two identical images are one
     * picture twice, however few distinct ones there are (an icon theme's 814 icons are 194 pictures under aliases, and
     * with the aliases split across train and test its test accuracy read 0.96 where cross-validation read 0.48).
     */
    private static boolean isImage(Dataset data) {
        return data.schema().featureShape().size() > 1;
    }

    /** The keys of {@code examples}, by position; those not seen before computed on the common pool's threads. */
    private Keys[] keysOf(List<Example> examples) {
        Keys[] each = new Keys[examples.size()];
        List<Integer> unseen = new ArrayList<>();
        for (int i = 0; i < each.length; i++) {
            each[i] = keys.get(examples.get(i));
            if (each[i] == null) {
                unseen.add(i);
            }
        }
        // Each example's keys are a pure function of it, so computing them in parallel changes no result.
        unseen.parallelStream().forEach(i -> each[i] = keysOf(examples.get(i)));
        for (int i : unseen) {
            keys.put(examples.get(i), each[i]);
        }
        return each;
    }

    private Keys keysOf(Example e) {
        return e.isText() ? new Keys(ExactDedup.key(e.text()), near.sketch(e.text())) : new Keys(new FeatureKey(e.features()), null);
    }

    /** {@link Splits#split} with every duplicate group kept on one side. */
    public static Split split(Dataset data, double fraction, long seed, String firstName, String secondName) {
        return new DuplicateGroups().splitOf(data, fraction, seed, firstName, secondName);
    }

    /** {@link #split}, with the keys of examples seen before reused. */
    public Split splitOf(Dataset data, double fraction, long seed, String firstName, String secondName) {
        int[] groups = groups(data);
        Map<Integer, Integer> sizes = new HashMap<>();
        for (int g : groups) {
            sizes.merge(g, 1, Integer::sum);
        }
        int multi = (int) sizes.values().stream().filter(n -> n > 1).count();
        int inMulti = sizes.values().stream().filter(n -> n > 1).mapToInt(Integer::intValue).sum();
        return new Split(Splits.split(data, fraction, seed, firstName, secondName, groups), multi, inMulti);
    }

    /**
     * How many examples of {@code test} have an exact or near duplicate in {@code train}: found afresh on the two sets
     * together, so it checks a split's grouping rather than trusting it, and it reports overlap between files a user
     * brought.
     */
    public static int testExamplesDuplicatedInTraining(Dataset train, Dataset test) {
        return new DuplicateGroups().testDuplicatedInTraining(train, test);
    }

    /** {@link #testExamplesDuplicatedInTraining}, with the keys of examples seen before reused. */
    public int testDuplicatedInTraining(Dataset train, Dataset test) {
        List<Example> both = new ArrayList<>(train.examples());
        both.addAll(test.examples());
        if (both.isEmpty() || both.stream().anyMatch(e -> e.isText() != both.get(0).isText())) {
            return 0;
        }
        int[] groups = groups(new Dataset("train+test", train.schema(), both));
        java.util.Set<Integer> trainGroups = new java.util.HashSet<>();
        for (int i = 0; i < train.size(); i++) {
            trainGroups.add(groups[i]);
        }
        int count = 0;
        for (int i = train.size(); i < groups.length; i++) {
            count += trainGroups.contains(groups[i]) ? 1 : 0;
        }
        return count;
    }

    /** Dense features compared by value. */
    private record FeatureKey(float[] features) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FeatureKey k && Arrays.equals(features, k.features);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(features);
        }
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
