package dev.distillery.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How well a model finds one class (the one it finds least well, often a rare one that matters: fraud, a fault) as the probability
 * it must reach to be answered moves: the precision-recall curve, its average precision, and a table of the thresholds
 * that reach several recalls, which a user can pass to {@code predict --threshold LABEL=P}. Answering the class whenever its probability reaches the
 * threshold trades precision for recall; the most probable class (no threshold) is one point on the curve.
 *
 * @param recall    the curve's recall, rising, one point per distinct probability
 * @param precision the curve's precision at each point
 */
public record PrecisionRecall(String label, int support, double averagePrecision, List<Point> table, double[] recall,
        double[] precision) {

    /** Recalls the table finds the highest threshold for: probabilities crowd where a model is unsure, so fixed steps would not. */
    static final double[] RECALLS = {0.25, 0.5, 0.75, 0.9, 1.0};

    /** Answering the class when its probability is at least {@code threshold}: how many it answers, precision and recall. */
    public record Point(double threshold, int answered, double precision, double recall) {}

    /**
     * The curve of class {@code c} from each example's class probabilities {@code probabilities} and true class
     * {@code truth}; the class must occur in {@code truth}.
     */
    public static PrecisionRecall of(float[][] probabilities, int[] truth, int c, String label) {
        int n = truth.length;
        int positives = (int) Arrays.stream(truth).filter(t -> t == c).count();
        if (positives == 0) {
            throw new IllegalArgumentException("class '" + label + "' has no test example");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -probabilities[i][c]));
        List<Double> recalls = new ArrayList<>();
        List<Double> precisions = new ArrayList<>();
        double ap = 0;
        double lastRecall = 0;
        int hits = 0;
        for (int k = 0; k < n; k++) {
            hits += truth[order[k]] == c ? 1 : 0;
            boolean lastOfTie = k == n - 1 || probabilities[order[k + 1]][c] != probabilities[order[k]][c];
            if (lastOfTie) { // tied probabilities are one threshold: one point
                double r = hits / (double) positives;
                double p = hits / (double) (k + 1);
                ap += (r - lastRecall) * p; // scikit-learn's average_precision_score: a step sum, not interpolated
                lastRecall = r;
                recalls.add(r);
                precisions.add(p);
            }
        }
        // For each recall, the highest threshold that reaches it: the k-th most probable example's probability, where the
        // first k examples hold that share of the class (ties included, as answering by threshold includes them).
        List<Point> table = new ArrayList<>();
        for (double wanted : RECALLS) {
            int right = 0;
            for (int k = 0; k < n; k++) {
                right += truth[order[k]] == c ? 1 : 0;
                boolean lastOfTie = k == n - 1 || probabilities[order[k + 1]][c] != probabilities[order[k]][c];
                if (lastOfTie && right >= wanted * positives - 1e-9) {
                    Point p = new Point(probabilities[order[k]][c], k + 1, right / (double) (k + 1), right / (double) positives);
                    if (table.isEmpty() || table.get(table.size() - 1).answered() != p.answered()) {
                        table.add(p);
                    }
                    break;
                }
            }
        }
        return new PrecisionRecall(label, positives, ap, List.copyOf(table), recalls.stream().mapToDouble(Double::doubleValue).toArray(),
                precisions.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The table as Markdown rows under a header. */
    public String markdownTable() {
        StringBuilder sb = new StringBuilder("| answer '" + label + "' when its probability is at least | answered | precision | recall |\n"
                + "|---|---|---|---|\n");
        for (Point p : table) {
            sb.append(String.format("| %.4g | %,d | %.3f | %.3f |%n", p.threshold(), p.answered(), p.precision(), p.recall()));
        }
        return sb.toString();
    }
}
