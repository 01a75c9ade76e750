package dev.distillery.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.data.Dataset;
import dev.distillery.data.InputCheck;
import dev.distillery.data.OnError;
import dev.distillery.data.ReadResult;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.Classifier;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The eval command as a library call: a saved model's accuracy, macro-F1, confusion, latency and throughput on labeled data. */
public final class EvalJob {
    /** Latency and throughput are timed on at most this many examples, in batches of this size. */
    private static final int TIMED = 256;

    /**
     * {@code skipped}: bad records left out under {@code --on-error skip}; {@code unlabeled}: good records without a
     * label, which cannot be scored (counted, so that nothing is left out unsaid).
     */
    public record Outcome(Run run, Path model, String data, Evaluation evaluation, SpeedReport speed, int skipped,
            List<String> skipReasons, int unlabeled) {}

    /** The recorded configuration of an evaluation. */
    public record Settings(String model, String data, @JsonProperty("on_error") String onError,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY) List<String> thresholds) {}

    private final DataCatalog catalog;
    private final RunStore runs;
    private final Consumer<String> log;

    public EvalJob(DataCatalog catalog, RunStore runs, Consumer<String> log) {
        this.catalog = catalog;
        this.runs = runs;
        this.log = log == null ? s -> {} : log;
    }

    public Outcome run(Path modelDir, String dataRef, OnError onError, List<String> args) {
        return run(modelDir, dataRef, onError, List.of(), args);
    }

    /** {@link #run} answering each class of {@code thresholds} ({@code LABEL=P}) whenever its probability reaches P. */
    public Outcome run(Path modelDir, String dataRef, OnError onError, List<String> thresholds, List<String> args) {
        try (Classifier classifier = Classifier.load(modelDir)) {
            ClassThresholds decision = ClassThresholds.parse(thresholds, classifier.schema().labels());
            ReadResult read = catalog.loadFor(dataRef, classifier.schema(), onError, log);
            Dataset labeled = InputCheck.conform(InputCheck.scored(read.dataset(), dataRef, classifier.schema(), log),
                    classifier.schema(), InputCheck.Labels.MUST_BE_KNOWN, log);
            int unlabeled = read.dataset().size() - labeled.size();
            Settings settings = new Settings(modelDir.toString(), dataRef, onError.name(), List.copyOf(thresholds));
            return new StageRunner(runs).run(Stage.<Settings, Outcome>named("eval", settings)
                    .reads(catalog.inputFiles(dataRef, log))
                    .does(run -> {
                        Evaluation eval = decision.isEmpty() ? Evaluation.of(classifier, labeled) : decided(classifier, labeled, decision);
                        SpeedReport speed = SpeedReport.measure(classifier, labeled.examples().subList(0, Math.min(TIMED, labeled.size())),
                                200, TIMED, 10, Classifier.sizeOnDisk(modelDir));
                        return new Outcome(run, modelDir, dataRef, eval, speed, read.skipped(), read.skipReasons(), unlabeled);
                    })
                    .reports(EvalJob::results, EvalJob::summary), args);
        }
    }

    private static Evaluation decided(Classifier classifier, Dataset labeled, ClassThresholds decision) {
        float[][] probabilities = classifier.probabilities(labeled.examples(), 512);
        int[] truth = new int[labeled.size()];
        int[] answered = new int[labeled.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = classifier.schema().indexOf(labeled.get(i).label().orElseThrow());
            answered[i] = decision.decide(probabilities[i]);
        }
        return Evaluation.of(truth, answered, classifier.schema().labels());
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("accuracy", o.evaluation().accuracy());
        results.put("macro_f1", o.evaluation().macroF1());
        results.put("examples", o.evaluation().count());
        results.put("skipped_records", o.skipped());
        results.put("unlabeled_records", o.unlabeled());
        results.put("parameters", o.speed().parameters());
        results.put("bytes_on_disk", o.speed().bytesOnDisk());
        results.put("latency_p50_ms", o.speed().latencyP50Ms());
        results.put("latency_p99_ms", o.speed().latencyP99Ms());
        results.put("throughput_per_s", o.speed().throughputPerSecond());
        results.put("confusion", o.evaluation().confusion());
        results.put("labels", o.evaluation().labels());
        return results;
    }

    static String summary(Outcome o) {
        String left = (o.skipped() > 0 ? o.skipped() + " bad records skipped. " : "")
                + (o.unlabeled() > 0 ? o.unlabeled() + " records without a label, not scored. " : "");
        return "# Evaluation " + o.run().id() + "\n\nmodel `" + o.model() + "` on `" + o.data() + "`\n\n"
                + (left.isEmpty() ? "" : left.strip() + "\n\n") + "```\n" + o.evaluation().report() + "```\n";
    }
}
