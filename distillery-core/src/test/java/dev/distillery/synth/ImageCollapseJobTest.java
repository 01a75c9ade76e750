package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.data.Dataset;
import dev.distillery.data.JsonlFormat;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCollapseJobTest {
    @TempDir
    Path dir;

    @Test
    void everyPolicyGetsACurvePerGenerationAndTheRunRecordsIt() throws Exception {
        Dataset train = SynthJobTest.halves(60, 1);
        Dataset test = SynthJobTest.halves(30, 2);
        Path trainFile = dir.resolve("train.jsonl");
        Path testFile = dir.resolve("test.jsonl");
        JsonlFormat.write(train, trainFile);
        JsonlFormat.write(test, testFile);
        DataCatalog catalog = new DataCatalog(dir.resolve("ds"));
        ImageCollapseJob.Spec spec = new ImageCollapseJob.Spec(trainFile.toString(), testFile.toString(), 40, 1,
                List.of(Policy.REPLACE, Policy.ACCUMULATE, Policy.VERIFY), List.of(5L), new ConditionalVae.Settings(32, 4, 40, 16, 1e-2f),
                0.5, 2, 2, OnError.FAIL);
        ImageCollapseJob.Outcome o = new ImageCollapseJob(catalog, new RunStore(dir.resolve("runs")), null)
                .run(spec, catalog.loadDataset(trainFile.toString(), OnError.FAIL, null), List.of());

        assertThat(o.realImages()).isEqualTo(40);
        for (Policy p : Policy.values()) {
            assertThat(java.util.Arrays.stream(o.curves().mean(p, "accuracy")).boxed().toList()).hasSize(2)
                    .allSatisfy(a -> assertThat(a).isBetween(0.0, 1.0));
            assertThat(java.util.Arrays.stream(o.curves().mean(p, "frechet")).boxed().toList())
                    .allSatisfy(f -> assertThat(f).isFinite().isNotNegative());
        }
        // Generation 0 trains every policy's classifier on the same real images.
        assertThat(o.curves().mean(Policy.ACCUMULATE, "accuracy")[0]).isEqualTo(o.curves().mean(Policy.REPLACE, "accuracy")[0]);
        Map<String, Object> results = o.run().results();
        assertThat(results).containsKeys("replace_degradation", "verify_vs_accumulate", "teacher_accuracy", "mean_over_seeds");
        assertThat(Files.readAllLines(o.run().dir().resolve("metrics.jsonl"))).hasSize(6);
        assertThat(o.run().plotsDir().resolve("samples-replace.png")).isNotEmptyFile();
        assertThat(o.run().plotsDir().resolve("accuracy.png")).isNotEmptyFile();
    }
}
