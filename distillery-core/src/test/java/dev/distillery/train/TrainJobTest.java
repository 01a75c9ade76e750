package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.eval.Evaluation;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.TestData;
import dev.distillery.data.ColumnNames;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.JsonlFormat;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.NgramBagSpec;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainJobTest {
    @TempDir
    Path dir;

    private TrainJob job() {
        return new TrainJob(new DataCatalog(dir.resolve("datasets")), new RunStore(dir.resolve("runs")), null);
    }

    private TrainSpec spec(Path data, String labeled) {
        TrainConfig cfg = new TrainConfig(3, 16, 2e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 9);
        return new TrainSpec(data.toString(), null, 0.25, 0.2, labeled, new NgramBagSpec(8, 4096, 2, 100), cfg, OnError.FAIL);
    }

    @Test
    void aSolvedModelPlotsTheCrossValidationThatChoseItsCInsteadOfOnePointPerEpoch() throws Exception {
        Path data = dir.resolve("texts.jsonl");
        JsonlFormat.write(TestData.texts(60, 1), data);
        TrainSpec linear = spec(data, null).withModel(new LinearSpec(4096, null));
        Run run = job().run(linear, "train", List.of("--data", data.toString())).run();
        assertThat(run.plotsDir().resolve("cross_validation.png")).isNotEmptyFile();
        assertThat(run.plotsDir().resolve("loss.png")).doesNotExist();
        assertThat(Files.readString(run.dir().resolve(Run.SUMMARY))).contains("`plots/cross_validation.png` (where C was chosen)")
                .doesNotContain("loss.png");
    }

    @Test
    void writesACompleteRunRecord() throws Exception {
        Path data = dir.resolve("texts.jsonl");
        JsonlFormat.write(TestData.texts(60, 1), data);
        TrainJob.Outcome o = job().run(spec(data, null), "train", List.of("--data", data.toString()));
        Run run = o.run();
        for (String f : List.of(Run.CONFIG, Run.PROVENANCE, Run.METRICS, Run.RESULTS, Run.SUMMARY,
                "model/model.json", "model/weights.params", "plots/loss.png", "plots/accuracy.png", "plots/precision_recall.png", "checkpoints/train/result.json")) {
            assertThat(run.dir().resolve(f)).as(f).isRegularFile();
        }
        assertThat(Files.readAllLines(run.dir().resolve(Run.METRICS))).hasSize(3);
        Map<String, Object> prov = run.provenance();
        assertThat(prov).containsEntry("status", "finished").containsEntry("seed", 9);
        assertThat(((Map<?, ?>) prov.get("inputs")).keySet()).map(Object::toString).contains(data.toAbsolutePath().toString());
        assertThat(((Map<?, ?>) prov.get("software")).get("engine").toString()).startsWith("PyTorch");
        assertThat(o.data().train().size() + o.data().validation().size() + o.test().count()).isEqualTo(120);
        assertThat(run.results()).containsKeys("test_accuracy", "test_macro_f1", "latency_p50_ms", "throughput_per_s",
                "parameters", "bytes_on_disk");
        assertThat(o.test().accuracy()).isGreaterThan(0.8);
        // the recorded configuration is complete: it reads back into the same spec
        TrainSpec recorded = new ObjectMapper().convertValue(run.config(), TrainSpec.class);
        assertThat(recorded).isEqualTo(o.spec());
    }

    /** {@code ssl} on planted two-class texts ({@code perClass} each): 10 labels for an n-gram bag, the rest unlabeled. */
    private TrainSpec textSelfTraining(int perClass, int epochs, SelfTraining ssl) throws Exception {
        Path data = dir.resolve("texts.jsonl");
        JsonlFormat.write(TestData.texts(perClass, 2), data);
        TrainConfig cfg = new TrainConfig(epochs, 16, 2e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 9);
        return new TrainSpec(data.toString(), null, 0.25, 0, "10", new NgramBagSpec(8, 4096, 2, 100), cfg, OnError.FAIL, ssl);
    }

    @Test
    void selfTrainingLearnsFromTheLabelsSetAsideAndRecordsEveryRound() throws Exception {
        TrainSpec ssl = textSelfTraining(100, 20, new SelfTraining(SelfTraining.REST, 2, 0.6, 10));
        TrainJob.Outcome o = job().run(ssl, "train", List.of());
        assertThat(o.data().train().size()).isEqualTo(10);
        assertThat(o.data().unlabeled().size()).isEqualTo(140);
        assertThat(o.data().unlabeled().labeledCount()).isZero();
        // 20 epochs on the 10 labels, then 10 per student round.
        assertThat(o.training().history()).hasSize(40);
        TrainJob.Outcome supervised = job().run(new TrainSpec(ssl.data(), null, 0.25, 0, "10", ssl.model(), ssl.train(),
                OnError.FAIL), "train", List.of());
        // The rest of the data, pseudo-labeled, teaches more than the 10 labels alone.
        assertThat(o.test().accuracy()).isGreaterThan(0.9).isGreaterThanOrEqualTo(supervised.test().accuracy());
        TrainSpec recorded = new ObjectMapper().convertValue(o.run().config(), TrainSpec.class);
        assertThat(recorded).isEqualTo(o.spec());
        assertThatThrownBy(() -> job().run(new TrainSpec(ssl.data(), null, 0.25, 0, null, ssl.model(), ssl.train(),
                OnError.FAIL, new SelfTraining(SelfTraining.REST, 1, 0.8, 1)), "train", List.of()))
                .hasMessageContaining("--unlabeled rest needs records without labels in the training data, or --labeled");

        // a file with records without labels: rest is them, no --labeled needed
        List<dev.distillery.data.Example> partly = new java.util.ArrayList<>();
        List<dev.distillery.data.Example> texts = TestData.texts(100, 2).examples();
        for (int i = 0; i < texts.size(); i++) {
            partly.add(i % 5 == 0 ? texts.get(i) : texts.get(i).withLabel(null)); // both classes among the labeled
        }
        Path partial = dir.resolve("partly-labeled.jsonl");
        JsonlFormat.write(dev.distillery.data.Dataset.infer("partly", partly, null), partial);
        Path test = dir.resolve("test.jsonl");
        JsonlFormat.write(TestData.texts(20, 3), test);
        TrainJob.Outcome fromFile = job().run(new TrainSpec(partial.toString(), test.toString(), 0.25, 0, null, ssl.model(), ssl.train(),
                OnError.FAIL, new SelfTraining(SelfTraining.REST, 1, 0.6, 2)), "train", List.of());
        assertThat(fromFile.data().train().size()).isEqualTo(texts.size() / 5);
        assertThat(fromFile.data().unlabeled().size()).isEqualTo(texts.size() - texts.size() / 5);
    }

    @Test
    void roundsAfterTheLabeledOneTrainAtTheirOwnLearningRateWhenGiven() throws Exception {
        TrainSpec spec = textSelfTraining(40, 4, new SelfTraining(SelfTraining.REST, 1, 0.5, 4, SelfTraining.Method.SELF_TRAINING, 1e-3f));
        TrainJob.Outcome o = job().run(spec, "train", List.of());
        List<EpochStats> history = o.training().history();
        assertThat(history).hasSize(8);
        // Cosine schedules: each phase starts at its own peak (two classes: every pseudo-label passes 0.5).
        assertThat(history.get(0).learningRate()).isCloseTo(2e-2, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(history.get(4).learningRate()).isCloseTo(1e-3, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(new ObjectMapper().convertValue(o.run().config(), TrainSpec.class)).isEqualTo(o.spec());
        assertThatThrownBy(() -> new SelfTraining(SelfTraining.REST, 1, 0.6, 4, SelfTraining.Method.FIXMATCH, -1f))
                .hasMessageContaining("learning rate must be > 0");
    }

    /** A tiny CNN on planted bar images (100 per class), {@code labeled} of them labeled, 60 epochs; no unlabeled rounds. */
    private TrainSpec bars(String labeled, double validationFraction) throws Exception {
        Path data = dir.resolve("bars.jsonl");
        JsonlFormat.write(TestData.bars(100, 4), data);
        TrainConfig cfg = new TrainConfig(60, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 5);
        return new TrainSpec(data.toString(), null, 0.25, validationFraction, labeled,
                new dev.distillery.model.CnnSpec(4, 1, 16, 0f, false), cfg, OnError.FAIL);
    }

    /** {@code spec} followed by {@code passes} FixMatch passes over the rest of its data, threshold 0.9, the paper's views. */
    private static TrainSpec withFixMatch(TrainSpec spec, int passes) {
        return new TrainSpec(spec.data(), spec.test(), spec.testFraction(), spec.validationFraction(), spec.labeled(), spec.model(),
                spec.train(), spec.onError(), new SelfTraining(SelfTraining.REST, 1, 0.9, passes, SelfTraining.Method.FIXMATCH));
    }

    @Test
    void fixMatchContinuesTheLabeledModelOnTheUnlabeledImagesAndRecordsItsEpochs() throws Exception {
        TrainSpec supervisedSpec = bars("4", 0);
        TrainJob.Outcome o = job().run(withFixMatch(supervisedSpec, 6), "train", List.of());
        assertThat(o.data().train().size()).isEqualTo(4);
        assertThat(o.data().unlabeled().size()).isEqualTo(146);
        // 60 epochs on the 4 labels, then 6 FixMatch passes over the 146 unlabeled images.
        assertThat(o.training().history()).hasSize(66);
        TrainJob.Outcome supervised = job().run(supervisedSpec, "train", List.of());
        // Four labels teach a tiny CNN little; its confident predictions on weak views of the other images, taught on
        // strong views, teach it more.
        // (Measured when written: 0.78 against 0.62.)
        assertThat(o.test().accuracy()).isGreaterThan(supervised.test().accuracy() + 0.1);
        // The labeled round is the supervised run: same data, seed and steps, so the same model.
        assertThat(o.labeledRound().accuracy()).isEqualTo(supervised.test().accuracy());
        assertThat(supervised.labeledRound()).isNull();
        assertThat(Files.readString(o.run().dir().resolve("results.json"))).contains("labeled_round_test_accuracy");
        assertThat(o.unlabeledCheck()).as("no validation split, nothing to check on").isNull();
        TrainSpec recorded = new ObjectMapper().convertValue(o.run().config(), TrainSpec.class);
        assertThat(recorded).isEqualTo(o.spec());
        assertThat(o.run().config().toString()).contains("FIXMATCH").contains("views=PAPER");
        assertThatThrownBy(() -> SelfTraining.Method.parse("mixmatch")).hasMessageContaining("expected self-training or fixmatch");
    }

    @Test
    void theUnlabeledRoundsAreCheckedOnTheValidationSplitAgainstTheLabeledRound() throws Exception {
        TrainSpec supervisedSpec = bars("40", 0.5);
        TrainJob.Outcome o = job().run(withFixMatch(supervisedSpec, 3), "train", List.of());
        TrainJob.Outcome supervised = job().run(supervisedSpec, "train", List.of());
        assertThat(o.unlabeledCheck().examples()).isEqualTo(o.data().validation().size()).isPositive();
        // The labeled round is the supervised run's model; the final figure is the saved model's.
        try (dev.distillery.model.Classifier labelsAlone = dev.distillery.model.Classifier.load(supervised.run().modelDir());
                dev.distillery.model.Classifier saved = dev.distillery.model.Classifier.load(o.run().modelDir())) {
            assertThat(o.unlabeledCheck().labeledRoundAccuracy())
                    .isEqualTo(Evaluation.of(labelsAlone, o.data().validation()).accuracy());
            assertThat(o.unlabeledCheck().finalAccuracy()).isEqualTo(Evaluation.of(saved, o.data().validation()).accuracy());
        }
        assertThat(Files.readString(o.run().dir().resolve("results.json"))).contains("labeled_round_val_accuracy")
                .contains("final_val_accuracy");
        assertThat(supervised.unlabeledCheck()).isNull();
    }

    @Test
    void withAWeightAverageFixMatchScoresAndSavesTheAverageOfItsSteps() throws Exception {
        TrainSpec last = withFixMatch(bars("40", 0.5), 3);
        // A fast decay, so that the 9 steps' average is far from the last step's weights.
        TrainSpec averaged = new TrainSpec(last.data(), last.test(), last.testFraction(), last.validationFraction(), last.labeled(),
                last.model(), last.train(), last.onError(),
                new SelfTraining(SelfTraining.REST, 1, 0.9, 3, SelfTraining.Method.FIXMATCH, null, null, 0.5f));
        TrainJob.Outcome a = job().run(averaged, "train", List.of());
        TrainJob.Outcome l = job().run(last, "train", List.of());
        List<EpochStats> history = a.training().history();
        try (dev.distillery.model.Classifier saved = dev.distillery.model.Classifier.load(a.run().modelDir());
                dev.distillery.model.Classifier lastStep = dev.distillery.model.Classifier.load(l.run().modelDir())) {
            assertThat(history.get(history.size() - 1).valAccuracy())
                    .isEqualTo(Evaluation.of(saved, a.data().validation()).accuracy());
            // Both runs take the same steps (same seed and data); only the averaged one ends on the average.
            assertThat(ClassifierTrainerTest.weights(saved)).isNotEqualTo(ClassifierTrainerTest.weights(lastStep));
        }
    }

    @Test
    void aConfigurationRecordedBeforeFixMatchHadViewStrengthsReadsBackWithThePapersViews() throws Exception {
        String before = "{\"unlabeled\":\"rest\",\"rounds\":1,\"threshold\":0.95,\"epochs\":2,\"method\":\"FIXMATCH\",\"learningRate\":1e-4}";
        SelfTraining read = new ObjectMapper().readValue(before, SelfTraining.class);
        assertThat(read.views()).isEqualTo(dev.distillery.transform.ImageTransforms.ViewStrength.PAPER);
        assertThat(read.averageDecay()).isZero();
        SelfTraining mild = new SelfTraining(SelfTraining.REST, 1, 0.95, 2, SelfTraining.Method.FIXMATCH, 1e-4f,
                dev.distillery.transform.ImageTransforms.ViewStrength.MILD, 0.99f);
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readValue(json.writeValueAsString(mild), SelfTraining.class)).isEqualTo(mild);
    }

    @Test
    void theUnlabeledCheckWarnsOnlyWhenValidationAccuracyFell() {
        TrainJob.UnlabeledCheck fell = new TrainJob.UnlabeledCheck(0.90, 0.88, 500);
        assertThat(fell.lowered()).isTrue();
        assertThat(fell.warning()).contains("0.9000 to 0.8800").contains("500 examples").contains("without --unlabeled");
        assertThat(new TrainJob.UnlabeledCheck(0.88, 0.88, 500).lowered()).isFalse();
        assertThat(new TrainJob.UnlabeledCheck(0.88, 0.90, 500).lowered()).isFalse();
    }

    @Test
    void autoChoosesByCrossValidationAndRecordsTheTable() throws Exception {
        Path data = dir.resolve("texts.jsonl");
        JsonlFormat.write(TestData.texts(30, 7), data);
        // One pass, no step minimum: this checks how the choice is made and recorded, not what the n-gram bag learns.
        TrainConfig cfg = TrainConfig.defaults().withEpochs(1).withMinSteps(0);
        TrainSpec open = new TrainSpec(data.toString(), null, 0.25, 0.1, null, null, cfg, OnError.FAIL);
        TrainJob.Outcome o = job().run(open, "train", List.of());
        assertThat(o.data().validation()).as("45 labels: cross-validation, no hold-out").isNull();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> table = (List<Map<String, Object>>) o.modelSelection().get("candidates");
        assertThat(table).extracting(r -> r.get("candidate").toString()).hasSize(2).anyMatch(c -> c.startsWith("linear"))
                .contains("ngrambag");
        double linear = (Double) table.get(0).get("cv_accuracy");
        double ngram = (Double) table.get(1).get("cv_accuracy");
        assertThat(o.spec().model()).isInstanceOf(linear >= ngram ? LinearSpec.class : NgramBagSpec.class);
        assertThat(o.run().config().get("model")).as("the run's configuration keeps the choice open").isNull();
        assertThat(Files.readString(o.run().dir().resolve("results.json"))).contains("\"model_selection\"").contains("cv_accuracy");
        TrainJob.Outcome again = job().run(open, "train", List.of());
        assertThat(again.modelSelection()).isEqualTo(o.modelSelection());
        assertThat(again.test().accuracy()).isEqualTo(o.test().accuracy());
    }

    private TrainJob.Outcome autoOn(Path data, String labeled, List<String> messages) {
        TrainConfig cfg = TrainConfig.defaults().withEpochs(1).withMinSteps(0);
        TrainSpec open = new TrainSpec(data.toString(), null, 0.25, 0.1, labeled, null, cfg, OnError.FAIL);
        TrainListener listener = TestData.collecting(messages);
        return new TrainJob(new DataCatalog(dir.resolve("datasets")), new RunStore(dir.resolve("runs")), listener)
                .run(open, "train", List.of());
    }

    @Test
    void aTableWhoseFreeTextCarriesTheLabelsIsTrainedOnTheTextAndItsRunReadsThatColumnAgain() throws Exception {
        List<String> messages = new java.util.ArrayList<>();
        TrainJob.Outcome o = autoOn(TestData.tableWithFreeText(dir, 160, true), null, messages);
        assertThat(messages).anyMatch(m -> m.startsWith("columns: 'description' is read as the text"));
        assertThat(o.spec().columns().text()).isEqualTo("description");
        assertThat(((Map<?, ?>) o.run().config().get("columns")).get("text")).as("recorded, so eval and predict read it").isEqualTo("description");
        assertThat(o.test().accuracy()).isGreaterThan(0.9);
    }

    @Test
    void aTablesOneColumnOfWordsBesideItsNamedLabelColumnIsReadAsTheTextAndItsRunReadsItAgain() throws Exception {
        // a list of words with their sentiment ("word,sentiment"): refused, with the label column named, as a table whose
        // one feature column held no numbers, though nothing but a text model can learn from it
        StringBuilder csv = new StringBuilder("word,sentiment\n");
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 160; i++) {
            String stem = "" + (char) ('a' + random.nextInt(26)) + (char) ('a' + random.nextInt(26)) + (char) ('a' + random.nextInt(26));
            csv.append(stem).append(i % 2 == 0 ? "ful,positive\n" : "less,negative\n");
        }
        Path words = Files.writeString(dir.resolve("words.csv"), csv);
        List<String> messages = new java.util.ArrayList<>();
        TrainConfig cfg = TrainConfig.defaults().withEpochs(1).withMinSteps(0);
        TrainSpec spec = new TrainSpec(words.toString(), null, 0.25, 0.1, null, null, cfg, OnError.FAIL)
                .withColumns(new ColumnNames("sentiment", null));
        TrainJob.Outcome o = new TrainJob(new DataCatalog(dir.resolve("datasets")), new RunStore(dir.resolve("runs")),
                TestData.collecting(messages)).run(spec, "train", List.of());
        assertThat(messages).anyMatch(m -> m.startsWith("columns: 'word' is read as the text: it is the file's one column beside"
                + " its id and labels ('sentiment')"));
        assertThat(o.spec().columns()).isEqualTo(new ColumnNames("sentiment", "word"));
        assertThat(((Map<?, ?>) o.run().config().get("columns")).get("text")).as("recorded, so eval and predict read it").isEqualTo("word");
        assertThat(o.test().accuracy()).isGreaterThan(0.9);
    }

    @Test
    void aTableWhoseNumbersCarryTheLabelsKeepsItsColumnsBesideUninformativeText() throws Exception {
        List<String> messages = new java.util.ArrayList<>();
        TrainJob.Outcome o = autoOn(TestData.tableWithFreeText(dir, 160, false), null, messages);
        assertThat(messages).anyMatch(m -> m.startsWith("columns: the table's columns are read, not 'description'"));
        assertThat(o.spec().columns().isDefault()).isTrue();
        assertThat(o.test().accuracy()).isGreaterThan(0.8);
    }

    @Test
    void aTableWithAnIdentifierColumnIsComparedRecordByRecordWithItsText() throws Exception {
        // ticket numbers, the records' id: read as the text, the file had given its records line ids instead, and no
        // record of the table's reading was found in the text's ("with fewer than 2 labels of some class")
        List<String> lines = Files.readAllLines(TestData.tableWithFreeText(dir, 160, true));
        StringBuilder csv = new StringBuilder("ticket_no," + lines.get(0) + "\n");
        for (int i = 1; i < lines.size(); i++) {
            csv.append("T-").append(5000 + 7 * i).append(',').append(lines.get(i)).append('\n');
        }
        List<String> messages = new java.util.ArrayList<>();
        TrainJob.Outcome o = autoOn(Files.writeString(dir.resolve("numbered.csv"), csv), null, messages);
        assertThat(messages).anyMatch(m -> m.startsWith("columns: 'description' is read as the text"));
        assertThat(o.test().accuracy()).isGreaterThan(0.9);
    }

    @Test
    void aLabelingProjectsAnswersChooseTheTextColumnAsTrainsLabelsDo() throws Exception {
        Path tickets = TestData.tableWithFreeText(dir, 160, true);
        DataCatalog catalog = new DataCatalog(dir.resolve("datasets"));
        Map<String, String> answers = new java.util.HashMap<>();
        catalog.load(tickets.toString(), OnError.FAIL, m -> { }).dataset().examples().stream().limit(30)
                .forEach(e -> answers.put(e.id(), e.label().orElseThrow()));
        List<String> labels = List.of("access", "hardware");
        List<String> messages = new java.util.ArrayList<>();
        assertThat(TextColumnChoice.forAnswers(tickets.toString(), dev.distillery.data.ColumnNames.DEFAULT, catalog, OnError.FAIL,
                labels, answers, 42, TestData.collecting(messages)).text()).isEqualTo("description");
        assertThat(messages).anyMatch(m -> m.contains("cross-validation on 30 labels"));
        // answers of one class cannot compare the readings: the table is read
        answers.values().removeIf("access"::equals);
        assertThat(TextColumnChoice.forAnswers(tickets.toString(), dev.distillery.data.ColumnNames.DEFAULT, catalog, OnError.FAIL,
                labels, answers, 42, TestData.collecting(messages)).isDefault()).isTrue();
    }

    @Test
    void ofTwoFreeTextColumnsTheOneThatCarriesTheLabelsIsRead() throws Exception {
        // the ticket table with a second column of sentences drawn alike for both classes, put first
        List<String> lines = Files.readAllLines(TestData.tableWithFreeText(dir, 160, true));
        java.util.Random random = new java.util.Random(5);
        String[] filler = "please help again today still waiting since this morning for an answer".split(" ");
        StringBuilder csv = new StringBuilder("note," + lines.get(0) + "\n");
        for (String line : lines.subList(1, lines.size())) {
            StringBuilder note = new StringBuilder("customer wrote");
            for (int w = 0; w < 8; w++) {
                note.append(' ').append(filler[random.nextInt(filler.length)]);
            }
            csv.append(note).append(',').append(line).append('\n');
        }
        Path data = Files.writeString(dir.resolve("two-texts.csv"), csv);
        List<String> messages = new java.util.ArrayList<>();
        TrainJob.Outcome o = autoOn(data, null, messages);
        assertThat(messages).anyMatch(m -> m.startsWith("columns: 'note', 'description' hold free text"));
        assertThat(o.spec().columns().text()).isEqualTo("description");
        assertThat(o.test().accuracy()).isGreaterThan(0.9);
    }

    @Test
    void theColumnChoiceLooksOnlyAtTheLabelsTheRunMayTrainOn() throws Exception {
        List<String> messages = new java.util.ArrayList<>();
        autoOn(TestData.tableWithFreeText(dir, 160, true), "12", messages);
        String judged = messages.stream().filter(m -> m.contains("cross-validation on")).findFirst().orElseThrow();
        int labels = Integer.parseInt(judged.replaceAll(".*cross-validation on (\\d+) labels.*", "$1"));
        assertThat(labels).as(judged).isBetween(4, 12);
    }

    @Test
    void autoWithManyLabelsKeepsTheLinearModelUnlessTheNetworkWinsBeyondChanceAndRefitsItOnEveryLabel() throws Exception {
        Path data = dir.resolve("many.jsonl");
        JsonlFormat.write(TestData.blobs(1000, 11), data);
        // 3,000 blobs, 0.25 test, 0.1 validation: 2,025 training labels, over the cross-validation limit. One short pass
        // of the MLP: this checks the rule and the refit, not what the network learns.
        TrainConfig cfg = TrainConfig.defaults().withEpochs(1).withMinSteps(0);
        TrainJob.Outcome o = job().run(new TrainSpec(data.toString(), null, 0.25, 0.1, null, null, cfg, OnError.FAIL), "train", List.of());
        Map<String, Object> selection = o.modelSelection();
        assertThat(selection.get("rule").toString()).contains("sign test");
        @SuppressWarnings("unchecked")
        Map<String, Object> duel = (Map<String, Object>) selection.get("disagreements");
        int networkOnly = (Integer) duel.get("network_right_linear_wrong");
        int linearOnly = (Integer) duel.get("linear_right_network_wrong");
        assertThat(networkOnly + linearOnly).isLessThanOrEqualTo(225);
        assertThat(new AutoSelect.Duel(networkOnly, linearOnly).networkWins()).as("%s", duel).isFalse();
        assertThat(o.spec().model()).isInstanceOf(LinearSpec.class);
        assertThat(selection).containsKey("refit");
        assertThat(o.data().validation()).as("the validation part joined the training labels").isNull();
        assertThat(o.data().train().size()).isEqualTo(2250);
        assertThat(o.test().accuracy()).isGreaterThan(0.95);
    }

    @Test
    void autoSemiSupervisedSpreadsLabelsOnDenseDataAndRecordsItsCheck() throws Exception {
        Path data = dir.resolve("blobs.jsonl");
        JsonlFormat.write(TestData.blobs(60, 5), data);
        TrainSpec spec = new TrainSpec(data.toString(), null, 0.25, 0.1, "9", null, TrainConfig.defaults().withMinSteps(0),
                OnError.FAIL, new SelfTraining(SelfTraining.REST, 1, 0.9, 1, SelfTraining.Method.AUTO));
        TrainJob.Outcome o = job().run(spec, "train", List.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> spreading = (Map<String, Object>) o.modelSelection().get("label_spreading");
        assertThat(spreading).containsKeys("cv_accuracy", "labels_alone_cv_accuracy", "used");
        int pseudo = Boolean.TRUE.equals(spreading.get("used")) ? (Integer) spreading.get("pseudo_labels") : 0;
        assertThat(o.data().train().size()).isEqualTo(9 + pseudo);
        assertThat(o.test().accuracy()).isGreaterThan(0.9);
        assertThat(Files.readString(o.run().dir().resolve("results.json"))).contains("label_spreading");
    }

    @Test
    void linearModelTrainsOnAllLabelsAndSaves() throws Exception {
        Path data = dir.resolve("blobs.jsonl");
        JsonlFormat.write(TestData.blobs(100, 3), data);
        TrainJob.Outcome o = job().run(new TrainSpec(data.toString(), null, 0.2, 0.1, null, LinearSpec.DEFAULT, TrainConfig.defaults(),
                OnError.FAIL), "train", List.of());
        assertThat(o.data().validation()).isNull();
        assertThat(o.data().train().size()).isEqualTo(240);
        assertThat(o.test().accuracy()).isGreaterThan(0.95);
        assertThat(o.modelSelection()).containsKeys("c", "folds", "cv_accuracy");
        try (dev.distillery.model.Classifier saved = dev.distillery.model.Classifier.load(o.run().modelDir())) {
            assertThat(Evaluation.of(saved, o.data().test()).accuracy()).isEqualTo(o.test().accuracy());
        }
    }

    @Test
    void sameSpecGivesTheSameTestAccuracy() throws Exception {
        Path data = dir.resolve("texts.jsonl");
        JsonlFormat.write(TestData.texts(40, 2), data);
        double first = job().run(spec(data, null), "train", List.of()).test().accuracy();
        double second = job().run(spec(data, null), "train", List.of()).test().accuracy();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void twoLabelsAClassTrainWithoutAHoldOutForTheMinimumSteps() throws Exception {
        Path data = dir.resolve("blobs.jsonl");
        JsonlFormat.write(TestData.blobs(100, 3), data);
        TrainConfig cfg = new TrainConfig(3, 128, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 5, 1, 60);
        TrainJob.Outcome o = job().run(new TrainSpec(data.toString(), null, 0.2, 0.1, "6", new MlpSpec(8, 1, 0f), cfg,
                OnError.FAIL), "train", List.of());
        assertThat(o.data().train().size()).isEqualTo(6);
        assertThat(o.data().train().labelCounts().values()).containsOnly(2);
        assertThat(o.data().validation()).as("0.6 validation examples cannot judge 3 classes").isNull();
        assertThat(o.spec().train().batchSize()).as("capped for 6 examples").isEqualTo(SmallData.MIN_BATCH);
        // 6 examples in batches of 16: one step a pass, so 20 passes an epoch make 60 steps in 3 epochs.
        assertThat(o.training().history()).hasSize(3);
        assertThat(o.training().history().get(0).examplesPerSecond() * o.training().history().get(0).seconds())
                .isCloseTo(120.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(o.test().count()).isEqualTo(60);
    }

    @Test
    void labeledAmountLimitsTheTrainingLabels() throws Exception {
        Path data = dir.resolve("blobs.jsonl");
        JsonlFormat.write(TestData.blobs(100, 3), data);
        TrainConfig cfg = new TrainConfig(2, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 1);
        TrainSpec s = new TrainSpec(data.toString(), null, 0.2, 0, "10%", new MlpSpec(8, 1, 0f), cfg, OnError.FAIL);
        TrainJob.Splits3 splits = job().prepare(s);
        assertThat(splits.train().size()).isEqualTo(24);
        assertThat(splits.train().labelCounts().values()).containsOnly(8);
        assertThat(splits.test().size()).isEqualTo(60);
    }

    @Test
    void extraExamplesJoinOnlyTheTrainingPart() throws Exception {
        Path data = dir.resolve("blobs.jsonl");
        JsonlFormat.write(TestData.blobs(100, 3), data);
        Path extra = dir.resolve("extra.jsonl");
        JsonlFormat.write(TestData.blobs(5, 8), extra);
        TrainConfig cfg = new TrainConfig(2, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 1);
        TrainJob.Splits3 plain = job().prepare(new TrainSpec(data.toString(), null, 0.2, 0.25, "50%", new MlpSpec(8, 1, 0f), cfg,
                OnError.FAIL, null, null));
        TrainJob.Splits3 more = job().prepare(new TrainSpec(data.toString(), null, 0.2, 0.25, "50%", new MlpSpec(8, 1, 0f), cfg,
                OnError.FAIL, null, extra.toString()));
        assertThat(more.train().examples()).as("the labels every choice is made on").extracting(Example::id)
                .isEqualTo(plain.train().examples().stream().map(Example::id).toList());
        assertThat(more.extra().size()).isEqualTo(15);
        assertThat(more.trainWithExtra().size()).isEqualTo(plain.train().size() + 15);
        assertThat(more.validation().examples()).extracting(Example::id).isEqualTo(plain.validation().examples().stream().map(Example::id).toList());
        assertThat(more.test().examples()).extracting(Example::id).isEqualTo(plain.test().examples().stream().map(Example::id).toList());
        Path unlabeled = dir.resolve("unlabeled.jsonl");
        Files.writeString(unlabeled, "{\"id\":\"u1\",\"features\":[0,0,0,0,0,0,0,0]}\n");
        assertThatThrownBy(() -> job().prepare(new TrainSpec(data.toString(), null, 0.2, 0, null, new MlpSpec(8, 1, 0f), cfg,
                OnError.FAIL, null, unlabeled.toString()))).hasMessageContaining("1 of 1 extra training examples have no label");
    }

    @Test
    void extraExamplesJoinTheFinalFitButNoChoiceIsMadeOnThem() throws Exception {
        // Extra examples made from the training texts (each with its last word dropped, as synthesis might make them):
        // in cross-validation a variant would be held out beside its original and scored from memory.
        Dataset labeled = TestData.texts(20, 3);
        Path data = dir.resolve("labeled.jsonl");
        JsonlFormat.write(labeled, data);
        Path test = dir.resolve("test.jsonl");
        JsonlFormat.write(TestData.texts(20, 4), test);
        Path extra = dir.resolve("variants.jsonl");
        JsonlFormat.write(labeled.subset("variants", labeled.examples().stream().map(e -> Example.text("v-" + e.id(),
                e.text().substring(0, e.text().lastIndexOf(' ')), e.label().orElseThrow(), "synth")).toList()), extra);
        TrainConfig cfg = TrainConfig.defaults().withEpochs(1).withMinSteps(0);
        TrainJob.Outcome plain = job().run(new TrainSpec(data.toString(), test.toString(), 0, 0.1, null, null, cfg, OnError.FAIL,
                null, null), "train", List.of());
        TrainJob.Outcome more = job().run(new TrainSpec(data.toString(), test.toString(), 0, 0.1, null, null, cfg, OnError.FAIL,
                null, extra.toString()), "train", List.of());
        assertThat(more.modelSelection()).as("the same cross-validation table").isEqualTo(plain.modelSelection());
        assertThat(more.data().train().size()).as("trained on labels and variants").isEqualTo(80);
        assertThat(Files.readString(more.run().dir().resolve("results.json"))).contains("\"train_examples\" : 80");
    }

    /** Interrupts a job as epoch {@code killAt} of the run starts, the way a kill after that checkpoint would. */
    private static TrainListener killedAt(int killAt) {
        return new TrainListener() {
            @Override
            public void onEpochStart(int epoch, int totalEpochs, int batches) {
                if (epoch == killAt) {
                    throw new ClassifierTrainerTest.Interrupted();
                }
            }
        };
    }

    /** Runs {@code spec} whole, and again interrupted as run epoch {@code killAt} starts and resumed; compares the two. */
    private void resumedEqualsUninterrupted(TrainSpec spec, int killAt) throws Exception {
        TrainJob.Outcome whole = job().run(spec, "train", List.of());
        RunStore runs = new RunStore(dir.resolve("runs"));
        DataCatalog catalog = new DataCatalog(dir.resolve("datasets"));
        assertThatThrownBy(() -> new TrainJob(catalog, runs, killedAt(killAt)).run(spec, "train", List.of()))
                .isInstanceOf(ClassifierTrainerTest.Interrupted.class);
        List<Run> failed = runs.list().stream().map(p -> runs.open(p.toString()))
                .filter(r -> r.provenance().get("status").toString().startsWith("failed")).toList();
        assertThat(failed).hasSize(1);
        Run interrupted = failed.get(0);
        TrainJob.Outcome resumed = new TrainJob(catalog, runs.resuming(interrupted), null).run(spec, "train", List.of());
        assertThat(resumed.run().dir()).isEqualTo(interrupted.dir());
        assertThat(resumed.run().provenance()).containsEntry("status", "finished").containsKey("resumed");
        assertThat(resumed.training().history()).extracting(EpochStats::trainLoss)
                .containsExactlyElementsOf(whole.training().history().stream().map(EpochStats::trainLoss).toList());
        assertThat(resumed.test().accuracy()).isEqualTo(whole.test().accuracy());
        assertThat(Files.readAllBytes(resumed.run().modelDir().resolve("weights.params")))
                .isEqualTo(Files.readAllBytes(whole.run().modelDir().resolve("weights.params")));
        // metrics.jsonl: one line per epoch of the run, in order, none written twice
        assertThat(resumed.run().metrics()).extracting(m -> ((Number) m.get("epoch")).intValue())
                .containsExactlyElementsOf(whole.run().metrics().stream().map(m -> ((Number) m.get("epoch")).intValue()).toList());
        assertThat(resumed.run().metrics()).extracting(m -> m.get("train_loss"))
                .containsExactlyElementsOf(whole.run().metrics().stream().map(m -> m.get("train_loss")).toList());
    }

    @Test
    void selfTrainingInterruptedInAStudentRoundResumesToTheUninterruptedResult() throws Exception {
        // 20 epochs on the labels, then two student rounds of 10: killed in the first student's 4th epoch
        resumedEqualsUninterrupted(textSelfTraining(60, 20, new SelfTraining(SelfTraining.REST, 2, 0.6, 10)), 24);
    }

    @Test
    void fixMatchInterruptedInItsSecondPassResumesToTheUninterruptedResult() throws Exception {
        // a weight average too: it must come back from the checkpoint as well
        TrainSpec fixMatch = withFixMatch(bars("40", 0.5), 3);
        SelfTraining averaged = new SelfTraining(SelfTraining.REST, 1, 0.9, 3, SelfTraining.Method.FIXMATCH, null, null, 0.5f);
        TrainSpec spec = new TrainSpec(fixMatch.data(), fixMatch.test(), fixMatch.testFraction(), fixMatch.validationFraction(),
                fixMatch.labeled(), fixMatch.model(), fixMatch.train(), fixMatch.onError(), averaged);
        resumedEqualsUninterrupted(spec, spec.train().epochs() + 2);
    }

    @Test
    void aSolvedModelInterruptedIsFittedAgainFromTheStartAndSaysSo() throws Exception {
        Path data = dir.resolve("blobs.jsonl");
        JsonlFormat.write(TestData.blobs(40, 3), data);
        TrainSpec spec = new TrainSpec(data.toString(), null, 0.25, 0, null, LinearSpec.DEFAULT, TrainConfig.defaults(), OnError.FAIL);
        TrainJob.Outcome whole = job().run(spec, "train", List.of());
        RunStore runs = new RunStore(dir.resolve("runs"));
        DataCatalog catalog = new DataCatalog(dir.resolve("datasets"));
        TrainListener killedWhenFitted = new TrainListener() {
            @Override
            public void onEpochEnd(EpochStats stats) {
                throw new ClassifierTrainerTest.Interrupted();
            }
        };
        assertThatThrownBy(() -> new TrainJob(catalog, runs, killedWhenFitted).run(spec, "train", List.of()))
                .isInstanceOf(ClassifierTrainerTest.Interrupted.class);
        Run interrupted = runs.list().stream().map(p -> runs.open(p.toString()))
                .filter(r -> r.provenance().get("status").toString().startsWith("failed")).findFirst().orElseThrow();
        List<String> said = new java.util.ArrayList<>();
        TrainListener listening = TestData.collecting(said);
        TrainJob.Outcome resumed = new TrainJob(catalog, runs.resuming(interrupted), listening).run(spec, "train", List.of());
        assertThat(said).anySatisfy(m -> assertThat(m).contains("fitted in one go by LIBLINEAR and keeps no checkpoint",
                "fitted again from the start"));
        assertThat(Files.readAllBytes(resumed.run().modelDir().resolve("weights.params")))
                .isEqualTo(Files.readAllBytes(whole.run().modelDir().resolve("weights.params")));
        assertThat(whole.run().provenance()).doesNotContainKey("resumed");
        assertThat(Files.readString(whole.run().dir().resolve("summary.md"))).as("a solver fits in one go: no epochs")
                .contains("| training | by LIBLINEAR").doesNotContain("| epochs |");
        assertThat(whole.run().metrics()).as("one line for the fit, with no learning rate: a solver has none")
                .singleElement().satisfies(m -> assertThat(m).containsKey("train_accuracy").doesNotContainKey("learning_rate"));
    }

    @Test
    void badRecordsAreCountedUnderSkip() throws Exception {
        Path data = dir.resolve("texts.jsonl");
        JsonlFormat.write(TestData.texts(30, 5), data);
        Files.writeString(data, "{broken\n{\"text\":\"x\",\"label\":[1]}\n", java.nio.file.StandardOpenOption.APPEND);
        TrainSpec failing = spec(data, null);
        assertThatThrownBy(() -> job().run(failing, "train", List.of())).hasMessageContaining("texts.jsonl:line 61");
        TrainSpec skipping = new TrainSpec(failing.data(), null, 0.25, 0.2, null, failing.model(), failing.train(), OnError.SKIP);
        TrainJob.Outcome o = job().run(skipping, "train", List.of());
        assertThat(o.data().skipped()).isEqualTo(2);
        assertThat(o.run().results()).containsEntry("skipped_records", 2);
    }

    @Test
    void spreadingIsCheckedWithTheModelOnlyWhereTrainingItPerFoldIsAffordable() {
        Dataset labeled = TestData.bars(10, 1);
        java.util.function.IntFunction<TrainJob.Splits3> withUnlabeled = n -> {
            Dataset pool = TestData.bars(n / 2, 2);
            Dataset unlabeled = pool.subset("u", pool.examples().stream().map(e -> e.withLabel(null)).toList());
            return new TrainJob.Splits3(labeled, null, labeled, 0, java.util.List.of(), unlabeled, 0, 0, null, null);
        };
        TrainConfig config = TrainConfig.defaults();
        assertThat(TrainJob.checkWithModel(dev.distillery.model.SvmSpec.DEFAULT, withUnlabeled.apply(400), config)).isTrue();
        // the kernel's cost grows with the square of labels + pseudo-labels
        assertThat(TrainJob.checkWithModel(dev.distillery.model.SvmSpec.DEFAULT, withUnlabeled.apply(20_000), config)).isFalse();
        assertThat(TrainJob.checkWithModel(dev.distillery.model.LinearSpec.DEFAULT, withUnlabeled.apply(20_000), config)).isTrue();
        assertThat(TrainJob.checkWithModel(dev.distillery.model.MlpSpec.DEFAULT, withUnlabeled.apply(40), config)).isTrue();
        // the default CNN twice per fold on tens of thousands of images is over the cost bound: spreading's own check
        assertThat(TrainJob.checkWithModel(dev.distillery.model.CnnSpec.DEFAULT, withUnlabeled.apply(20_000), config)).isFalse();
    }
}
