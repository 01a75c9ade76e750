package dev.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    @Test
    void matchesHandComputedFigures() {
        // truth: 0 0 0 1 1 2 ; predicted: 0 0 1 1 2 2
        Evaluation e = Evaluation.of(new int[] {0, 0, 0, 1, 1, 2}, new int[] {0, 0, 1, 1, 2, 2}, List.of("a", "b", "c"));
        assertThat(e.accuracy()).isCloseTo(4 / 6.0, within(1e-12));
        // class a: p=1, r=2/3, f1=0.8 ; b: p=1/2, r=1/2, f1=0.5 ; c: p=1/2, r=1, f1=2/3
        assertThat(e.f1(0)).isCloseTo(0.8, within(1e-12));
        assertThat(e.f1(1)).isCloseTo(0.5, within(1e-12));
        assertThat(e.f1(2)).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(e.macroF1()).isCloseTo((0.8 + 0.5 + 2 / 3.0) / 3, within(1e-12));
        assertThat(e.confusion()[0]).containsExactly(2, 1, 0);
        assertThat(e.report()).contains("macro F1").contains("confusion");
    }

    @Test
    void classAbsentFromTruthAndPredictionsDoesNotDiluteMacroF1() {
        Evaluation e = Evaluation.of(new int[] {0, 1}, new int[] {0, 1}, List.of("a", "b", "never"));
        assertThat(e.macroF1()).isEqualTo(1.0);
    }

    @Test
    void nearestRankPercentile() {
        double[] sorted = new double[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertThat(SpeedReport.percentile(sorted, 0.5)).isEqualTo(50);
        assertThat(SpeedReport.percentile(sorted, 0.99)).isEqualTo(99);
        assertThat(SpeedReport.percentile(new double[] {3}, 0.99)).isEqualTo(3);
    }
}
