package dev.distillery.label;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds likely label errors from out-of-sample probabilities, after Northcutt et al., "Confident
 * Learning" (2021). Class j's threshold t_j is the mean probability of j over examples labeled j
 * (the model's typical confidence in that class). An example labeled i is counted as confidently
 * belonging to j when p_j >= t_j, taking the most probable such j; it is flagged when that j differs
 * from i. Flags are ranked by how much more the model believes the suggested class than the given
 * one (the normalized margin p_j - p_i), most certain first.
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
        List<Issue> issues = new ArrayList<>();
        for (int i = 0; i < probs.length; i++) {
            int confident = -1;
            for (int j = 0; j < classes; j++) {
                if (probs[i][j] >= t[j] && (confident < 0 || probs[i][j] > probs[i][confident])) {
                    confident = j;
                }
            }
            if (confident >= 0 && confident != given[i]) {
                issues.add(new Issue(i, given[i], confident, probs[i][given[i]], probs[i][confident]));
            }
        }
        issues.sort(Comparator.comparingDouble(Issue::margin).reversed().thenComparingInt(Issue::index));
        return issues;
    }
}
