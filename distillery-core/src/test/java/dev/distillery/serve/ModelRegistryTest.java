package dev.distillery.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    @TempDir
    Path dir;

    @Test
    void theOnnxRuntimeAnswersLikeDjlAndADamagedExportIsRefused() throws Exception {
        Dataset data = TestData.blobs(5, 1);
        Path modelDir = dir.resolve("model");
        try (Classifier c = ModelServerTest.model(data)) {
            c.save(modelDir, Map.of());
        }
        Path export = servedLikeDjlFromTheModelAndItsExport(modelDir, data);
        Path card = export.resolve("featurizer.json");
        Files.writeString(card, Files.readString(card).replaceFirst("\"logits\" : \\[ (-?)", "\"logits\" : [ $17"));
        assertThatThrownBy(() -> ModelRegistry.load(export, ModelRegistry.Runtime.DJL, 1)).hasMessageContaining("does not give the logits");
    }

    @Test
    void autoServesOnDjlAModelItsExportDoesNotReproduceAndSaysWhy() throws Exception {
        // Weights in the thousands over 784 pixels, with biases that cancel one test vector's logits to about zero: the
        // two engines add the products in different orders, and their rounding (hundredths here) is far beyond what a
        // logit near zero may move, where it can flip the predicted class.
        List<Example> images = images();
        Path modelDir = largeLinearModel(images, true);
        assertThatThrownBy(() -> ModelRegistry.load(modelDir, ModelRegistry.Runtime.ONNX, 1))
                .hasMessageContaining("does not reproduce the model").hasMessageContaining("--runtime djl");
        try (Predictor auto = ModelRegistry.load(modelDir, ModelRegistry.Runtime.AUTO, 1);
                Predictor djl = ModelRegistry.load(modelDir, ModelRegistry.Runtime.DJL, 1)) {
            assertThat(auto.runtime()).isEqualTo("djl");
            assertThat(auto.description()).contains("does not reproduce the model", "so DJL serves it");
            assertThat(auto.probabilities(images)).isDeepEqualTo(djl.probabilities(images));
        }
    }

    @Test
    void largeLogitsThatDifferOnlyByFloatRoundingAreServedOnOnnxRuntime() throws Exception {
        // The same weights without the cancelling biases: logits in the tens of thousands, which the engines' summation
        // orders move by a few hundredths, a relative 1e-6 (an absolute limit of 1e-4 refused such a model).
        List<Example> images = images();
        Path modelDir = largeLinearModel(images, false);
        try (Predictor auto = ModelRegistry.load(modelDir, ModelRegistry.Runtime.AUTO, 1)) {
            assertThat(auto.runtime()).isEqualTo("onnx");
        }
    }

    private static List<Example> images() {
        List<Example> images = new ArrayList<>();
        Random random = new Random(5);
        for (int i = 0; i < 4; i++) {
            float[] px = new float[784];
            for (int k = 0; k < px.length; k++) {
                px[k] = random.nextFloat();
            }
            images.add(Example.dense("i" + i, px, i % 2 == 0 ? "a" : "b", "test"));
        }
        return images;
    }

    /** A saved linear model over the images' 784 pixels, weights ~ N(0, 3000^2); {@code cancel}: biases zero the logits of the card's random test vector. */
    private Path largeLinearModel(List<Example> images, boolean cancel) {
        Dataset data = Dataset.infer("images", images, List.of(1L, 28L, 28L));
        Path modelDir = dir.resolve(cancel ? "cancelling" : "large");
        Random random = new Random(5);
        try (Classifier c = Classifier.create(new dev.distillery.model.LinearSpec(16, 1.0), data.schema())) {
            c.block().initialize(c.model().getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, c.featurizer().inputShape(2));
            float[] weights = null;
            for (var p : c.block().getParameters()) {
                float[] v = new float[Math.toIntExact(p.getValue().getArray().size())];
                if (p.getKey().endsWith("weight")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (random.nextGaussian() * 3000);
                    }
                    weights = v;
                } else if (cancel) { // bias, after the weight in block order
                    float[] x = dev.distillery.export.FeaturizerCard.testInputs(data.schema()).get(2).features();
                    for (int k = 0; k < v.length; k++) {
                        double sum = 0;
                        for (int j = 0; j < x.length; j++) {
                            sum += (double) weights[k * x.length + j] * x[j];
                        }
                        v[k] = (float) -sum;
                    }
                }
                p.getValue().getArray().set(v);
            }
            c.save(modelDir, Map.of());
        }
        return modelDir;
    }

    @Test
    void aTfidfModelIsServedOnOnnxRuntimeFromItsRunAndFromItsExport() throws Exception {
        servedLikeDjlFromTheModelAndItsExport(randomTfidf(new dev.distillery.model.LinearSpec(2048, 1.0), "tfidf"), TestData.texts(6, 2));
    }

    @Test
    void aTfidfModelOfCharacter3To5GramsIsServedAsItsModelReadsFromAnExportThatDoesNotNameItsGrams() throws Exception {
        // saved before the shortest character gram was 2 and recorded (its spec has none), exported before the recipe named it
        Path modelDir = randomTfidf(new dev.distillery.model.LinearSpec(2048, 1.0, null, null, null), "tfidf-3-5");
        Path export = servedLikeDjlFromTheModelAndItsExport(modelDir, TestData.texts(6, 2));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var card = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(export.resolve("featurizer.json").toFile());
        var recipe = (com.fasterxml.jackson.databind.node.ObjectNode) card.get("recipe");
        assertThat(recipe.get("min_char_gram").asInt()).isEqualTo(3);
        recipe.remove(List.of("min_char_gram", "max_char_gram"));
        json.writeValue(export.resolve("featurizer.json").toFile(), card);
        // its test vectors are checked on load: read with 2-5-grams, they would not give the logits the card lists
        try (Predictor older = ModelRegistry.load(export, ModelRegistry.Runtime.DJL, 1);
                Predictor d = ModelRegistry.load(modelDir, ModelRegistry.Runtime.DJL, 1)) {
            assertClose(older.probabilities(TestData.texts(6, 2).examples()), d.probabilities(TestData.texts(6, 2).examples()));
        }
    }

    /** A text linear model of {@code spec} with random weights, saved under {@code name}. */
    private Path randomTfidf(dev.distillery.model.LinearSpec spec, String name) {
        Dataset data = TestData.texts(6, 2);
        Path modelDir = dir.resolve(name);
        try (Classifier c = Classifier.create(spec, data.schema())) {
            c.block().initialize(c.model().getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, c.featurizer().inputShape(2));
            java.util.Random random = new java.util.Random(3);
            for (var p : c.block().getParameters()) { // the model starts at zero weights: give it some to reproduce
                float[] v = new float[Math.toIntExact(p.getValue().getArray().size())];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextGaussian() + (p.getKey().endsWith("idf") ? 2f : 0f);
                }
                p.getValue().getArray().set(v);
            }
            c.save(modelDir, Map.of());
        }
        return modelDir;
    }

    /**
     * Checks that the model in {@code modelDir} answers on ONNX Runtime (the default runtime) as on DJL, and so does the
     * directory {@code distillery export} writes for it, which it returns.
     */
    private Path servedLikeDjlFromTheModelAndItsExport(Path modelDir, Dataset data) {
        float[][] djl;
        try (Predictor d = ModelRegistry.load(modelDir, ModelRegistry.Runtime.DJL, 1);
                Predictor o = ModelRegistry.load(modelDir, ModelRegistry.Runtime.AUTO, 1)) {
            assertThat(d.runtime()).isEqualTo("djl");
            assertThat(o.runtime()).isEqualTo("onnx");
            djl = d.probabilities(data.examples());
            assertClose(o.probabilities(data.examples()), djl);
        }
        // an export directory: served as written, after its test vectors check out
        Path export = modelDir.resolveSibling(modelDir.getFileName() + "-export");
        var job = new dev.distillery.export.ExportJob(new dev.distillery.data.sources.DataCatalog(dir.resolve("datasets")),
                new dev.distillery.run.RunStore(dir.resolve("runs")), s -> { }, 1);
        Path dataFile = modelDir.resolveSibling(modelDir.getFileName() + ".jsonl");
        dev.distillery.data.JsonlFormat.write(data, dataFile);
        job.export(modelDir, dataFile.toString(), export, java.util.List.of());
        try (Predictor fromExport = ModelRegistry.load(export, ModelRegistry.Runtime.DJL, 1)) {
            assertThat(fromExport.runtime()).isEqualTo("onnx");
            assertClose(fromExport.probabilities(data.examples()), djl);
        }
        return export;
    }

    private static void assertClose(float[][] actual, float[][] expected) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).containsExactly(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }
}
