package dev.distillery.synth;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** How varied a set of examples is: the collapse guard's early warning that generations grow alike. */
public final class Diversity {
    private Diversity() {}

    /** Distinct word n-grams over all n-grams in {@code texts} (Li et al., 2016); 0 when there are none. */
    public static double distinctN(List<String> texts, int n) {
        Set<String> distinct = new HashSet<>();
        long total = 0;
        for (String t : texts) {
            List<String> w = Verifiers.words(t);
            for (int i = 0; i + n <= w.size(); i++) {
                distinct.add(String.join(" ", w.subList(i, i + n)));
                total++;
            }
        }
        return total == 0 ? 0 : distinct.size() / (double) total;
    }

    /** Mean per-dimension variance of feature rows: shrinks when generated images converge to a few modes. */
    public static double featureVariance(double[][] rows) {
        if (rows.length < 2) {
            return 0;
        }
        int d = rows[0].length;
        double sum = 0;
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (double[] r : rows) {
                mean += r[j];
            }
            mean /= rows.length;
            double var = 0;
            for (double[] r : rows) {
                var += (r[j] - mean) * (r[j] - mean);
            }
            sum += var / (rows.length - 1);
        }
        return sum / d;
    }
}
