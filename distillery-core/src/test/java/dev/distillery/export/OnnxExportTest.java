package dev.distillery.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.MiniLmSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.NgramBagSpec;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnnxExportTest {

    /**
     * A classifier whose every parameter, batch-norm statistics included, holds random values: a fresh network has
     * unit variances and zero means, under which a wrong batch-norm fold would go unnoticed.
     */
    private static Classifier randomized(ModelSpec spec, Dataset data, long seed) {
        Classifier c = Classifier.create(spec, data.schema());
        c.block().initialize(c.model().getNDManager(), DataType.FLOAT32, c.featurizer().inputShape(2));
        Random rng = new Random(seed);
        for (Pair<String, Parameter> p : c.block().getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = new float[(int) a.size()];
            boolean variance = p.getKey().endsWith("runningVar");
            for (int i = 0; i < v.length; i++) {
                v[i] = variance ? 0.3f + 2 * rng.nextFloat() : (float) (rng.nextGaussian() * 0.5);
            }
            a.set(FloatBuffer.wrap(v));
        }
        return c;
    }

    private static Parity exportAndCompare(Classifier c, Dataset data) {
        byte[] onnx = OnnxExporter.export(c, "test").toByteArray();
        try (OnnxModel runtime = new OnnxModel(onnx, c.schema(), c.featurizer(), 1)) {
            return Parity.measure(c, runtime, data.examples(), 7); // small batches: several, one of them partial
        }
    }

    @Test
    void everyExportableFamilyComputesTheSameLogitsInOnnxRuntime() {
        Map<ModelSpec, Dataset> cases = new java.util.LinkedHashMap<>();
        cases.put(new CnnSpec(4, 2, 8, 0.2f, true), TestData.bars(10, 1));
        cases.put(new CnnSpec(4, 2, 8, 0.2f, false).withLayerSizes(List.of(3, 5), 6).withHiddenRank(4), TestData.bars(10, 2));
        cases.put(new MlpSpec(6, 2, 0.1f, true), TestData.blobs(10, 3));
        cases.put(new MlpSpec(6, 0, 0f), TestData.blobs(10, 4));
        cases.put(new NgramBagSpec(4, 1000, 2, 50), TestData.texts(10, 5));
        cases.put(LinearSpec.DEFAULT, TestData.blobs(10, 6));
        cases.put(new LinearSpec(4096, 1.0), TestData.texts(10, 11)); // TF-IDF: word and character views, each normed
        long seed = 10;
        for (var e : cases.entrySet()) {
            try (Classifier c = randomized(e.getKey(), e.getValue(), seed++)) {
                Parity p = exportAndCompare(c, e.getValue());
                assertThat(p.examples()).isEqualTo(e.getValue().size());
                assertThat(p.maxAbsDiff()).as(e.getKey().toString()).isLessThanOrEqualTo(Parity.ABS_TOLERANCE);
                assertThat(p.argmaxAgreement()).as(e.getKey().toString()).isEqualTo(1.0);
                assertThat(p.passes()).isTrue();
            }
        }
    }

    @Test
    void aFittedSvmComputesTheSameLogitsInOnnxRuntimeWithItsUnusedRowsLeftOut() {
        Dataset data = TestData.blobs(20, 9);
        // capacity above the training size: the extra rows hold no support vector and must not change the logits
        try (Classifier c = Classifier.create(new dev.distillery.model.SvmSpec(data.size() + 7, 1.0, 0.2), data.schema())) {
            dev.distillery.train.SvmFit.Fitted fitted = dev.distillery.train.SvmFit.fit(c, data, null, 1,
                    dev.distillery.train.TrainListener.NONE);
            Parity p = exportAndCompare(c, data);
            assertThat(p.maxAbsDiff()).isLessThanOrEqualTo(Parity.ABS_TOLERANCE);
            assertThat(p.argmaxAgreement()).isEqualTo(1.0);
            var stored = OnnxExporter.export(c, "test").getGraph().getInitializerList().stream()
                    .filter(t -> t.getName().startsWith("support_vectors")).findFirst().orElseThrow();
            assertThat(stored.getDims(0)).as("support-vector rows in the graph").isEqualTo(fitted.supportVectors());
            assertThat(fitted.supportVectors()).isLessThanOrEqualTo(data.size());
        }
    }

    @Test
    void anSvmWithALargeCWhoseLogitsAreSmallDifferencesOfLargeSumsStillPassesParity() {
        // labels unrelated to the features: with C 100 most coefficients sit at +-100, and every logit is the difference
        // of kernel sums in the thousands, which float32 rounds differently in the two engines (a credit table's export
        // was refused at 2e-4)
        Random random = new Random(3);
        List<Example> noisy = new java.util.ArrayList<>();
        for (int i = 0; i < 240; i++) {
            float[] f = new float[8];
            for (int j = 0; j < f.length; j++) {
                f[j] = (float) (random.nextGaussian() * 3 + 40);
            }
            noisy.add(Example.dense("e" + i, f, random.nextBoolean() ? "yes" : "no", "noise"));
        }
        Dataset data = Dataset.infer("noise", noisy, List.of(8L));
        try (Classifier c = Classifier.create(new dev.distillery.model.SvmSpec(data.size(), 100.0, 0.0125), data.schema())) {
            dev.distillery.train.SvmFit.fit(c, data, null, 1, dev.distillery.train.TrainListener.NONE);
            Parity p = exportAndCompare(c, data);
            assertThat(p.maxToleranceUsed()).as("max |diff| " + p.maxAbsDiff()).isLessThanOrEqualTo(0.1);
            assertThat(p.argmaxAgreement()).isEqualTo(1.0);
        }
    }

    @Test
    void aFittedTfidfModelComputesTheSameLogitsWithOnlyItsUsedBucketsStored() {
        Dataset train = TestData.texts(10, 12);
        Dataset other = TestData.texts(10, 13); // texts with buckets the training texts lack: row 0, all zeros
        int buckets = 1 << 14;
        try (Classifier c = Classifier.create(new LinearSpec(buckets, 1.0), train.schema())) {
            dev.distillery.train.LinearFit.fit(c, train, null, 1, dev.distillery.train.TrainListener.NONE);
            for (Dataset data : List.of(train, other)) {
                Parity p = exportAndCompare(c, data);
                assertThat(p.maxAbsDiff()).isLessThanOrEqualTo(Parity.ABS_TOLERANCE);
                assertThat(p.argmaxAgreement()).isEqualTo(1.0);
            }
            long usedBuckets = 0;
            for (float idf : c.block().getParameters().get("idf").getArray().toFloatArray()) {
                usedBuckets += idf != 0f ? 1 : 0;
            }
            var stored = OnnxExporter.export(c, "test").getGraph().getInitializerList().stream()
                    .filter(t -> t.getName().startsWith("weight")).findFirst().orElseThrow();
            assertThat(stored.getDims(0)).as("weight rows in the graph").isEqualTo(usedBuckets + 1).isLessThan(buckets / 4);
        }
    }

    @Test
    void theParityCheckFailsWhenTheGraphDiffersFromTheModel() {
        Dataset data = TestData.blobs(10, 7);
        try (Classifier c = randomized(new MlpSpec(6, 1, 0f, true), data, 3)) {
            byte[] onnx = OnnxExporter.export(c, "test").toByteArray();
            // change the model after the export: the graph no longer computes what the model does
            NDArray runningMean = c.block().getParameters().stream().filter(p -> p.getKey().endsWith("runningMean"))
                    .findFirst().orElseThrow().getValue().getArray();
            float[] m = runningMean.toFloatArray();
            m[0] += 0.05f;
            runningMean.set(FloatBuffer.wrap(m));
            try (OnnxModel runtime = new OnnxModel(onnx, c.schema(), null, 1)) {
                Parity p = Parity.measure(c, runtime, data.examples(), 16);
                assertThat(p.maxToleranceUsed()).isGreaterThan(1.0);
                assertThat(p.passes()).isFalse();
            }
        }
    }

    @Test
    void emptyAndUnicodeTextsGoThroughTheGraphLikeThroughTheModel() {
        Dataset data = TestData.texts(3, 8);
        for (ModelSpec spec : List.of(new NgramBagSpec(4, 500, 3, 20), new LinearSpec(2048, 1.0))) {
            try (Classifier c = randomized(spec, data, 4)) {
                List<Example> inputs = FeaturizerCard.testInputs(c.schema());
                assertThat(inputs).extracting(Example::text).contains("");
                Parity p = exportAndCompare(c, new Dataset("vectors", data.schema(), inputs));
                assertThat(p.passes()).as("%s: max diff %s", spec, p.maxAbsDiff()).isTrue();
            }
        }
    }

    @Test
    void encoderModelsAreRefusedWithTheReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertThat(OnnxExporter.unsupportedReason(MiniLmSpec.DEFAULT, TestData.texts(2, 1).schema())).contains("distill it");
        assertThat(OnnxExporter.unsupportedReason(LinearSpec.DEFAULT, TestData.texts(2, 1).schema())).isNull();
        assertThat(OnnxExporter.unsupportedReason(LinearSpec.DEFAULT, TestData.blobs(2, 1).schema())).isNull();
        java.nio.file.Files.writeString(dir.resolve("notes.txt"), "a user's file");
        assertThatThrownBy(() -> ExportJob.checkOutputDirectory(dir)).hasMessageContaining("already holds other files (notes.txt)");
        java.nio.file.Files.delete(dir.resolve("notes.txt"));
        java.nio.file.Files.writeString(dir.resolve(ExportJob.ONNX_FILE), "an earlier export");
        ExportJob.checkOutputDirectory(dir); // an earlier export may be replaced
        // a new path named like the model file would become a directory of that name: refused, a directory suggested
        assertThatThrownBy(() -> ExportJob.checkOutputDirectory(dir.resolve("spam.onnx")))
                .hasMessageContaining("names a file, but an export is a directory").hasMessageContaining("spam-export");
        ExportJob.checkOutputDirectory(dir.resolve("spam-export")); // a new directory is fine
    }
}
