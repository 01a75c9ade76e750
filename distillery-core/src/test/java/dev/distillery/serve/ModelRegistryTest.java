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
