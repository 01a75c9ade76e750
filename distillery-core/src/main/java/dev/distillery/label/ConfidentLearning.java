package dev.distillery.label;

import dev.distillery.model.Classifier;
import dev.distillery.util.EnumNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds likely label errors from out-of-sample probabilities, after Northcutt et al., "Confident
 * Learning" (2021), with its "prune by noise rate" rule. Class j's threshold t_j is the mean
 * probability of j over examples labeled j. An example labeled i counts toward the confident joint
 * C[i][j] when j is its most probable class among those at or above their threshold. Each row of C is
 * calibrated to the number of examples labeled i, which estimates how many examples labeled i truly
 * belong to j; that many examples labeled i are flagged for each j != i, those with the largest margin
 * p_j - p_i, and only where the model's top class is not the given one. Flags are ranked by margin, most
 * certain first.
 *
 * <p>The {@link Rule#BOTH} rule (the paper's C_both, cleanlab's {@code filter_by="both"}) also requires the
 * example to lie off the diagonal of the confident joint: some class other than the given one is at or above
 * its threshold and the most probable of those. It drops disagreements where the model is unsure of every
 * class, the look of inherently ambiguous examples rather than of flipped labels.
 */
public final class ConfidentLearning {
    private ConfidentLearning() {}

    /** Which examples are flagged. */
    public enum Rule {
        /** Prune by noise rate alone. */
        NOISE_RATE,
        /** Prune by noise rate, and only examples off the confident joint's diagonal. */
        BOTH;

        public String cliName() {
            return EnumNames.of(this);
        }

        public static Rule parse(String name) {
            return EnumNames.parse(Rule.class, name, "rule");
        }
    }

    /** One flagged example: its position, the given and suggested class, and the evidence. */
    public record Issue(int index, int given, int suggested, double givenProbability, double suggestedProbability) {
        public double margin() {
            return suggestedProbability - givenProbability;
        }
    }

    /** Per-class thresholds: mean probability of class j among examples labeled j (1.0 for a class never given). */
    public static double[] thresholds(float[][] probs, int[] given, int classes) {
        double[] sum = new double[classes];
        int[] count = new int[classes];
        for (int i = 0; i < probs.length; i++) {
            sum[given[i]] += probs[i][given[i]];
            count[given[i]]++;
        }
        double[] t = new double[classes];
        for (int j = 0; j < classes; j++) {
            t[j] = count[j] == 0 ? 1.0 : sum[j] / count[j];
        }
        return t;
    }

    /** The flagged examples by the {@link Rule#BOTH} rule, most certain first. */
    public static List<Issue> find(float[][] probs, int[] given, int classes) {
        return find(probs, given, classes, Rule.BOTH);
    }

    /** The flagged examples by {@code rule}, most certain first. */
    public static List<Issue> find(float[][] probs, int[] given, int classes, Rule rule) {
        if (probs.length != given.length) {
            throw new IllegalArgumentException(probs.length + " probability rows for " + given.length + " labels");
        }
        double[] t = thresholds(probs, given, classes);
        long[][] joint = new long[classes][classes];
        int[] labeled = new int[classes];
        int[] confidentClass = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            labeled[given[i]]++;
            int confident = -1;
            for (int j = 0; j < classes; j++) {
                if (probs[i][j] >= t[j] && (confident < 0 || probs[i][j] > probs[i][confident])) {
                    confident = j;
                }
            }
            confidentClass[i] = confident;
            if (confident >= 0) {
                joint[given[i]][confident]++;
            }
        }
        List<Issue> issues = new ArrayList<>();
        for (int from = 0; from < classes; from++) {
            long rowTotal = java.util.Arrays.stream(joint[from]).sum();
            if (rowTotal == 0) {
                continue;
            }
            for (int to = 0; to < classes; to++) {
                if (to == from || joint[from][to] == 0) {
                    continue;
                }
                int toRemove = (int) Math.round(joint[from][to] / (double) rowTotal * labeled[from]);
                List<Issue> candidates = new ArrayList<>();
                for (int i = 0; i < probs.length; i++) {
                    if (given[i] == from && Classifier.argmax(probs[i]) != from) {
                        candidates.add(new Issue(i, from, to, probs[i][from], probs[i][to]));
                    }
                }
                candidates.sort(Comparator.comparingDouble(Issue::margin).reversed().thenComparingInt(Issue::index));
                // Both: the intersection of the noise-rate flags with the off-diagonal examples (selection first, so
                // the rule flags a subset of what noise-rate flags, as cleanlab's does).
                for (Issue issue : candidates.subList(0, Math.min(toRemove, candidates.size()))) {
                    int c = confidentClass[issue.index()];
                    if (rule == Rule.NOISE_RATE || (c >= 0 && c != from)) {
                        issues.add(issue);
                    }
                }
            }
        }
        // An example can be among the top of two (from, to) lists; keep its most certain flag, suggesting its top class.
        java.util.Map<Integer, Issue> unique = new java.util.LinkedHashMap<>();
        for (Issue issue : issues) {
            int top = Classifier.argmax(probs[issue.index()]);
            unique.putIfAbsent(issue.index(), new Issue(issue.index(), issue.given(), top, issue.givenProbability(),
                    probs[issue.index()][top]));
        }
        List<Issue> out = new ArrayList<>(unique.values());
        out.sort(Comparator.comparingDouble(Issue::margin).reversed().thenComparingInt(Issue::index));
        return out;
    }
}
