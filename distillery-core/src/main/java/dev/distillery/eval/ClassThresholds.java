package dev.distillery.eval;

import java.util.List;

/**
 * Probabilities at which a class is answered even when another is more probable ({@code predict --threshold fraud=0.2}):
 * the operating point a user picks from the precision-recall table of a run's summary, to find more of a rare class at
 * the cost of precision. With none, the answer is the most probable class.
 */
public final class ClassThresholds {
    private final float[] minimum; // by class index; NaN: no threshold

    private ClassThresholds(float[] minimum) {
        this.minimum = minimum;
    }

    /** No thresholds: the most probable class. */
    public static ClassThresholds none(int classes) {
        float[] m = new float[classes];
        java.util.Arrays.fill(m, Float.NaN);
        return new ClassThresholds(m);
    }

    /**
     * Thresholds from {@code LABEL=P} settings, each label one of {@code labels} and each P in (0, 1]; else an
     * {@link IllegalArgumentException} that names the setting and what was expected.
     */
    public static ClassThresholds parse(List<String> settings, List<String> labels) {
        ClassThresholds t = none(labels.size());
        for (String setting : settings == null ? List.<String>of() : settings) {
            int at = setting.lastIndexOf('=');
            int c = labels.indexOf(at > 0 ? setting.substring(0, at) : "");
            if (c < 0) {
                throw new IllegalArgumentException("--threshold " + setting + ": expected LABEL=P with LABEL one of " + labels);
            }
            float p;
            try {
                p = Float.parseFloat(setting.substring(at + 1));
            } catch (NumberFormatException e) {
                p = Float.NaN;
            }
            if (!isProbability(p)) {
                throw new IllegalArgumentException("--threshold " + setting + ": expected a probability above 0 and at most 1");
            }
            t.minimum[c] = p;
        }
        return t;
    }

    /**
     * Thresholds by label, as a request to {@code serve} gives them ({@code "thresholds": {"fraud": 0.2}}); else an
     * {@link IllegalArgumentException} that names the label and what was expected.
     */
    public static ClassThresholds of(java.util.Map<String, Float> byLabel, List<String> labels) {
        ClassThresholds t = none(labels.size());
        byLabel.forEach((label, p) -> {
            int c = labels.indexOf(label);
            if (c < 0) {
                throw new IllegalArgumentException("threshold for '" + label + "': no such label; expected one of " + labels);
            }
            if (!isProbability(p)) {
                throw new IllegalArgumentException("threshold for '" + label + "' is " + p
                        + ": expected a probability above 0 and at most 1");
            }
            t.minimum[c] = p;
        });
        return t;
    }

    private static boolean isProbability(float p) {
        return p > 0 && p <= 1;
    }

    public boolean isEmpty() {
        for (float m : minimum) {
            if (!Float.isNaN(m)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The answer for one example's class probabilities: of the classes whose probability reaches their threshold, the most
     * probable; where none does, the most probable class.
     */
    public int decide(float[] probabilities) {
        int best = -1;
        for (int c = 0; c < probabilities.length; c++) {
            if (!Float.isNaN(minimum[c]) && probabilities[c] >= minimum[c] && (best < 0 || probabilities[c] > probabilities[best])) {
                best = c;
            }
        }
        return best >= 0 ? best : dev.distillery.model.Classifier.argmax(probabilities);
    }
}
