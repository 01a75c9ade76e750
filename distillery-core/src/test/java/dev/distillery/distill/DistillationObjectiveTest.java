package dev.distillery.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistillationObjectiveTest {
    private static final Schema SCHEMA = Schema.text(List.of("a", "b", "c"));

    @Test
    void matchesAHandComputedLossForLabeledAndUnlabeledExamples() {
        // Expected values computed separately in double precision:
        //   labeled  (student [1,2,0], teacher [2,0,1], label b, T=2, alpha=0.25): 0.25*CE + 0.75*4*KL = 0.763444736594781
        //   unlabeled (student [0.5,-1,0], teacher [0,0,3], T=2): 4*KL = 1.0727825459720455
        Map<String, float[]> teacher = Map.of("x", new float[] {2, 0, 1}, "u", new float[] {0, 0, 3});
        DistillationObjective kd = new DistillationObjective(teacher, 0.25f, 2f);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labeled = m.create(new float[] {1, 2, 0}, new Shape(1, 3));
            assertThat(kd.loss(labeled, List.of(Example.text("x", "t", "b", "")), SCHEMA).getFloat())
                    .isCloseTo(0.763444736594781f, within(1e-5f));
            NDArray unlabeled = m.create(new float[] {0.5f, -1, 0}, new Shape(1, 3));
            assertThat(kd.loss(unlabeled, List.of(Example.text("u", "t", null, "")), SCHEMA).getFloat())
                    .isCloseTo(1.0727825459720455f, within(1e-5f));
            NDArray both = m.create(new float[] {1, 2, 0, 0.5f, -1, 0}, new Shape(2, 3));
            assertThat(kd.loss(both, List.of(Example.text("x", "t", "b", ""), Example.text("u", "t", null, "")), SCHEMA)
                    .getFloat()).isCloseTo(0.9181136412834132f, within(1e-5f));
        }
    }

    @Test
    void studentEqualToTeacherHasNoSoftLoss() {
        DistillationObjective kd = new DistillationObjective(Map.of("u", new float[] {0.3f, -2, 1}), 0.5f, 3f);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray same = m.create(new float[] {0.3f, -2, 1}, new Shape(1, 3));
            assertThat(kd.loss(same, List.of(Example.text("u", "t", null, "")), SCHEMA).getFloat()).isCloseTo(0f, within(1e-6f));
        }
    }

    @Test
    void softmaxWithTemperatureIsStableForLargeLogits() {
        float[] p = DistillationObjective.softmax(new float[] {1000, 1000, -1000}, 1f);
        assertThat(p[0]).isCloseTo(0.5f, within(1e-6f));
        assertThat(p[2]).isEqualTo(0f);
    }
}
