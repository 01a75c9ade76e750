package dev.distillery.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.eval.Evaluation;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.JsonlFormat;
import dev.distillery.data.OnError;
import dev.distillery.data.Splits;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillJobTest {
    @TempDir
    Path dir;

    static TrainConfig config(int epochs) {
        return new TrainConfig(epochs, 16, 1e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 5);
    }

    /**
     * Splits {@code data} 3:1 into {@code NAME-transfer.jsonl} and {@code NAME-test.jsonl}, trains {@code spec} on the
     * transfer part as the teacher, and returns the split; the teacher is saved in {@code NAME-teacher}.
     */
    private Splits.Pair teacher(String name, Dataset data, MlpSpec spec, int epochs) {
        Splits.Pair p = Splits.split(data, 0.25, 3, "transfer", "test");
        JsonlFormat.write(p.first(), dir.resolve(name + "-transfer.jsonl"));
        JsonlFormat.write(p.second(), dir.resolve(name + "-test.jsonl"));
        try (Classifier t = Classifier.create(spec, p.first().schema())) {
            new ClassifierTrainer(config(epochs), null, null).train(t, p.first(), null);
            t.save(dir.resolve(name + "-teacher"), Map.of());
        }
        return p;
    }

    /** A spec distilling the teacher {@code name} into a 4-unit MLP with the given label budget and options. */
    private DistillSpec spec(String name, String labeled, List<Integer> sweep, boolean labelsOnly, int views, int epochs) {
        return new DistillSpec(dir.resolve(name + "-teacher").toString(), new MlpSpec(4, 1, 0f),
                dir.resolve(name + "-transfer.jsonl").toString(), dir.resolve(name + "-test.jsonl").toString(),
                labeled, 0.5f, 2f, sweep, labelsOnly, views, config(epochs), OnError.FAIL);
    }

    /** A wide MLP teacher trained on blobs and a spec distilling it. */
    private DistillSpec spec(String labeled, List<Integer> sweep, boolean labelsOnly, int epochs) {
        teacher("blobs", TestData.blobs(80, 11), new MlpSpec(64, 2, 0f), 15);
        return spec("blobs", labeled, sweep, labelsOnly, 0, epochs);
    }

    @Test
    void distillsFromAnUnlabeledTransferSetAndSavesAStudentThatLoadsBack() throws Exception {
        DistillSpec spec = spec("0", List.of(), false, 20);
        Path teacherDir = Path.of(spec.teacher());
        Path test = Path.of(spec.test());
        List<String> messages = new ArrayList<>();
        dev.distillery.train.TrainListener log = TestData.collecting(messages);
        DistillJob job = new DistillJob(new DataCatalog(dir.resolve("ds")), new RunStore(dir.resolve("runs")), dir.resolve("cache"), log);
        DistillJob.Outcome o = job.run(spec, teacherDir, List.of());
        assertThat(o.labeledSize()).isZero();
        ModelReport student = o.students().get(0);
        assertThat(o.teacher().accuracy()).isGreaterThan(0.95);
        assertThat(student.accuracy()).isGreaterThan(0.9);
        assertThat(student.agreementWithTeacher()).isGreaterThan(0.9);
        assertThat(student.speed().parameters()).isLessThan(o.teacher().speed().parameters() / 10);
        assertThat(o.run().dir().resolve("plots/accuracy-vs-parameters.png")).isRegularFile();
        assertThat(o.run().summary()).contains("teacher").contains("student / teacher");

        Dataset testData = JsonlFormat.read(test, OnError.FAIL).dataset();
        try (Classifier loaded = Classifier.load(o.run().modelDir())) {
            double acc = Evaluation.of(loaded, testData.withSchema(loaded.schema())).accuracy();
            assertThat(acc).isEqualTo(student.accuracy());
        }

        // A second run over the same teacher and transfer set reads the teacher outputs from the cache.
        messages.clear();
        job.run(spec, teacherDir, List.of());
        assertThat(messages).anyMatch(m -> m.startsWith("teacher outputs read from cache"));
        try (var files = Files.list(dir.resolve("cache"))) {
            assertThat(files.toList()).hasSize(1);
        }
    }

    @Test
    void aLinearStudentIsSolvedOnTheTeachersAnswersSoColumnsOfAnyScaleServe() throws Exception {
        // a table as a bank's: one column in the tens of thousands beside columns near 1
        List<dev.distillery.data.Example> scaled = new ArrayList<>();
        for (var e : TestData.blobs(80, 11).examples()) {
            float[] f = e.features().clone();
            f[0] = 40_000 + 30_000 * f[0];
            scaled.add(dev.distillery.data.Example.dense(e.id(), f, e.label().orElseThrow(), "table"));
        }
        teacher("table", Dataset.infer("table", scaled, List.of(8L)), new MlpSpec(64, 2, 0f, true), 15);
        DistillSpec spec = new DistillSpec(dir.resolve("table-teacher").toString(), dev.distillery.model.LinearSpec.DEFAULT,
                dir.resolve("table-transfer.jsonl").toString(), dir.resolve("table-test.jsonl").toString(), "0", 0.5f, 2f,
                List.of(), false, 0, config(20), OnError.FAIL);
        List<String> messages = new ArrayList<>();
        dev.distillery.train.TrainListener log = TestData.collecting(messages);
        DistillJob.Outcome o = new DistillJob(new DataCatalog(dir.resolve("ds")), new RunStore(dir.resolve("runs")),
                dir.resolve("cache"), log).run(spec, Path.of(spec.teacher()), List.of());
        assertThat(o.teacher().accuracy()).isGreaterThan(0.9);
        assertThat(o.students().get(0).accuracy()).isGreaterThan(o.teacher().accuracy() - 0.05);
        assertThat(messages).anyMatch(m -> m.contains("solved by LIBLINEAR on the teacher's answers"));
    }

    @Test
    void sweepAndLabelsOnlyBaselineReportEveryStudent() throws Exception {
        DistillSpec spec = spec("12", List.of(2, 8), true, 10);
        Path teacherDir = Path.of(spec.teacher());
        DistillJob.Outcome o = new DistillJob(new DataCatalog(dir.resolve("ds")), new RunStore(dir.resolve("runs")),
                dir.resolve("cache"), null).run(spec, teacherDir, List.of());
        assertThat(o.labeledSize()).isEqualTo(12);
        assertThat(o.students()).hasSize(2);
        assertThat(o.labelsOnly()).hasSize(2);
        assertThat(o.students().get(0).speed().parameters()).isLessThan(o.students().get(1).speed().parameters());
        assertThat(o.run().dir().resolve("students/width-2/model.json")).isRegularFile();
        assertThat(o.run().results()).containsKeys("teacher", "students", "labels_only");
    }

    @Test
    void teacherViewsAreUnlabeledImagesAppendedToTheTransferSetAndTaughtByTheTeacher() throws Exception {
        Splits.Pair p = teacher("bars", TestData.bars(40, 3), new MlpSpec(32, 1, 0f), 10);
        DistillSpec spec = spec("bars", null, List.of(), true, 100, 10);
        DistillJob.Outcome o = new DistillJob(new DataCatalog(dir.resolve("ds")), new RunStore(dir.resolve("runs")),
                dir.resolve("cache"), null).run(spec, Path.of(spec.teacher()), List.of());
        assertThat(o.transferSize()).isEqualTo(p.first().size() + 100);
        assertThat(o.labeledSize()).isEqualTo(p.first().size());
        assertThat(o.run().results()).containsEntry("teacher_views", 100);
        // Two classes: the 4-unit student still learns them with a third of its transfer set unlabeled views.
        assertThat(o.teacher().accuracy()).isGreaterThan(0.9);
        assertThat(o.students().get(0).accuracy()).isGreaterThan(0.75);

        Dataset withViews = DistillJob.withTeacherViews(p.first(), 100, 7);
        assertThat(withViews.examples().subList(0, p.first().size())).isEqualTo(p.first().examples());
        List<dev.distillery.data.Example> views = withViews.examples().subList(p.first().size(), withViews.size());
        assertThat(views).hasSize(100).allSatisfy(e -> {
            assertThat(e.hasLabel()).isFalse();
            assertThat(e.id()).startsWith("view-");
            assertThat(e.features()).hasSize(64);
        });
        assertThat(DistillJob.withTeacherViews(p.first(), 0, 7)).isSameAs(p.first());
        // 100 views on 60 real images: the labels-only baseline trains 160 / 60 as many epochs, the same steps.
        assertThat(DistillJob.labelsOnlyConfig(spec, p.first().size() + 100).epochs()).isEqualTo(Math.round(10 * 160 / 60.0));
        assertThat(o.labelsOnly()).hasSize(1);
        assertThatThrownBy(() -> DistillJob.withTeacherViews(TestData.texts(5, 1), 10, 7))
                .hasMessageContaining("one-channel images").hasMessageContaining("text");
    }

    @Test
    void keepLabelsStripsAllButTheRequestedCountStratified() {
        Dataset d = TestData.blobs(30, 1);
        Dataset kept = DistillJob.keepLabels(d, "9", 1);
        assertThat(kept.size()).isEqualTo(90);
        assertThat(kept.labeledCount()).isEqualTo(9);
        assertThat(kept.filter("l", e -> e.hasLabel()).labelCounts().values()).containsOnly(3);
        assertThat(DistillJob.keepLabels(d, "0", 1).labeledCount()).isZero();
        assertThat(DistillJob.keepLabels(d, null, 1).labeledCount()).isEqualTo(90);
    }

    @Test
    void aSweepInterruptedInItsSecondStudentResumesToTheUninterruptedResult() throws Exception {
        DistillSpec spec = spec("20", List.of(2, 8), true, 6);
        Path teacherDir = Path.of(spec.teacher());
        DataCatalog catalog = new DataCatalog(dir.resolve("ds"));
        DistillJob.Outcome whole = new DistillJob(catalog, new RunStore(dir.resolve("whole")), dir.resolve("cache"), null)
                .run(spec, teacherDir, List.of());
        RunStore runs = new RunStore(dir.resolve("runs"));
        // Killed in the 8-unit student's 3rd epoch; the 2-unit student and its baseline had finished.
        int[] studentsStarted = {0};
        dev.distillery.train.TrainListener kill = new dev.distillery.train.TrainListener() {
            @Override
            public void onEpochStart(int epoch, int totalEpochs, int batches) {
                if (epoch == 1) {
                    studentsStarted[0]++;
                }
                if (studentsStarted[0] == 3 && epoch == 3) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThatThrownBy(() -> new DistillJob(catalog, runs, dir.resolve("cache"), kill).run(spec, teacherDir, List.of()))
                .hasMessage("killed");
        var interrupted = runs.open(runs.list().get(0).toString());
        List<String> messages = new ArrayList<>();
        dev.distillery.train.TrainListener log = TestData.collecting(messages);
        DistillJob.Outcome resumed = new DistillJob(catalog, runs.resuming(interrupted), dir.resolve("cache"), log)
                .run(spec, teacherDir, List.of());
        assertThat(messages).anyMatch(m -> m.contains("already trained"))
                .anyMatch(m -> m.contains("resuming after epoch 2"));
        assertThat(resumed.students()).extracting(ModelReport::accuracy)
                .containsExactlyElementsOf(whole.students().stream().map(ModelReport::accuracy).toList());
        assertThat(resumed.labelsOnly()).extracting(ModelReport::accuracy)
                .containsExactlyElementsOf(whole.labelsOnly().stream().map(ModelReport::accuracy).toList());
        for (String width : List.of("width-2", "width-8")) {
            assertThat(Files.readAllBytes(resumed.run().dir().resolve("students").resolve(width).resolve("weights.params")))
                    .isEqualTo(Files.readAllBytes(whole.run().dir().resolve("students").resolve(width).resolve("weights.params")));
        }
    }
}
