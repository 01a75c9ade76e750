package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.JsonlFormat;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.Classifier;
import dev.distillery.model.MlpSpec;
import dev.distillery.run.RunStore;
import dev.distillery.train.ClassifierTrainer;
import dev.distillery.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthJobTest {
    @TempDir
    Path dir;

    /** 6x6 images: "left" has its bright blob in the left half, "right" in the right half. A flip turns one into the other. */
    static Dataset halves(int n, long seed) {
        Random rng = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean left = i % 2 == 0;
            float[] img = new float[36];
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 6; x++) {
                    boolean on = left ? x < 3 : x >= 3;
                    img[y * 6 + x] = (on ? 0.6f + 0.4f * rng.nextFloat() : 0.2f * rng.nextFloat());
                }
            }
            out.add(Example.dense("img" + i, img, left ? "left" : "right", "test"));
        }
        return Dataset.infer("halves", out, List.of(1L, 6L, 6L));
    }

    @Test
    void aTeacherThatRejectsEveryCandidateSaysWhyAndWhatToTry() {
        Candidate<String> c = new Candidate<>("text", 0, "eda");
        VerifierChain.Report<String> none = new VerifierChain.Report<>(List.of(
                new VerifierChain.Outcome<>(c, "quality", "too short"),
                new VerifierChain.Outcome<>(c, "teacher", "teacher predicts b, not a"),
                new VerifierChain.Outcome<>(c, "teacher", "teacher confidence below 0.9"),
                new VerifierChain.Outcome<>(c, "teacher", "teacher confidence below 0.9")));
        assertThat(SynthJob.teacherRejectedAll(none, 0.9, 4, judged -> judged.size() / 10.0))
                .contains("none of the 3 candidates it judged")
                .contains("1 it gives another label").contains("2 it gives theirs below --min-confidence 0.9")
                .contains("any candidate's own label: 0.30; guessing among 4 classes gives 0.25");
        VerifierChain.Report<String> one = new VerifierChain.Report<>(List.of(
                new VerifierChain.Outcome<>(c, "teacher", "teacher confidence below 0.9"), new VerifierChain.Outcome<>(c, null, null)));
        assertThat(SynthJob.teacherRejectedAll(one, 0.9, 4, judged -> 1)).as("one accepted").isNull();
        VerifierChain.Report<String> others = new VerifierChain.Report<>(List.of(new VerifierChain.Outcome<>(c, "leakage", "near copy")));
        assertThat(SynthJob.teacherRejectedAll(others, 0.9, 4, judged -> 1)).as("the teacher rejected none").isNull();
    }

    @Test
    void theTeacherRejectsFlipsThatChangeTheClassAndTheRestIsWritten() throws Exception {
        Dataset data = halves(60, 1);
        Path dataFile = dir.resolve("halves.jsonl");
        JsonlFormat.write(data, dataFile);
        Path teacherDir = dir.resolve("teacher");
        try (Classifier t = Classifier.create(new MlpSpec(16, 1, 0f), data.schema())) {
            new ClassifierTrainer(new TrainConfig(20, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 5), null, null)
                    .train(t, data, null);
            t.save(teacherDir, Map.of());
        }
        SynthJob job = new SynthJob(new DataCatalog(dir.resolve("ds")), new RunStore(dir.resolve("runs")), null);
        Path out = dir.resolve("synth.jsonl");
        SynthJob.Outcome o = job.run(new SynthJob.Spec(dataFile.toString(), null, null, 200, 0.9, null, null, true, 3, OnError.FAIL,
                List.of("augment")),
                teacherDir, out, List.of());

        List<VerifierChain.Outcome<?>> outcomes = new ArrayList<>(o.report().outcomes());
        long rejectedByTeacher = outcomes.stream().filter(x -> "teacher".equals(x.rejectedBy())).count();
        // Flips alone (a fifth of the transforms) swap left and right; large shifts and elastic maps on a 6x6 image do too.
        assertThat(rejectedByTeacher).isBetween(20L, 180L);
        assertThat(o.written()).isEqualTo(outcomes.stream().filter(VerifierChain.Outcome::accepted).count()).isPositive();
        Dataset written = JsonlFormat.read(out, OnError.FAIL).dataset();
        assertThat(written.size()).isEqualTo(o.written());
        try (Classifier teacher = Classifier.load(teacherDir)) {
            int[] predicted = teacher.predict(written.withSchema(teacher.schema()).examples(), 64);
            for (int i = 0; i < predicted.length; i++) {
                assertThat(teacher.schema().labels().get(predicted[i])).isEqualTo(written.get(i).label().orElseThrow());
            }
        }
        List<String> verdicts = Files.readAllLines(o.run().dir().resolve("verdicts.jsonl"));
        assertThat(verdicts).hasSize(200);
        assertThat(new ObjectMapper().readTree(verdicts.get(0)).has("accepted")).isTrue();
        assertThat(o.run().summary()).contains("| augment | 200 |");

        SynthJob.Outcome all = job.run(new SynthJob.Spec(dataFile.toString(), null, null, 200, 0.9, null, null, false, 3, OnError.FAIL,
                List.of("augment")),
                teacherDir, dir.resolve("all.jsonl"), List.of());
        assertThat(all.written()).isEqualTo(200);
        assertThatThrownBy(() -> job.run(new SynthJob.Spec(dataFile.toString(), null, null, 10, 0.9, null, null, false, 3, OnError.FAIL,
                List.of("augment", "gan")), teacherDir, dir.resolve("x.jsonl"), List.of())).hasMessageContaining("unknown image generator 'gan'");
    }
}
