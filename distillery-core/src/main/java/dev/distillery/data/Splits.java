package dev.distillery.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Deterministic, seeded splits. Stratified versions keep each label's share, so "1% of the labels"
 * still holds every class.
 */
public final class Splits {
    private Splits() {}

    /** Two disjoint parts: {@code first} (the rest) and {@code second} (a fraction). */
    public record Pair(Dataset first, Dataset second) {
        Pair swap() {
            return new Pair(second, first);
        }
    }

    /**
     * Splits off {@code fraction} of the examples, stratified by label. Unlabeled examples all stay in the first part
     * when any example has a label (the second, a test or validation part, is scored by its labels, while the first may
     * learn from unlabeled records: held out, they were lost to both); in data without labels they are split as one
     * stratum. Same seed, same split.
     */
    public static Pair split(Dataset data, double fraction, long seed, String firstName, String secondName) {
        int[] alone = new int[data.size()];
        for (int i = 0; i < alone.length; i++) {
            alone[i] = i;
        }
        return split(data, fraction, seed, firstName, secondName, alone);
    }

    /**
     * Like {@link #split(Dataset, double, long, String, String)}, keeping the examples that share a group number
     * ({@code groups[i]} for example i) on the same side: a group goes where its first labeled example's label stratum
     * sends it, and a stratum takes groups until it has its share. With every example in its own group this is that split.
     */
    public static Pair split(Dataset data, double fraction, long seed, String firstName, String secondName, int[] groups) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1), got: " + fraction);
        }
        if (groups.length != data.size()) {
            throw new IllegalArgumentException("groups has " + groups.length + " entries for " + data.size() + " examples");
        }
        Map<Integer, List<Example>> members = new LinkedHashMap<>();
        for (int i = 0; i < groups.length; i++) {
            members.computeIfAbsent(groups[i], k -> new ArrayList<>()).add(data.get(i));
        }
        List<Example> first = new ArrayList<>();
        List<Example> second = new ArrayList<>();
        int largest = 0;
        List<List<List<Example>>> canGive = new ArrayList<>(); // labels that can give a group and keep one
        Map<String, List<List<Example>>> strata = strata(members.values(), seed);
        if (strata.size() > 1) {
            List<List<Example>> unlabeled = strata.remove(UNLABELED);
            if (unlabeled != null) {
                unlabeled.forEach(first::addAll);
            }
        }
        for (List<List<Example>> stratum : strata.values()) {
            int size = stratum.stream().mapToInt(List::size).sum();
            largest = Math.max(largest, size);
            if (stratum.size() >= 2) {
                canGive.add(stratum);
            }
            int take = (int) Math.round(size * fraction);
            int taken = 0;
            for (List<Example> group : stratum) {
                // Never the group that would take what is left of the label: twelve copies of one image would all have
                // gone to the held-out part, and the label been missing from training.
                if (taken < take && taken + group.size() < size) {
                    second.addAll(group);
                    taken += group.size();
                } else {
                    first.addAll(group);
                }
            }
        }
        // Tiny data (2 examples a label at 0.2): every label's share rounds to none although the whole split's does
        // not. Then the largest labels that can keep an example give the held-out part a group each, up to the whole
        // share, so that a run on such data still trains and reports (on few examples, which its sizes show).
        long share = Math.round(strata.values().stream().flatMap(List::stream).mapToInt(List::size).sum() * fraction);
        if (second.isEmpty() && share >= 1 && !canGive.isEmpty()) {
            canGive.sort(Comparator.comparingInt((List<List<Example>> st) -> st.stream().mapToInt(List::size).sum()).reversed());
            Set<Example> moved = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (int i = 0; i < canGive.size() && moved.size() < share; i++) {
                moved.addAll(canGive.get(i).get(0));
            }
            second.addAll(moved);
            first.removeIf(moved::contains);
        }
        // Restore file order inside each part so outputs are easy to compare with the input.
        sortByPosition(data, first);
        sortByPosition(data, second);
        if (second.isEmpty()) {
            throw new IllegalArgumentException(String.format("a %s split of %d examples leaves the %s part empty: each label"
                    + " gives it its share rounded, which is none below %d examples a label (the largest label here has %d),"
                    + " and the whole share rounds to none or no label has two; give a %s set of its own or more examples",
                    fraction, data.size(), secondName, (int) Math.ceil(0.5 / fraction), largest, secondName));
        }
        if (first.isEmpty()) {
            throw new IllegalArgumentException(String.format("a %s split of %d examples leaves the %s part empty: every label's"
                    + " rounded share went to the %s part; give a smaller fraction or more examples", fraction, data.size(),
                    firstName, secondName));
        }
        return new Pair(data.subset(data.name() + ":" + firstName, first), data.subset(data.name() + ":" + secondName, second));
    }

    /**
     * A stratified subset of exactly {@code count} examples (at least one per class when count allows), e.g. 600 of
     * Fashion-MNIST's 60,000 for "1% of the labels". Each class gets its share rounded down, the examples still
     * missing go to the classes with the largest remainders, and a class left with none takes one from the largest
     * class, so rounding never adds or drops labels: 2% of 1,347 is 27, not 30. The rest is returned as the second part.
     */
    public static Pair labeledSubset(Dataset data, int count, long seed) {
        if (count <= 0 || count >= data.size()) {
            throw new IllegalArgumentException("count must be in [1, " + (data.size() - 1) + "], got: " + count);
        }
        List<List<Example>> strata = new ArrayList<>();
        for (List<List<Example>> stratum : strata(data.examples().stream().map(List::of).toList(), seed).values()) {
            strata.add(stratum.stream().map(g -> g.get(0)).toList());
        }
        int[] takes = allocate(strata.stream().mapToInt(List::size).toArray(), count);
        List<Example> chosen = new ArrayList<>();
        List<Example> rest = new ArrayList<>();
        for (int s = 0; s < strata.size(); s++) {
            chosen.addAll(strata.get(s).subList(0, takes[s]));
            rest.addAll(strata.get(s).subList(takes[s], strata.get(s).size()));
        }
        sortByPosition(data, chosen);
        sortByPosition(data, rest);
        return new Pair(data.subset(data.name() + ":labeled", chosen), data.subset(data.name() + ":rest", rest));
    }

    /**
     * Splits {@code total} over strata of the given sizes in proportion to their size, summing exactly to
     * {@code total}: the floors of the shares first, the remaining units to the largest remainders (ties to the earlier
     * stratum); then, when {@code total} allows, each stratum left with none takes one from the largest.
     */
    static int[] allocate(int[] sizes, int total) {
        long all = java.util.Arrays.stream(sizes).asLongStream().sum();
        int[] takes = new int[sizes.length];
        double[] remainder = new double[sizes.length];
        int toGive = total;
        for (int s = 0; s < sizes.length; s++) {
            double quota = sizes[s] * (double) total / all;
            takes[s] = (int) Math.floor(quota);
            remainder[s] = quota - takes[s];
            toGive -= takes[s];
        }
        for (; toGive > 0; toGive--) {
            int best = -1;
            for (int s = 0; s < sizes.length; s++) {
                if (takes[s] < sizes[s] && (best < 0 || remainder[s] > remainder[best])) {
                    best = s;
                }
            }
            takes[best]++;
            remainder[best] = -1;
        }
        if (total >= sizes.length) {
            for (int s = 0; s < sizes.length; s++) {
                if (takes[s] == 0 && sizes[s] > 0) {
                    int largest = 0;
                    for (int t = 1; t < sizes.length; t++) {
                        largest = takes[t] > takes[largest] ? t : largest;
                    }
                    takes[largest]--;
                    takes[s]++;
                }
            }
        }
        return takes;
    }

    /** Parses "1%", "0.01" or "600" against a data set size into a count. */
    public static int parseAmount(String amount, int size) {
        String s = amount.trim();
        double value;
        try {
            if (s.endsWith("%")) {
                value = Double.parseDouble(s.substring(0, s.length() - 1)) / 100.0 * size;
            } else if (s.contains(".")) {
                value = Double.parseDouble(s) * size;
            } else {
                value = Long.parseLong(s);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("amount must look like 1%, 0.01 or 600, got: " + amount);
        }
        long n = Math.round(value);
        if (n < 1) {
            throw new IllegalArgumentException("amount " + amount + " of " + size + " examples is none; ask for at least one");
        }
        if (n > size) {
            throw new IllegalArgumentException("amount " + amount + " asks for " + n + " examples, more than the " + size
                    + " there are");
        }
        return (int) n;
    }

    /** Groups by the label of their first example (unlabeled ones form their own stratum), each stratum shuffled. */
    /** The stratum of groups without a label (no label is this string, which starts with a NUL). */
    private static final String UNLABELED = "\u0000unlabeled";

    private static Map<String, List<List<Example>>> strata(java.util.Collection<List<Example>> groups, long seed) {
        Map<String, List<List<Example>>> byLabel = new LinkedHashMap<>();
        for (List<Example> group : groups) {
            String label = group.stream().map(Example::label).flatMap(java.util.Optional::stream).findFirst().orElse(UNLABELED);
            byLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(group);
        }
        Random rng = new Random(seed);
        for (List<List<Example>> stratum : byLabel.values()) {
            Collections.shuffle(stratum, rng);
        }
        return byLabel;
    }

    private static void sortByPosition(Dataset data, List<Example> part) {
        Map<Example, Integer> position = new java.util.IdentityHashMap<>();
        for (int i = 0; i < data.size(); i++) {
            position.put(data.get(i), i);
        }
        part.sort((a, b) -> Integer.compare(position.get(a), position.get(b)));
    }
}
