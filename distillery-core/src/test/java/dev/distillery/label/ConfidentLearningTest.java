package dev.distillery.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.model.MlpSpec;
import dev.distillery.train.CrossValidation;
import dev.distillery.train.TrainConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfidentLearningTest {

    @Test
    void thresholdsAreEachClassesMeanSelfConfidenceAndOnlyConfidentDisagreementsAreFlagged() {
        float[][] probs = {
            {0.9f, 0.1f}, {0.7f, 0.3f}, // labeled 0: threshold for class 0 = 0.8
            {0.2f, 0.8f}, {0.4f, 0.6f}, // labeled 1: threshold for class 1 = 0.7
            {0.05f, 0.95f},              // labeled 0 but confidently 1: flagged
            {0.45f, 0.55f},              // labeled 0, leans 1 but below class 1's threshold: not flagged
        };
        int[] given = {0, 0, 1, 1, 0, 0};
        double[] t = ConfidentLearning.thresholds(probs, given, 2);
        assertThat(t[0]).isCloseTo((0.9 + 0.7 + 0.05 + 0.45) / 4, org.assertj.core.api.Assertions.within(1e-6));
        List<ConfidentLearning.Issue> issues = ConfidentLearning.find(probs, given, 2);
        assertThat(issues).extracting(ConfidentLearning.Issue::index).containsExactly(4);
        assertThat(issues.get(0).suggested()).isEqualTo(1);
    }

    @Test
    void bothRuleDropsDisagreementsWhereNoOtherClassIsConfident() {
        float[][] probs = {
            {0.9f, 0.05f, 0.05f}, {0.8f, 0.1f, 0.1f}, // labeled 0, agree
            {0.05f, 0.9f, 0.05f}, {0.05f, 0.9f, 0.05f}, // labeled 0, confidently 1: the confident joint counts 2 of 4
            {0.3f, 0.4f, 0.3f},                         // labeled 0, leans 1 but sure of nothing (threshold of 1 is 0.75)
            {0.1f, 0.8f, 0.1f}, {0.1f, 0.7f, 0.2f},     // labeled 1
            {0.1f, 0.1f, 0.8f}, {0.1f, 0.2f, 0.7f},     // labeled 2
        };
        int[] given = {0, 0, 0, 0, 0, 1, 1, 2, 2};
        // Calibrated, 2 of the 4 confidently counted examples labeled 0 are 1s, so round(2 / 4 * 5) = 3 are flagged
        // by noise rate: the two confident ones and the unsure one, in margin order.
        assertThat(ConfidentLearning.find(probs, given, 3, ConfidentLearning.Rule.NOISE_RATE))
                .extracting(ConfidentLearning.Issue::index).containsExactly(2, 3, 4);
        assertThat(ConfidentLearning.find(probs, given, 3, ConfidentLearning.Rule.BOTH))
                .extracting(ConfidentLearning.Issue::index).containsExactly(2, 3);
        assertThat(ConfidentLearning.Rule.parse("noise-rate")).isEqualTo(ConfidentLearning.Rule.NOISE_RATE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfidentLearning.Rule.parse("cleanest"))
                .hasMessageContaining("expected noise-rate or both or low-margin");
    }

    @Test
    void lowMarginFlagsAsManyAsLieOffTheConfidentJointsDiagonalThoseOfSmallestMargin() {
        float[][] probs = {
            {0.9f, 0.05f, 0.05f}, {0.8f, 0.1f, 0.1f},   // labeled 0, agree
            {0.05f, 0.9f, 0.05f}, {0.05f, 0.9f, 0.05f}, // labeled 0, confidently 1: off the diagonal
            {0.3f, 0.4f, 0.3f},                         // labeled 0, trails class 1 by 0.1 but sure of nothing
            {0.1f, 0.8f, 0.1f}, {0.1f, 0.7f, 0.2f},     // labeled 1
            {0.1f, 0.1f, 0.8f}, {0.1f, 0.2f, 0.7f},     // labeled 2
            {0.6f, 0.35f, 0.05f},                       // labeled 1, class 0 above its threshold (0.42): off the diagonal
        };
        int[] given = {0, 0, 0, 0, 0, 1, 1, 2, 2, 1};
        // Three examples lie off the diagonal, so three are flagged: the smallest margins are -0.85, -0.85 (2 and 3),
        // then -0.25 (9); the unsure example 4 (-0.1) is the fourth smallest and stays unflagged.
        List<ConfidentLearning.Issue> issues = ConfidentLearning.find(probs, given, 3, ConfidentLearning.Rule.LOW_MARGIN);
        assertThat(issues).extracting(ConfidentLearning.Issue::index).containsExactly(2, 3, 9);
        assertThat(issues).extracting(ConfidentLearning.Issue::suggested).containsExactly(1, 1, 0);
        assertThat(ConfidentLearning.find(probs, given, 3)).isEqualTo(issues);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfidentLearning.find(new float[][] {{1f}}, new int[] {0}, 1))
                .hasMessageContaining("at least 2 classes");
    }

    @Test
    void findsPlantedLabelFlipsInSeparableData() {
        Dataset clean = TestData.blobs(60, 11);
        Set<Integer> flipped = new HashSet<>();
        Dataset noisy = LabelIssuesJob.injectSymmetricNoise(clean, 0.1, 3, flipped);
        assertThat(flipped).hasSize(18);
        TrainConfig cfg = new TrainConfig(20, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 3);
        float[][] probs = CrossValidation.outOfSample(noisy, new MlpSpec(16, 1, 0f), cfg, 4, null);
        int[] given = new int[noisy.size()];
        for (int i = 0; i < given.length; i++) {
            given[i] = noisy.schema().indexOf(noisy.get(i).label().orElseThrow());
            assertThat(given[i] != clean.schema().indexOf(clean.get(i).label().orElseThrow())).isEqualTo(flipped.contains(i));
        }
        List<ConfidentLearning.Issue> issues = ConfidentLearning.find(probs, given, 3);
        long hits = issues.stream().filter(i -> flipped.contains(i.index())).count();
        assertThat(hits / (double) issues.size()).as("precision").isGreaterThan(0.8);
        assertThat(hits / (double) flipped.size()).as("recall").isGreaterThan(0.8);
        for (ConfidentLearning.Issue issue : issues) {
            if (flipped.contains(issue.index())) {
                // The suggestion is the true class the flip hid.
                assertThat(issue.suggested()).isEqualTo(clean.schema().indexOf(clean.get(issue.index()).label().orElseThrow()));
            }
        }
    }

    @Test
    void aModelTrainedOnMirrorImagesScoresEachHeldOutImageAsTheMeanOfItAndItsMirror() {
        Dataset bars = TestData.bars(4, 3);
        dev.distillery.transform.ImageTransforms views = dev.distillery.transform.ImageTransforms.forSchema(bars.schema());
        List<dev.distillery.data.Example> mirrored = bars.examples().stream()
                .map(e -> dev.distillery.data.Example.dense(e.id(), views.flip(e.features()), null, e.source())).toList();
        try (dev.distillery.model.Classifier flips = dev.distillery.model.Classifier.create(
                new dev.distillery.model.CnnSpec(4, 2, 8, 0f, true), bars.schema());
             dev.distillery.model.Classifier noFlips = dev.distillery.model.Classifier.create(
                new dev.distillery.model.CnnSpec(4, 2, 8, 0f, false), bars.schema())) {
            for (dev.distillery.model.Classifier c : List.of(flips, noFlips)) {
                c.block().initialize(c.model().getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32,
                        c.featurizer().inputShape(1));
            }
            float[][] plain = flips.probabilities(bars.examples(), 512);
            float[][] mirror = flips.probabilities(mirrored, 512);
            float[][] scored = CrossValidation.scoreHeldOut(flips, new dev.distillery.model.CnnSpec(4, 2, 8, 0f, true),
                    bars.examples());
            boolean mirrorDiffers = false;
            for (int i = 0; i < scored.length; i++) {
                for (int c = 0; c < 2; c++) {
                    assertThat(scored[i][c]).isCloseTo((plain[i][c] + mirror[i][c]) / 2, org.assertj.core.api.Assertions.within(1e-6f));
                    mirrorDiffers |= Math.abs(plain[i][c] - mirror[i][c]) > 1e-4;
                }
            }
            assertThat(mirrorDiffers).as("the untrained model must tell an image from its mirror, or the test proves nothing")
                    .isTrue();
            // Without flips in training, the mirror is a different image to the model: scored as it is.
            assertThat(CrossValidation.scoreHeldOut(noFlips, new dev.distillery.model.CnnSpec(4, 2, 8, 0f, false),
                    bars.examples())).isDeepEqualTo(noFlips.probabilities(bars.examples(), 512));
        }
    }

    @Test
    void foldsAreStratifiedAndCoverEveryExample() {
        Dataset d = TestData.blobs(20, 1);
        int[] fold = CrossValidation.folds(d, 4, 9);
        int[][] perClassPerFold = new int[3][4];
        for (int i = 0; i < fold.length; i++) {
            perClassPerFold[d.schema().indexOf(d.get(i).label().orElseThrow())][fold[i]]++;
        }
        for (int[] row : perClassPerFold) {
            assertThat(row).containsExactly(5, 5, 5, 5);
        }
    }

    @Test
    void theSummaryShowsAFlaggedTextWithItsPersonalDataMaskedAndATableRowByColumn() {
        dev.distillery.data.Schema text = dev.distillery.data.Schema.text(List.of("a", "b"));
        String shown = LabelIssuesJob.preview(dev.distillery.data.Example.text("t1", "Write to jane.doe@example.com\n about the "
                + "invoice " + "and more words ".repeat(10), "a", "f"), text);
        assertThat(shown).startsWith("Write to [EMAIL] about the invoice").doesNotContain("jane", "\n").endsWith("…");
        assertThat(shown.length()).isEqualTo(81);
        dev.distillery.data.Schema table = dev.distillery.data.Schema.dense(List.of(3L), List.of("a", "b"))
                .withFeatureNames(List.of("age", "region=north", "region=south"));
        assertThat(LabelIssuesJob.preview(dev.distillery.data.Example.dense("r1", new float[] {30, 0, 1}, "a", "f"), table))
                .isEqualTo("age 30 · region south");
    }

    @Test
    void theJobWritesTheRankedIssuesAndEveryExamplesProbabilities(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("blobs.jsonl");
        dev.distillery.data.JsonlFormat.write(TestData.blobs(40, 5), file);
        TrainConfig cfg = new TrainConfig(20, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 3);
        LabelIssuesJob.Outcome o = new LabelIssuesJob(new dev.distillery.data.sources.DataCatalog(dir.resolve("ds")),
                new dev.distillery.run.RunStore(dir.resolve("runs")), null)
                .run(file.toString(), new MlpSpec(16, 1, 0f), cfg, 4, 0.1, dev.distillery.data.OnError.FAIL, List.of());
        assertThat(o.injected()).hasSize(12);
        assertThat(o.recall()).isGreaterThan(0.7);
        assertThat(o.precision()).isGreaterThan(0.7);
        // Every rule is scored on the same probabilities; "both" flags a subset of what "noise-rate" flags.
        LabelIssuesJob.Score both = o.byRule().get(ConfidentLearning.Rule.BOTH);
        LabelIssuesJob.Score noiseRate = o.byRule().get(ConfidentLearning.Rule.NOISE_RATE);
        LabelIssuesJob.Score lowMargin = o.byRule().get(ConfidentLearning.Rule.LOW_MARGIN);
        assertThat(both.flagged()).isLessThanOrEqualTo(noiseRate.flagged());
        assertThat(both.recall()).isLessThanOrEqualTo(noiseRate.recall());
        assertThat(lowMargin.flagged()).isEqualTo(o.issues().size());
        assertThat(lowMargin.recall()).isEqualTo(o.recall());
        assertThat(o.run().results()).containsEntry("rule", "low-margin")
                .containsKeys("precision_noise_rate", "recall_both", "precision_low_margin");
        String summary = java.nio.file.Files.readString(o.run().dir().resolve("summary.md"));
        assertThat(summary).contains("The 10 most certain flags", "| id | given | likely | example |",
                "| " + o.mostCertain().get(0).id() + " | " + o.mostCertain().get(0).given() + " (");
        List<String> issueLines = java.nio.file.Files.readAllLines(o.run().dir().resolve("issues.jsonl"));
        assertThat(o.mostCertain()).as("the first ten of the ranked list").hasSize(10).extracting(LabelIssuesJob.Shown::id)
                .isEqualTo(issueLines.stream().limit(10).map(l -> l.substring(7, l.indexOf('"', 7))).toList());
        assertThat(issueLines).hasSize(o.issues().size());
        List<String> csv = java.nio.file.Files.readAllLines(o.run().dir().resolve("probabilities.csv"));
        assertThat(csv.get(0)).isEqualTo("id,given,p_left,p_middle,p_right,injected");
        assertThat(csv).hasSize(121);
        assertThat(csv.stream().skip(1).map(l -> l.split(",")[1]).distinct()).as("given labels by name, as the data has them")
                .containsExactlyInAnyOrder("left", "middle", "right");
        long flagged = csv.stream().skip(1).filter(l -> l.endsWith(",1")).count();
        assertThat(flagged).isEqualTo(12);
        double sum = java.util.Arrays.stream(csv.get(1).split(",")).skip(2).limit(3).mapToDouble(Double::parseDouble).sum();
        assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
    }

    @Test
    void aTableWhoseFreeTextCarriesTheLabelsIsCheckedOnTheTextAndAModelThatLearnedNothingIsCalledSo(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String tickets = TestData.tableWithFreeText(dir, 120, true).toString();
        TrainConfig cfg = new TrainConfig(10, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 3);
        List<String> messages = new java.util.ArrayList<>();
        dev.distillery.train.TrainListener listener = TestData.collecting(messages);
        LabelIssuesJob job = new LabelIssuesJob(new dev.distillery.data.sources.DataCatalog(dir.resolve("ds")),
                new dev.distillery.run.RunStore(dir.resolve("runs")), listener);
        LabelIssuesJob.Outcome onText = job.run(tickets, null, cfg, 4, 0, dev.distillery.data.OnError.FAIL, List.of());
        assertThat(messages).anyMatch(m -> m.startsWith("columns: 'description' is read as the text"));
        assertThat(onText.outOfSampleAccuracy()).isGreaterThan(0.9);
        assertThat(onText.nearGuessing()).isFalse();
        // the user's own model reads the table's columns, whose number says nothing of these labels
        LabelIssuesJob.Outcome onTable = job.run(tickets, new MlpSpec(16, 1, 0f), cfg, 4, 0, dev.distillery.data.OnError.FAIL, List.of());
        assertThat(onTable.nearGuessing()).as("accuracy %.3f against the commonest label's %.3f", onTable.outOfSampleAccuracy(),
                onTable.commonestShare()).isTrue();
        assertThat(java.nio.file.Files.readString(onTable.run().dir().resolve("summary.md")))
                .contains("Caution: that is within 5 points of always answering the commonest label");
        assertThat(java.nio.file.Files.readString(onText.run().dir().resolve("summary.md"))).doesNotContain("Caution: that is within")
                .contains(String.format("Out-of-sample accuracy of the model on the given labels: %.4f, against %.4f for always"
                        + " answering '%s'", onText.outOfSampleAccuracy(), onText.commonestShare(), onText.commonestLabel()));
    }

    @Test
    void theSolvedFamiliesAreFittedByTheirSolversFoldByFold(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // an income in the tens of thousands beside a ratio: by gradient steps on the raw columns the linear model learned
        // next to nothing (0.21 out of sample on a wage table its solver scores 0.52 on), and the svm failed to be built
        StringBuilder csv = new StringBuilder("income,ratio,label\n");
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 80; i++) {
            boolean high = i % 2 == 0;
            csv.append(String.format(java.util.Locale.ROOT, "%.0f,%.3f,%s%n", (high ? 60000 : 30000) + 8000 * random.nextGaussian(),
                    random.nextDouble(), high ? "repaid" : "default"));
        }
        java.nio.file.Path loans = java.nio.file.Files.writeString(dir.resolve("loans.csv"), csv);
        TrainConfig cfg = new TrainConfig(5, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 3);
        LabelIssuesJob job = new LabelIssuesJob(new dev.distillery.data.sources.DataCatalog(dir.resolve("ds")),
                new dev.distillery.run.RunStore(dir.resolve("runs")), null);
        for (dev.distillery.model.ModelSpec spec : List.of(dev.distillery.model.LinearSpec.DEFAULT, dev.distillery.model.SvmSpec.DEFAULT)) {
            LabelIssuesJob.Outcome o = job.run(loans.toString(), spec, cfg, 4, 0, dev.distillery.data.OnError.FAIL, List.of());
            assertThat(o.outOfSampleAccuracy()).as(spec.toString()).isGreaterThan(0.85);
        }
        // with no model named, the family train's --model auto chooses on these labels, as train does
        List<String> messages = new java.util.ArrayList<>();
        LabelIssuesJob.Outcome auto = new LabelIssuesJob(new dev.distillery.data.sources.DataCatalog(dir.resolve("ds")),
                new dev.distillery.run.RunStore(dir.resolve("runs")), TestData.collecting(messages))
                .run(loans.toString(), null, cfg, 4, 0, dev.distillery.data.OnError.FAIL, List.of());
        assertThat(messages).anyMatch(m -> m.startsWith("auto: chose"));
        assertThat(auto.outOfSampleAccuracy()).isGreaterThan(0.85);
    }
}
