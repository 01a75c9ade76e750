package dev.distillery.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.model.Classifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        // a linear model over 784 pixels with weights in the thousands: logits near a million, where the two engines'
        // different summation orders move them by far more than the export's limit of 1e-4
        java.util.List<dev.distillery.data.Example> images = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 4; i++) {
            float[] px = new float[784];
            for (int k = 0; k < px.length; k++) {
                px[k] = random.nextFloat();
            }
            images.add(dev.distillery.data.Example.dense("i" + i, px, i % 2 == 0 ? "a" : "b", "test"));
        }
        Dataset data = Dataset.infer("images", images, java.util.List.of(1L, 28L, 28L));
        Path modelDir = dir.resolve("large");
        try (Classifier c = Classifier.create(new dev.distillery.model.LinearSpec(16, 1.0), data.schema())) {
            c.block().initialize(c.model().getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, c.featurizer().inputShape(2));
            for (var p : c.block().getParameters()) {
                float[] v = new float[Math.toIntExact(p.getValue().getArray().size())];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * 3000);
                }
                p.getValue().getArray().set(v);
            }
            c.save(modelDir, Map.of());
        }
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
    void aTfidfModelIsServedOnOnnxRuntimeFromItsRunAndFromItsExport() throws Exception {
        Dataset data = TestData.texts(6, 2);
        Path modelDir = dir.resolve("tfidf");
        try (Classifier c = Classifier.create(new dev.distillery.model.LinearSpec(2048, 1.0), data.schema())) {
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
        servedLikeDjlFromTheModelAndItsExport(modelDir, data);
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
