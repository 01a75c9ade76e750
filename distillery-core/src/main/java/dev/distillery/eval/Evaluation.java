package dev.distillery.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable evaluation of predictions against true labels: accuracy, macro-F1, per-class
 * precision/recall/F1 and the confusion matrix (rows are true classes, columns predictions).
 */
public record Evaluation(List<String> labels, int[][] confusion, int count) {

    /** The evaluation of {@code classifier} on the labeled examples of {@code data}. */
    public static Evaluation of(dev.distillery.model.Classifier classifier, dev.distillery.data.Dataset data) {
        int[] predicted = classifier.predict(data.examples(), 512);
        int[] truth = new int[data.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = classifier.schema().indexOf(data.get(i).label().orElseThrow());
        }
        return of(truth, predicted, classifier.schema().labels());
    }

    public static Evaluation of(int[] truth, int[] predicted, List<String> labels) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("truth has " + truth.length + " entries, predictions " + predicted.length);
        }
        if (truth.length == 0) {
            throw new IllegalArgumentException("cannot evaluate zero examples");
        }
        int k = labels.size();
        int[][] confusion = new int[k][k];
        for (int i = 0; i < truth.length; i++) {
            confusion[truth[i]][predicted[i]]++;
        }
        return new Evaluation(List.copyOf(labels), confusion, truth.length);
    }

    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < confusion.length; c++) {
            correct += confusion[c][c];
        }
        return correct / (double) count;
    }

    public double precision(int c) {
        long predicted = 0;
        for (int[] row : confusion) {
            predicted += row[c];
        }
        // No predictions of a class: precision 0 by convention (as scikit-learn's zero_division=0).
        return predicted == 0 ? 0 : confusion[c][c] / (double) predicted;
    }

    public double recall(int c) {
        long actual = 0;
        for (int v : confusion[c]) {
            actual += v;
        }
        return actual == 0 ? 0 : confusion[c][c] / (double) actual;
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Unweighted mean of per-class F1 over classes present in the truth or the predictions. */
    public double macroF1() {
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < confusion.length; c++) {
            if (support(c) > 0 || predictedCount(c) > 0) {
                sum += f1(c);
                classes++;
            }
        }
        return classes == 0 ? 0 : sum / classes;
    }

    /** The class most test examples hold: what a model that always answers one class would answer. */
    public int majorityClass() {
        int best = 0;
        for (int c = 1; c < confusion.length; c++) {
            best = support(c) > support(best) ? c : best;
        }
        return best;
    }

    /** The accuracy of always answering {@link #majorityClass}: the floor a model's accuracy is to be read against. */
    public double majorityAccuracy() {
        return count == 0 ? 0 : support(majorityClass()) / (double) count;
    }

    /** The class present in the test data that the model finds least often (its lowest recall). */
    public int leastRecalled() {
        int worst = -1;
        for (int c = 0; c < confusion.length; c++) {
            if (support(c) > 0 && (worst < 0 || recall(c) < recall(worst))) {
                worst = c;
            }
        }
        return Math.max(worst, 0);
    }

    public long support(int c) {
        long s = 0;
        for (int v : confusion[c]) {
            s += v;
        }
        return s;
    }

    private long predictedCount(int c) {
        long s = 0;
        for (int[] row : confusion) {
            s += row[c];
        }
        return s;
    }

    /** A plain-text table of per-class figures and the confusion matrix. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        int w = Math.max(12, labels.stream().mapToInt(String::length).max().orElse(5) + 2);
        sb.append(String.format("%-" + w + "s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support"));
        for (int c = 0; c < labels.size(); c++) {
            sb.append(String.format("%-" + w + "s %9.4f %9.4f %9.4f %8d%n", labels.get(c), precision(c), recall(c), f1(c), support(c)));
        }
        sb.append(String.format("%-" + w + "s %29.4f %8d%n", "accuracy", accuracy(), count));
        sb.append(String.format("%-" + w + "s %29.4f %8d%n", "macro F1", macroF1(), count));
        sb.append("\nconfusion (rows: true, columns: predicted)\n");
        List<String> shortNames = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            shortNames.add(Integer.toString(c));
        }
        sb.append(String.format("%-" + w + "s", ""));
        for (String s : shortNames) {
            sb.append(String.format("%6s", s));
        }
        sb.append('\n');
        for (int r = 0; r < labels.size(); r++) {
            sb.append(String.format("%-" + w + "s", r + " " + labels.get(r)));
            for (int c = 0; c < labels.size(); c++) {
                sb.append(String.format("%6d", confusion[r][c]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
