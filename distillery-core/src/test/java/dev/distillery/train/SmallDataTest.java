package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmallDataTest {
    private static final TrainConfig DEFAULTS = TrainConfig.defaults();

    @Test
    void batchesShrinkWithTheDataButNotBelowTheFloor() {
        assertThat(SmallData.capBatch(DEFAULTS, 54_000)).isSameAs(DEFAULTS);
        assertThat(SmallData.capBatch(DEFAULTS, 134).batchSize()).isEqualTo(17);
        assertThat(SmallData.capBatch(DEFAULTS, 20).batchSize()).isEqualTo(SmallData.MIN_BATCH);
        assertThat(SmallData.capBatch(DEFAULTS.withBatchSize(8), 20).batchSize()).as("a smaller batch asked for stays").isEqualTo(8);
    }

    @Test
    void smallDataGetsEnoughPassesForTheMinimumSteps() {
        // 54,000 examples: 422 steps an epoch, one pass.
        assertThat(SmallData.passesPerEpoch(54_000, DEFAULTS)).isEqualTo(1);
        // 134 examples in batches of 17: 8 steps a pass, 15 epochs; 200 steps need 2 passes an epoch (240 steps).
        TrainConfig capped = SmallData.capBatch(DEFAULTS, 134);
        assertThat(SmallData.passesPerEpoch(134, capped)).isEqualTo(2);
        // 20 examples in batches of 16: 2 steps a pass; 200 steps over 15 epochs need 7 passes (210 steps).
        assertThat(SmallData.passesPerEpoch(20, SmallData.capBatch(DEFAULTS, 20))).isEqualTo(7);
        assertThat(SmallData.passesPerEpoch(20, DEFAULTS.withMinSteps(0))).isEqualTo(1);
    }

    @Test
    void aHoldOutNeedsFiveExamplesAClass() {
        assertThat(SmallData.holdsOut(134, 10, 0.1)).isFalse();
        assertThat(SmallData.holdsOut(500, 10, 0.1)).isTrue();
        assertThat(SmallData.holdsOut(600, 10, 0.0)).isFalse();
    }
}
