package dev.distillery.label;

import dev.distillery.model.Classifier;
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
 */
public final class ConfidentLearning {
    private ConfidentLearning() {}

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

    /** The flagged examples, most certain first. */
    public static List<Issue> find(float[][] probs, int[] given, int classes) {
        if (probs.length != given.length) {
            throw new IllegalArgumentException(probs.length + " probability rows for " + given.length + " labels");
        }
        double[] t = thresholds(probs, given, classes);
        long[][] joint = new long[classes][classes];
        int[] labeled = new int[classes];
        for (int i = 0; i < probs.length; i++) {
            labeled[given[i]]++;
            int confident = -1;
            for (int j = 0; j < classes; j++) {
                if (probs[i][j] >= t[j] && (confident < 0 || probs[i][j] > probs[i][confident])) {
                    confident = j;
                }
            }
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
                issues.addAll(candidates.subList(0, Math.min(toRemove, candidates.size())));
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
