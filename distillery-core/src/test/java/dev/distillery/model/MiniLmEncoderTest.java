package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniLmEncoderTest {
    @TempDir
    Path dir;

    static double cos(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    @Test
    void embedsNormalizedVectorsThatPutSimilarSentencesClose() {
        MiniLmEncoder encoder = MiniLmEncoder.shared(128);
        float[][] v = encoder.encode(List.of("The cat sits on the mat.", "A cat is sitting on a rug.",
                "Quarterly revenue rose by four percent."), 2);
        assertThat(v[0]).hasSize(MiniLmEncoder.DIM);
        assertThat(cos(v[0], v[0])).isCloseTo(1.0, within(1e-4));
        assertThat(cos(v[0], v[1])).isGreaterThan(cos(v[0], v[2]) + 0.3);
        // batching and sorting by length must not change a text's vector
        float[] alone = encoder.encode(List.of("A cat is sitting on a rug."), 1)[0];
        assertThat(cos(alone, v[1])).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void aSavedMiniLmModelCountsItsEncoderInSizeAndParameters() throws Exception {
        dev.distillery.data.Dataset d = dev.distillery.TestData.texts(3, 1);
        Path saved = dir.resolve("m");
        try (Classifier c = Classifier.create(MiniLmSpec.DEFAULT, d.schema())) {
            c.block().initialize(c.model().getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, c.featurizer().inputShape(2));
            assertThat(c.parameterCount()).isEqualTo(384 * 2 + 2);
            assertThat(c.totalParameterCount()).isEqualTo(MiniLmSpec.ENCODER_PARAMETERS + 384 * 2 + 2);
            c.save(saved, java.util.Map.of());
        }
        long files;
        try (var list = java.nio.file.Files.list(saved)) {
            files = list.mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(MiniLmEncoder.modelBytes()).isGreaterThan(80_000_000L);
        assertThat(Classifier.sizeOnDisk(saved)).isEqualTo(files + MiniLmEncoder.modelBytes());
    }

    @Test
    void cacheStoresByContentAndSurvivesReopening() {
        EmbeddingCache cache = new EmbeddingCache(dir, "enc", 3);
        cache.putAll(List.of(EmbeddingCache.key("a"), EmbeddingCache.key("b")), List.of(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
        EmbeddingCache reopened = new EmbeddingCache(dir, "enc", 3);
        assertThat(reopened.size()).isEqualTo(2);
        assertThat(reopened.get(EmbeddingCache.key("b"))).containsExactly(4, 5, 6);
        assertThat(reopened.get(EmbeddingCache.key("c"))).isNull();
    }

    @Test
    void aRecordCutShortByAnInterruptedRunIsIgnored() throws Exception {
        EmbeddingCache cache = new EmbeddingCache(dir, "enc", 2);
        cache.putAll(List.of(EmbeddingCache.key("a")), List.of(new float[] {1, 2}));
        java.nio.file.Files.write(cache.file(), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertThat(new EmbeddingCache(dir, "enc", 2).size()).isEqualTo(1);
    }
}
