package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTest {
    @TempDir
    Path dir;

    private static Classifier initialized(ModelSpec spec, Dataset data) {
        Classifier c = Classifier.create(spec, data.schema());
        c.block().initialize(c.model().getNDManager(), DataType.FLOAT32, c.featurizer().inputShape(2));
        return c;
    }

    @Test
    void savedModelsLoadBackAndPredictTheSameProbabilities() {
        for (var pair : List.of(
                Map.entry((ModelSpec) new CnnSpec(4, 2, 8, 0.2f, true), TestData.bars(5, 1)),
                Map.entry((ModelSpec) new MlpSpec(6, 1, 0f), TestData.blobs(5, 1)),
                Map.entry((ModelSpec) new NgramBagSpec(4, 1000, 2, 50), TestData.texts(5, 1)))) {
            Dataset data = pair.getValue();
            Path modelDir = dir.resolve(pair.getKey().getClass().getSimpleName());
            float[][] before;
            try (Classifier c = initialized(pair.getKey(), data)) {
                before = c.probabilities(data.examples(), 4);
                c.save(modelDir, Map.of("note", "test"));
            }
            try (Classifier loaded = Classifier.load(modelDir)) {
                assertThat(loaded.spec()).isEqualTo(pair.getKey());
                assertThat(loaded.schema()).isEqualTo(data.schema());
                float[][] after = loaded.probabilities(data.examples(), 3);
                for (int i = 0; i < before.length; i++) {
                    assertThat(after[i]).containsExactly(before[i], org.assertj.core.data.Offset.offset(1e-6f));
                }
            }
            assertThat(Classifier.sizeOnDisk(modelDir)).isGreaterThan(0);
        }
    }

    @Test
    void aTextLinearModelIsSavedByItsNonzeroRowsAndLoadsBackToTheSameAnswers() {
        Dataset data = TestData.texts(6, 1);
        LinearSpec spec = new LinearSpec(1 << 16, 1.0, LinearSpec.Loss.LOGISTIC);
        Path saved = dir.resolve("sparse");
        float[][] before;
        try (Classifier c = Classifier.create(spec, data.schema())) {
            dev.distillery.train.LinearFit.fit(c, data, null, 1, dev.distillery.train.TrainListener.NONE);
            before = c.probabilities(data.examples(), 4);
            c.save(saved, Map.of());
        }
        long denseBytes = (1L << 16) * (data.schema().numClasses() + 1) * 4;
        assertThat(Classifier.sizeOnDisk(saved)).isLessThan(denseBytes / 4);
        try (Classifier loaded = Classifier.load(saved)) {
            // in batches of 4 as before: batches of another size pad their texts to other lengths, which may move a sum by
            // a unit in the last place, and the sparse rows must give the very answers of the dense tables
            float[][] after = loaded.probabilities(data.examples(), 4);
            for (int i = 0; i < before.length; i++) {
                assertThat(after[i]).as("example " + i).containsExactly(before[i]);
            }
        }
    }

    @Test
    void aTextLinearSpecSavedBeforeItsShortestCharacterGramWasRecordedReadsTextsAsItsModelDid() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ModelSpec old = json.readValue("{\"type\":\"linear\",\"width\":4096,\"c\":1.0,\"loss\":\"logistic\"}", ModelSpec.class);
        assertThat(((LinearSpec) old).minCharGram()).isNull();
        TfidfFeaturizer then = (TfidfFeaturizer) old.featurizer(TestData.texts(2, 1).schema());
        assertThat(then.minCharGram()).isEqualTo(TfidfFeaturizer.LEGACY_MIN_CHAR_GRAM);
        // a new spec records 2 and reads each word's 2-grams: "ab" has " a", "ab", "b " beside its 3-grams " ab", "ab "
        LinearSpec now = new LinearSpec(4096, 1.0, LinearSpec.Loss.LOGISTIC);
        assertThat(json.readValue(json.writeValueAsString(now), ModelSpec.class)).isEqualTo(now);
        TfidfFeaturizer today = (TfidfFeaturizer) now.featurizer(TestData.texts(2, 1).schema());
        int charStart = today.charStart();
        long thenGrams = java.util.Arrays.stream(then.features("ab").ids()).filter(id -> id >= charStart).count();
        long todayGrams = java.util.Arrays.stream(today.features("ab").ids()).filter(id -> id >= charStart).count();
        assertThat(thenGrams).isEqualTo(3); // " ab", "ab ", " ab "
        assertThat(todayGrams).isEqualTo(6);
        // the settings cross-validation fixes keep it
        assertThat(((LinearSpec) old).withSettings(LinearSpec.Loss.SQUARED_HINGE, 10).withLogitScale(2.0).minCharGram()).isNull();
        assertThat(now.withSettings(LinearSpec.Loss.SQUARED_HINGE, 10).withWidth(1024)).extracting(s -> ((LinearSpec) s).minCharGram())
                .isEqualTo(TfidfFeaturizer.MIN_CHAR_GRAM);
    }

    @Test
    void aTextLinearModelSavedDenselyBeforeLoadsAndAnswersAsItDidThen() throws Exception {
        // saved and its predictions written by the Distillery of 99f0bc0, which wrote every row of the tables
        Path legacy = Path.of(getClass().getResource("/legacy/tfidf-linear-dense/model.json").toURI()).getParent();
        Dataset texts = dev.distillery.data.CsvFormat.read(legacy.resolve("texts.csv"), dev.distillery.data.OnError.FAIL).dataset();
        List<String> lines = Files.readAllLines(legacy.resolve("predictions.jsonl"));
        ObjectMapper json = new ObjectMapper();
        try (Classifier loaded = Classifier.load(legacy)) {
            float[][] probabilities = loaded.probabilities(texts.examples(), 4);
            for (int i = 0; i < lines.size(); i++) {
                var then = json.readTree(lines.get(i));
                int answer = Classifier.argmax(probabilities[i]);
                assertThat(loaded.schema().labels().get(answer)).isEqualTo(then.get("label").asText());
                assertThat(probabilities[i][answer]).isEqualTo((float) then.get("probability").asDouble());
            }
        }
    }

    @Test
    void quantizingTextModelsShrinksTheirTablesAndKeepsTheirAnswersClose() {
        // Their tables are not DJL WEIGHT parameters: quantize once wrote them as floats, an "int8" model of the same size.
        Dataset data = TestData.texts(6, 1);
        for (var pair : List.of(Map.entry((ModelSpec) new NgramBagSpec(32, 4096, 2, 50), 0.35),
                Map.entry((ModelSpec) new LinearSpec(4096, 1.0, LinearSpec.Loss.LOGISTIC), 0.6))) {
            Path floats = dir.resolve(pair.getKey().getClass().getSimpleName() + "-float");
            Path int8 = dir.resolve(pair.getKey().getClass().getSimpleName() + "-int8");
            float[][] before;
            try (Classifier c = initialized(pair.getKey(), data)) {
                java.util.Random random = new java.util.Random(7);
                for (var p : c.block().getParameters()) { // the linear model starts at zero: give it weights to keep
                    var array = p.getValue().getArray();
                    float[] values = new float[Math.toIntExact(array.size())];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) random.nextGaussian() * 0.5f + (p.getKey().endsWith("idf") ? 2f : 0f);
                    }
                    array.set(values);
                }
                before = c.probabilities(data.examples(), 4);
                c.save(floats, Map.of());
                c.save(int8, Map.of(), 8);
            }
            assertThat((double) Classifier.sizeOnDisk(int8)).as(pair.getKey().toString())
                    .isLessThan(pair.getValue() * Classifier.sizeOnDisk(floats));
            try (Classifier loaded = Classifier.load(int8)) {
                float[][] after = loaded.probabilities(data.examples(), 4);
                for (int i = 0; i < before.length; i++) {
                    assertThat(after[i]).as(pair.getKey() + ", example " + i)
                            .containsExactly(before[i], org.assertj.core.data.Offset.offset(0.05f));
                }
            }
        }
    }

    @Test
    void quantizingAnSvmShrinksItsSupportVectorsAndKeepsItsAnswersClose() {
        // its support vectors are not DJL WEIGHT parameters either: an "int8" SVM was the float model's size
        Dataset data = TestData.bars(30, 5); // 64 features: the support vectors are most of the model
        Path floats = dir.resolve("svm-float");
        Path int8 = dir.resolve("svm-int8");
        float[][] before;
        try (Classifier c = Classifier.create(new SvmSpec(data.size(), 1.0, 0.2), data.schema())) {
            dev.distillery.train.SvmFit.fit(c, data, null, 1, dev.distillery.train.TrainListener.NONE);
            before = c.probabilities(data.examples(), 8);
            c.save(floats, Map.of());
            c.save(int8, Map.of(), 8);
        }
        assertThat((double) Classifier.sizeOnDisk(int8)).isLessThan(0.5 * Classifier.sizeOnDisk(floats));
        try (Classifier loaded = Classifier.load(int8)) {
            float[][] after = loaded.probabilities(data.examples(), 8);
            for (int i = 0; i < before.length; i++) {
                assertThat(after[i]).as("example " + i).containsExactly(before[i], org.assertj.core.data.Offset.offset(0.05f));
            }
        }
    }

    @Test
    void specsRoundTripThroughJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (ModelSpec spec : List.of(CnnSpec.DEFAULT, CnnSpec.DEFAULT.withShift(2), MlpSpec.DEFAULT, NgramBagSpec.DEFAULT.withWidth(8))) {
            String text = json.writeValueAsString(spec);
            assertThat(json.readValue(text, ModelSpec.class)).isEqualTo(spec);
        }
    }

    @Test
    void aCnnWithoutShiftIsWrittenAsBeforeShiftsExistedAndKeepsItsShiftWhenResized() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(CnnSpec.DEFAULT.withShift(0))).isEqualTo(json.writeValueAsString(CnnSpec.DEFAULT))
                .doesNotContain("shift");
        String saved = "{\"type\":\"cnn\",\"width\":32,\"stages\":2,\"hidden\":256,\"dropout\":0.3,\"augment\":true}";
        assertThat(json.readValue(saved, ModelSpec.class)).isEqualTo(CnnSpec.DEFAULT);
        CnnSpec shifted = (CnnSpec) CnnSpec.DEFAULT.withShift(1).withWidth(10);
        assertThat(shifted.trainingShift()).isEqualTo(1);
        assertThat(shifted.withDropout(0f).withAugment(false).trainingShift()).isEqualTo(1);
        assertThatThrownBy(() -> CnnSpec.DEFAULT.withShift(CnnSpec.MAX_SHIFT + 1))
                .hasMessageContaining("shift must be in [0, " + CnnSpec.MAX_SHIFT + "] pixels, got: " + (CnnSpec.MAX_SHIFT + 1));
    }

    @Test
    void incompatibleModelAndDataGiveAClearError() {
        assertThatThrownBy(() -> Classifier.create(CnnSpec.DEFAULT, TestData.blobs(2, 1).schema()))
                .hasMessageContaining("cnn needs image features").hasMessageContaining("use mlp");
        assertThatThrownBy(() -> Classifier.create(MlpSpec.DEFAULT, TestData.texts(2, 1).schema()))
                .hasMessageContaining("text (use ngram)");
        assertThatThrownBy(() -> new CnnSpec(0, 2, 8, 0f, false)).hasMessageContaining("width must be > 0, got: 0");
    }

    @Test
    void loadingSomethingThatIsNotAModelSaysSo() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> Classifier.load(dir.resolve("empty"))).hasMessageContaining("holds no saved model");
    }

    @Test
    void paddingDoesNotChangeABagOfNgrams() {
        Dataset data = TestData.texts(3, 2);
        try (Classifier c = initialized(new NgramBagSpec(4, 1000, 2, 50), data)) {
            Example shortText = Example.text("s", "free money now", null, "");
            Example longText = Example.text("l", "a much longer text with many many words in it to pad the batch", null, "");
            float[] alone = c.probabilities(List.of(shortText), 1)[0];
            float[] padded = c.probabilities(List.of(shortText, longText), 2)[0];
            assertThat(padded).containsExactly(alone, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void eachTextGetsTheSameBagWhateverElseIsInItsBatch() {
        Dataset data = TestData.texts(3, 2);
        java.util.Random rng = new java.util.Random(3);
        List<Example> texts = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0, n = rng.nextInt(i % 7 == 0 ? 60 : 8); w < n; w++) { // some texts empty
                sb.append("w").append(rng.nextInt(40)).append(' ');
            }
            texts.add(Example.text("t" + i, sb.toString(), null, ""));
        }
        try (Classifier c = initialized(new NgramBagSpec(4, 1000, 2, 50), data)) {
            float[][] together = c.probabilities(texts, 100); // one batch: its distinct ids shared by all texts
            for (int i = 0; i < texts.size(); i++) {
                float[] alone = c.probabilities(List.of(texts.get(i)), 1)[0];
                assertThat(together[i]).as("text %d", i).containsExactly(alone, org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void ngramIdsAreTheHashesOfTheJoinedNgramsUnigramsFirst() {
        NgramFeaturizer f = new NgramFeaturizer(new NgramBagSpec(4, 1 << 17, 3, 40));
        java.util.Random rng = new java.util.Random(11);
        String[] vocabulary = {"free", "Money", "now!", "ünïcode", "42x", "a", "the", "İstanbul", "--", "b2b"};
        for (int t = 0; t < 200; t++) {
            StringBuilder text = new StringBuilder();
            for (int w = rng.nextInt(30); w > 0; w--) {
                text.append(vocabulary[rng.nextInt(vocabulary.length)]).append(rng.nextBoolean() ? " " : ", ");
            }
            List<String> words = NgramFeaturizer.words(text.toString(), 40);
            List<Long> expected = new java.util.ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                for (int i = 0; i + n <= words.size() && expected.size() < 40; i++) {
                    long h = dev.distillery.util.Hashing.fnv1a64(String.join(" ", words.subList(i, i + n)));
                    expected.add(1 + Math.floorMod(h, (1L << 17) - 1));
                }
            }
            assertThat(java.util.Arrays.stream(f.ids(text.toString())).boxed().toList()).as(text.toString()).isEqualTo(expected);
        }
    }

    @Test
    void ngramIdsAreBoundedAndNeverThePaddingId() {
        NgramFeaturizer f = new NgramFeaturizer(new NgramBagSpec(4, 50, 2, 5));
        long[] ids = f.ids("One two three four five six seven");
        assertThat(ids).hasSize(5);
        assertThat(java.util.Arrays.stream(ids).boxed().toList()).allSatisfy(id -> assertThat(id).isBetween(1L, 49L));
        assertThat(f.ids("Same words")).containsExactly(f.ids("same  WORDS!"));
        assertThat(NgramFeaturizer.words("Hello, wörld 42x", 10)).containsExactly("hello", "wörld", "42x");
    }
}
