package dev.distillery.distill;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.curate.DuplicateGroups;
import dev.distillery.data.InputCheck;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.eval.Evaluation;
import dev.distillery.eval.SpeedReport;
import dev.distillery.model.Classifier;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.report.Plots;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.transform.ImageTransforms;
import dev.distillery.train.ClassifierTrainer;
import dev.distillery.train.Objective;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainListener;
import dev.distillery.train.TrainResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The distill command as a library call: a saved teacher labels the transfer set once (cached),
 * students learn from its soft outputs (and from whatever labels there are), and teacher and
 * students are compared on the test set: accuracy, macro-F1, parameters, size, latency,
 * throughput and agreement with the teacher.
 */
public final class DistillJob {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The teacher's and every student's figures. */
    public record Outcome(Run run, DistillSpec spec, ModelReport teacher, List<ModelReport> students,
            List<ModelReport> labelsOnly, int transferSize, int labeledSize) {}

    private final DataCatalog catalog;
    private final RunStore runs;
    private final Path cacheDir;
    private final TrainListener listener;

    public DistillJob(DataCatalog catalog, RunStore runs, Path cacheDir, TrainListener listener) {
        this.catalog = catalog;
        this.runs = runs;
        this.cacheDir = cacheDir;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    public Outcome run(DistillSpec spec, Path teacherDir, List<String> args) {
        try (Classifier teacher = Classifier.load(teacherDir)) {
            Dataset transfer = load(spec.transfer(), spec, teacher);
            Dataset test = InputCheck.scored(load(spec.test(), spec, teacher), spec.test(), teacher.schema(), listener::onMessage);
            int leaks = DuplicateGroups.testExamplesDuplicatedInTraining(transfer, test);
            if (leaks > 0) {
                listener.onMessage(String.format("warning: %,d of %,d test examples have an exact or near duplicate in the transfer"
                        + " set, which the student learns from; test figures partly measure memory (split one file with"
                        + " 'distillery data split', which keeps duplicates on one side)", leaks, test.size()));
            }
            if (spec.student() instanceof dev.distillery.model.NgramBagSpec) {
                dev.distillery.data.InputCheck.wholeWordsWarning(transfer.examples()).ifPresent(listener::onMessage);
            }
            transfer = keepLabels(transfer, spec.labeled(), spec.train().seed());
            int labeledCount = (int) transfer.labeledCount();
            transfer = withTeacherViews(transfer, spec.teacherViews(), spec.train().seed());
            // The teacher is an input like the data: a changed teacher makes a different student.
            List<Path> inputs = new ArrayList<>(List.of(teacherDir));
            inputs.addAll(catalog.inputFiles(spec.transfer(), listener::onMessage));
            inputs.addAll(catalog.inputFiles(spec.test(), listener::onMessage));
            Dataset transferSet = transfer;
            return new StageRunner(runs).run(Stage.<DistillSpec, Outcome>named("distill", spec)
                    .seeded(spec.train().seed())
                    .reads(inputs)
                    .does(run -> execute(run, spec, teacher, teacherDir, transferSet, test, labeledCount))
                    .reports(DistillJob::results, DistillJob::summary), args);
        }
    }

    private Dataset load(String ref, DistillSpec spec, Classifier teacher) {
        return InputCheck.conform(catalog.loadDatasetFor(ref, teacher.schema(), spec.onError(), listener::onMessage), teacher.schema(),
                InputCheck.Labels.MUST_BE_KNOWN);
    }

    /** Keeps {@code amount} labels (stratified), drops the rest: those examples teach through the teacher alone. */
    static Dataset keepLabels(Dataset transfer, String amount, long seed) {
        if (amount == null) {
            return transfer;
        }
        Dataset labeled = transfer.filter("labeled", Example::hasLabel);
        int keep = amount.trim().equals("0") ? 0 : Splits.parseAmount(amount, labeled.size());
        java.util.Set<String> kept = new java.util.HashSet<>();
        if (keep > 0 && keep < labeled.size()) {
            Splits.labeledSubset(labeled, keep, seed).first().examples().forEach(e -> kept.add(e.id()));
        } else if (keep >= labeled.size()) {
            labeled.examples().forEach(e -> kept.add(e.id()));
        }
        List<Example> out = new ArrayList<>(transfer.size());
        for (Example e : transfer.examples()) {
            out.add(kept.contains(e.id()) ? e : e.withLabel(null));
        }
        return transfer.subset(transfer.name(), out);
    }

    /**
     * Appends {@code n} unlabeled augmented views of the transfer images (see {@link ImageTransforms#teacherViews}),
     * ids {@code view-0, view-1, ...}: the teacher labels them like any unlabeled transfer example.
     */
    static Dataset withTeacherViews(Dataset transfer, int n, long seed) {
        if (n == 0) {
            return transfer;
        }
        ImageTransforms augmenter = ImageTransforms.forSchema(transfer.schema());
        List<float[]> images = transfer.examples().stream().map(Example::features).toList();
        List<float[]> views = augmenter.teacherViews(images, n, new Random(seed * 31 + 17));
        List<Example> out = new ArrayList<>(transfer.size() + n);
        out.addAll(transfer.examples());
        for (int i = 0; i < n; i++) {
            out.add(Example.dense("view-" + i, views.get(i), null, "teacher view " + i));
        }
        return transfer.subset(transfer.name() + " + " + n + " teacher views", out);
    }

    private Outcome execute(Run run, DistillSpec spec, Classifier teacher, Path teacherDir, Dataset transfer, Dataset test,
            int labeledCount) {
        listener.onMessage(String.format("transfer set: %,d examples (%,d labeled%s); test: %,d", transfer.size(),
                labeledCount, spec.teacherViews() == 0 ? "" : String.format(", %,d teacher views", spec.teacherViews()),
                test.size()));
        Map<String, float[]> teacherLogits = TeacherOutputs.compute(teacher, teacherDir, transfer, cacheDir, listener::onMessage);
        int[] teacherTest = teacher.predict(test.examples(), 256);
        ModelReport teacherReport = report("teacher", teacher, test, teacherTest, Classifier.sizeOnDisk(teacherDir), Double.NaN);
        List<ModelSpec> students = new ArrayList<>();
        if (spec.sweepWidths().isEmpty()) {
            students.add(spec.student());
        } else {
            spec.sweepWidths().forEach(w -> students.add(spec.student().withWidth(w)));
        }
        List<ModelReport> kd = new ArrayList<>();
        List<ModelReport> baseline = new ArrayList<>();
        Dataset labeledOnly = transfer.filter("labeled", Example::hasLabel);
        for (ModelSpec student : students) {
            Path dir = students.size() == 1 ? run.modelDir() : run.dir().resolve("students").resolve("width-" + student.width());
            if (student instanceof LinearSpec) {
                // Solved, not stepped (as train fits it): gradient steps on raw table columns, an income in the tens
                // of thousands beside a ratio, left a linear student at 0.59 where the teacher had 0.81.
                listener.onMessage("student " + student.describe(transfer.schema()) + ": solved by LIBLINEAR on the teacher's answers for the transfer"
                        + " set (its labels where it has them); temperature and alpha shape students trained by steps");
                kd.add(trainStudent(run, student, teacherAnswers(transfer, teacherLogits, teacher.schema()), test, teacherTest,
                        Objective.HARD_LABELS, spec.train(), dir, "student"));
            } else {
                listener.onMessage("student " + student + ": distilling");
                kd.add(trainStudent(run, student, transfer, test, teacherTest,
                        new DistillationObjective(teacherLogits, spec.alpha(), spec.temperature()), spec.train(), dir, "student"));
            }
            if (spec.labelsOnly()) {
                if (labeledOnly.isEmpty()) {
                    throw new IllegalArgumentException("--labels-only needs labeled transfer examples; there are none");
                }
                TrainConfig baselineConfig = labelsOnlyConfig(spec, transfer.size());
                listener.onMessage("student " + student + ": labels only, for comparison (" + baselineConfig.epochs() + " epochs)");
                baseline.add(trainStudent(run, student, labeledOnly, test, teacherTest, Objective.HARD_LABELS, baselineConfig,
                        null, "labels-only"));
            }
        }
        Outcome outcome = new Outcome(run, spec, teacherReport, kd, baseline, transfer.size(), labeledCount);
        plot(outcome, run.plotsDir().resolve("accuracy-vs-parameters.png"));
        return outcome;
    }

    /**
     * The labels-only baseline's training: teacher views enlarge the distilled student's epochs, so the baseline
     * trains proportionally more epochs and both take the same number of optimizer steps.
     */
    static TrainConfig labelsOnlyConfig(DistillSpec spec, int transferWithViews) {
        if (spec.teacherViews() == 0) {
            return spec.train();
        }
        int real = transferWithViews - spec.teacherViews();
        int epochs = (int) Math.round(spec.train().epochs() * transferWithViews / (double) real);
        return spec.train().withEpochs(epochs);
    }

    /** The transfer set with each unlabeled example labeled by the teacher's answer (its most probable class). */
    static Dataset teacherAnswers(Dataset transfer, Map<String, float[]> teacherLogits, dev.distillery.data.Schema teacher) {
        List<Example> out = new ArrayList<>(transfer.size());
        for (Example e : transfer.examples()) {
            out.add(e.hasLabel() ? e : e.withLabel(teacher.labels().get(Classifier.argmax(teacherLogits.get(e.id())))));
        }
        return transfer.subset(transfer.name() + " (the teacher's answers)", out);
    }

    private ModelReport trainStudent(Run run, ModelSpec spec, Dataset train, Dataset test, int[] teacherTest, Objective objective,
            TrainConfig config, Path saveTo, String role) {
        try (Classifier student = Classifier.create(spec, train.schema())) {
            Path checkpoints = run.checkpointDir(role + "-width-" + spec.width());
            TrainResult r = spec instanceof LinearSpec
                    ? dev.distillery.train.LinearFit.fit(student, train, null, config.seed(), listener).result()
                    : new ClassifierTrainer(config, listener, checkpoints, objective).train(student, train, null);
            long bytes = -1;
            if (saveTo != null) {
                student.save(saveTo, Map.of("role", role, "objective", objective.toString()));
                bytes = Classifier.sizeOnDisk(saveTo);
            } else {
                bytes = student.sizeIfSaved();
            }
            int[] predicted = student.predict(test.examples(), 256);
            return report(role, student, test, teacherTest, bytes, r.trainingSeconds(), predicted);
        }
    }

    private ModelReport report(String role, Classifier model, Dataset test, int[] teacherTest, long bytes, double seconds) {
        return report(role, model, test, teacherTest, bytes, seconds, teacherTest);
    }

    private ModelReport report(String role, Classifier model, Dataset test, int[] teacherTest, long bytes, double seconds,
            int[] predicted) {
        int[] truth = new int[test.size()];
        int agree = 0;
        for (int i = 0; i < truth.length; i++) {
            truth[i] = model.schema().indexOf(test.get(i).label().orElseThrow());
            agree += predicted[i] == teacherTest[i] ? 1 : 0;
        }
        Evaluation eval = Evaluation.of(truth, predicted, model.schema().labels());
        SpeedReport speed = SpeedReport.measure(model, test.examples().subList(0, Math.min(256, test.size())), 100, 256, 5, bytes);
        return new ModelReport(role, model.spec().describe(model.schema()), eval, speed, agree / (double) truth.length, seconds);
    }

    static void plot(Outcome o, Path png) {
        var chart = new org.knowm.xchart.XYChartBuilder().width(640).height(420).title("Accuracy against parameters")
                .xAxisTitle("parameters (log scale)").yAxisTitle("test accuracy").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(10);
        chart.addSeries("teacher", new double[] {o.teacher().speed().parameters()}, new double[] {o.teacher().accuracy()});
        chart.addSeries("distilled students", o.students().stream().mapToDouble(s -> s.speed().parameters()).toArray(),
                o.students().stream().mapToDouble(ModelReport::accuracy).toArray());
        if (!o.labelsOnly().isEmpty()) {
            chart.addSeries("labels only", o.labelsOnly().stream().mapToDouble(s -> s.speed().parameters()).toArray(),
                    o.labelsOnly().stream().mapToDouble(ModelReport::accuracy).toArray());
        }
        Plots.save(chart, png);
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("transfer_examples", o.transferSize());
        r.put("labeled_examples", o.labeledSize());
        r.put("teacher_views", o.spec().teacherViews());
        r.put("teacher", row(o.teacher(), o.teacher()));
        List<Map<String, Object>> students = new ArrayList<>();
        o.students().forEach(s -> students.add(row(s, o.teacher())));
        r.put("students", students);
        List<Map<String, Object>> baseline = new ArrayList<>();
        o.labelsOnly().forEach(s -> baseline.add(row(s, o.teacher())));
        r.put("labels_only", baseline);
        return r;
    }

    static Map<String, Object> row(ModelReport m, ModelReport teacher) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("role", m.role());
        r.put("spec", m.spec());
        r.put("accuracy", m.accuracy());
        r.put("macro_f1", m.macroF1());
        r.put("parameters", m.speed().parameters());
        r.put("bytes_on_disk", m.speed().bytesOnDisk());
        r.put("latency_p50_ms", m.speed().latencyP50Ms());
        r.put("latency_p99_ms", m.speed().latencyP99Ms());
        r.put("throughput_per_s", m.speed().throughputPerSecond());
        r.put("agreement_with_teacher", m.agreementWithTeacher());
        r.put("param_ratio", m.speed().parameters() / (double) teacher.speed().parameters());
        r.put("accuracy_ratio", m.accuracy() / teacher.accuracy());
        r.put("f1_ratio", m.macroF1() / teacher.macroF1());
        r.put("throughput_ratio", m.speed().throughputPerSecond() / teacher.speed().throughputPerSecond());
        if (!Double.isNaN(m.trainSeconds())) {
            r.put("training_seconds", m.trainSeconds());
        }
        return r;
    }

    /** The comparison as an aligned text table, teacher first. */
    public static String table(Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-12s %-44s %9s %9s %12s %10s %10s %10s %12s %9s%n", "model", "spec", "accuracy", "macro-F1",
                "parameters", "size KiB", "p50 ms", "p99 ms", "examples/s", "agree"));
        List<ModelReport> all = new ArrayList<>();
        all.add(o.teacher());
        all.addAll(o.students());
        all.addAll(o.labelsOnly());
        for (ModelReport m : all) {
            String spec = m.spec().length() > 44 ? m.spec().substring(0, 43) + "…" : m.spec();
            sb.append(String.format("%-12s %-44s %9.4f %9.4f %,12d %,10.1f %10.2f %10.2f %,12.0f %9.4f%n", m.role(), spec,
                    m.accuracy(), m.macroF1(), m.speed().parameters(), m.speed().bytesOnDisk() / 1024.0,
                    m.speed().latencyP50Ms(), m.speed().latencyP99Ms(), m.speed().throughputPerSecond(),
                    m.agreementWithTeacher()));
        }
        ModelReport best = o.students().get(0);
        sb.append(String.format("%nstudent / teacher: %.1f%% of the parameters, %.1f%% of the accuracy, %.1f%% of the macro-F1, "
                        + "%.1fx the throughput%n", 100 * best.speed().parameters() / (double) o.teacher().speed().parameters(),
                100 * best.accuracy() / o.teacher().accuracy(), 100 * best.macroF1() / o.teacher().macroF1(),
                best.speed().throughputPerSecond() / o.teacher().speed().throughputPerSecond()));
        return sb.toString();
    }

    static String summary(Outcome o) {
        return "# Distillation " + o.run().id() + "\n\nteacher `" + o.spec().teacher() + "`, transfer `" + o.spec().transfer()
                + "` (" + o.transferSize() + " examples, " + o.labeledSize() + " labeled, " + o.spec().teacherViews()
                + " of them teacher views), test `" + o.spec().test()
                + "`, alpha " + o.spec().alpha() + ", temperature " + o.spec().temperature() + "\n\n```\n" + table(o)
                + "```\n\nParameters include a frozen encoder where the model has one. Plot: `plots/accuracy-vs-parameters.png`.\n";
    }
}
