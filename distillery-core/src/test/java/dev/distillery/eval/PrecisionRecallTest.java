package dev.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrecisionRecallTest {
    /** Class 1's probability per example (class 0 the rest), most probable first; a tie at 0.7. */
    private static final float[] P1 = {0.9f, 0.8f, 0.7f, 0.7f, 0.4f, 0.3f, 0.2f, 0.1f};
    private static final int[] TRUTH = {1, 0, 1, 1, 0, 0, 1, 0};

    private static float[][] probabilities() {
        float[][] p = new float[P1.length][];
        for (int i = 0; i < P1.length; i++) {
            p[i] = new float[] {1 - P1[i], P1[i]};
        }
        return p;
    }

    @Test
    void averagePrecisionIsScikitLearnsStepSumWithTiesAsOneThreshold() {
        PrecisionRecall pr = PrecisionRecall.of(probabilities(), TRUTH, 1, "rare");
        // sklearn.metrics.average_precision_score([1,0,1,1,0,0,1,0], [.9,.8,.7,.7,.4,.3,.2,.1]) = 0.7678571428571428
        assertThat(pr.averagePrecision()).isCloseTo(0.7678571428571428, within(1e-9));
        assertThat(pr.support()).isEqualTo(4);
        assertThat(pr.recall()).containsExactly(0.25, 0.25, 0.75, 0.75, 0.75, 1.0, 1.0);
        assertThat(pr.precision()[2]).isCloseTo(0.75, within(1e-9));
    }

    @Test
    void theTableGivesTheHighestThresholdThatReachesEachRecall() {
        List<PrecisionRecall.Point> table = PrecisionRecall.of(probabilities(), TRUTH, 1, "rare").table();
        // recall 0.25 at 0.9 (1 answered); 0.5 and 0.75 both first at 0.7 (4 answered, shown once); 0.9 and 1.0 at 0.2
        assertThat(table).extracting(PrecisionRecall.Point::threshold).containsExactly((double) 0.9f, (double) 0.7f, (double) 0.2f);
        assertThat(table).extracting(PrecisionRecall.Point::answered).containsExactly(1, 4, 7);
        assertThat(table.get(1).precision()).isCloseTo(0.75, within(1e-9));
        assertThat(table.get(2).recall()).isEqualTo(1.0);
        assertThat(PrecisionRecall.of(probabilities(), TRUTH, 1, "rare").markdownTable()).contains("| 0.7000 | 4 | 0.750 | 0.750 |");
    }

    @Test
    void thresholdsAnswerAClassWheneverItsProbabilityReachesThemAndAreCheckedByName() {
        ClassThresholds rare = ClassThresholds.parse(List.of("rare=0.3"), List.of("common", "rare"));
        assertThat(rare.decide(new float[] {0.65f, 0.35f})).isEqualTo(1);
        assertThat(rare.decide(new float[] {0.75f, 0.25f})).isEqualTo(0);
        assertThat(ClassThresholds.parse(List.of(), List.of("common", "rare")).decide(new float[] {0.65f, 0.35f})).isEqualTo(0);
        assertThatThrownBy(() -> ClassThresholds.parse(List.of("rar=0.3"), List.of("common", "rare")))
                .hasMessageContaining("--threshold rar=0.3").hasMessageContaining("[common, rare]");
        assertThatThrownBy(() -> ClassThresholds.parse(List.of("rare=1.5"), List.of("common", "rare")))
                .hasMessageContaining("above 0 and at most 1");
        // a label holding '=' is found by the last one
        assertThat(ClassThresholds.parse(List.of("a=b=0.5"), List.of("a=b", "c")).decide(new float[] {0.5f, 0.5f})).isEqualTo(0);
    }
}
