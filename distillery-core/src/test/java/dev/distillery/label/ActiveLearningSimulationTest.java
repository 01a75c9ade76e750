package dev.distillery.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.TestData;
import dev.distillery.data.Splits;
import dev.distillery.model.MlpSpec;
import dev.distillery.train.TrainConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActiveLearningSimulationTest {
    /** A few epochs of Adam: enough for blobs, quick for a test. */
    private static final TrainConfig CONFIG = new TrainConfig(5, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE,
            0f, 0, 3);

    /** A simulation of a small MLP's rounds. */
    private static ActiveLearningSimulation mlp(ActiveLearningSimulation.Settings settings, dev.distillery.train.TrainListener listener,
            java.nio.file.Path checkpoints) {
        return new ActiveLearningSimulation(new MlpSpec(8, 1, 0f), CONFIG, settings, listener, checkpoints);
    }

    /** Four separable blobs of 50 points each: a pool to buy from and a test part. */
    private static Splits.Pair blobs() {
        return Splits.split(TestData.blobs(50, 4), 0.3, 1, "pool", "test");
    }

    @Test
    void everyStrategyBuysItsBatchesUpToTheBudgetFromTheSameStart() {
        Splits.Pair p = blobs();
        var settings = new ActiveLearningSimulation.Settings(6, 10, 26, 30, 0.9);
        Map<Strategy, List<ActiveLearningSimulation.Point>> curves = mlp(settings, null, null).run(p.first(), p.second(), List.of(Strategy.RANDOM, Strategy.MARGIN, Strategy.KCENTER));
        for (List<ActiveLearningSimulation.Point> curve : curves.values()) {
            assertThat(curve).extracting(ActiveLearningSimulation.Point::labels).containsExactly(6, 16, 26);
        }
        // Same initial labels, same seed: the first round is the same model for every strategy.
        assertThat(curves.get(Strategy.MARGIN).get(0)).isEqualTo(curves.get(Strategy.RANDOM).get(0));
        // Blobs are separable: with 26 labels any strategy is near perfect.
        assertThat(curves.get(Strategy.MARGIN).get(2).accuracy()).isGreaterThan(0.9);
        assertThat(ActiveLearningSimulation.labelsToReach(curves.get(Strategy.MARGIN), 0.9)).isBetween(6, 26);
        assertThat(ActiveLearningSimulation.labelsToReach(curves.get(Strategy.MARGIN), 1.01)).isEqualTo(-1);
    }

    @Test
    void aRoundOnFewLabelsTakesItsStepsInTheConfiguredEpochsNotAnEpochAStep(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // 6 labels and 30 steps a round: one-step epochs made 80 epochs, each checkpointed (on an n-gram model 100 MB each)
        Splits.Pair p = blobs();
        var settings = new ActiveLearningSimulation.Settings(6, 10, 16, 30, 0.9);
        mlp(settings, null, dir).run(p.first(), p.second(), List.of(Strategy.RANDOM));
        for (String round : List.of("random-round-0", "random-round-1")) {
            com.fasterxml.jackson.databind.JsonNode result = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(dir.resolve(round).resolve("result.json").toFile());
            assertThat(result.get("history")).as(round).hasSize(5);
        }
    }

    @Test
    void aFinishedRoundKeepsItsPicksNotItsWeightsAndAResumedRunDrawsTheSameCurves(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Splits.Pair p = blobs();
        var settings = new ActiveLearningSimulation.Settings(6, 10, 36, 30, 0.9);
        List<Strategy> strategies = List.of(Strategy.RANDOM, Strategy.MARGIN);
        java.nio.file.Path whole = dir.resolve("whole");
        var uninterrupted = mlp(settings, null, whole).run(p.first(), p.second(),
                strategies);
        try (var files = java.nio.file.Files.walk(whole)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no round keeps its weights").doesNotContain("final.params")
                    .contains("round.json");
        }
        // stopped after round 1 of random: the later rounds, and margin's, never ran
        java.nio.file.Path stopped = dir.resolve("stopped");
        java.nio.file.Files.createDirectories(stopped);
        for (String round : List.of("random-round-0", "random-round-1")) {
            copyTree(whole.resolve(round), stopped.resolve(round));
        }
        List<String> messages = new java.util.ArrayList<>();
        var resumed = mlp(settings, TestData.collecting(messages), stopped)
                .run(p.first(), p.second(), strategies);
        assertThat(resumed).isEqualTo(uninterrupted); // the random picks after round 1 too: its random state was kept
        assertThat(messages).filteredOn(m -> m.contains("(done before)")).hasSize(2);
        // run again when done: every round from its record, nothing trained
        messages.clear();
        assertThat(mlp(settings, TestData.collecting(messages), whole)
                .run(p.first(), p.second(), strategies)).isEqualTo(uninterrupted);
        assertThat(messages).allMatch(m -> m.contains("(done before)"));
    }

    private static void copyTree(java.nio.file.Path from, java.nio.file.Path to) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(from)) {
            for (java.nio.file.Path f : files.toList()) {
                java.nio.file.Path target = to.resolve(from.relativize(f).toString());
                if (java.nio.file.Files.isDirectory(f)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(f, target);
                }
            }
        }
    }

    @Test
    void aTableWhoseFreeTextCarriesTheLabelsIsSimulatedOnTheTextAsTrainReadsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path pool = TestData.tableWithFreeText(dir, 120, true);
        java.util.List<String> lines = java.nio.file.Files.readAllLines(pool);
        java.nio.file.Path test = java.nio.file.Files.write(dir.resolve("test.csv"), lines.subList(0, 41)); // header and 40 rows
        java.nio.file.Files.write(pool, java.util.stream.Stream.concat(java.util.stream.Stream.of(lines.get(0)), lines.stream().skip(41))
                .toList());
        List<String> messages = new java.util.ArrayList<>();
        ActiveLearningJob job = new ActiveLearningJob(new dev.distillery.data.sources.DataCatalog(dir.resolve("ds")),
                new dev.distillery.run.RunStore(dir.resolve("runs")), TestData.collecting(messages));
        ActiveLearningJob.Outcome o = job.run(pool.toString(), test.toString(), null, CONFIG,
                new ActiveLearningSimulation.Settings(4, 12, 16, 100, 0.9), List.of(Strategy.RANDOM), dev.distillery.data.OnError.FAIL,
                List.of());
        assertThat(messages).anyMatch(m -> m.startsWith("columns: 'description' is read as the text"));
        // the size column says nothing of these labels; the words do
        assertThat(o.curves().get(Strategy.RANDOM).get(1).accuracy()).isGreaterThan(0.8);
        // no model named: each round fits what --model auto chooses on its labels, and says which
        assertThat(messages).anyMatch(m -> m.startsWith("random") && m.contains("round  1:") && m.contains("(linear ("));
    }

    @Test
    void theSolvedFamiliesAreFittedByTheirSolversRoundByRound() {
        // by gradient steps the linear model lost accuracy as labels came on a wage table, and the svm was never built
        Splits.Pair p = blobs();
        var settings = new ActiveLearningSimulation.Settings(6, 10, 26, 30, 0.9);
        for (var spec : List.of(dev.distillery.model.LinearSpec.DEFAULT, dev.distillery.model.SvmSpec.DEFAULT)) {
            Map<Strategy, List<ActiveLearningSimulation.Point>> curves = new ActiveLearningSimulation(spec, CONFIG, settings, null)
                    .run(p.first(), p.second(), List.of(Strategy.RANDOM, Strategy.MARGIN));
            assertThat(curves.get(Strategy.MARGIN)).extracting(ActiveLearningSimulation.Point::labels).containsExactly(6, 16, 26);
            assertThat(curves.get(Strategy.MARGIN).get(2).accuracy()).as(spec.toString()).isGreaterThan(0.9);
        }
    }
}
