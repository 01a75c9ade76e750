package dev.distillery.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainListener;
import dev.distillery.train.TrainSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Retrains the model a training run made, with Label Studio's annotations added to its training data (as the run's
 * extra examples), recorded as a new training run. The held-out data is the run's own test data, the same for the old
 * and the new model (the annotations join the training side only), so their test accuracies compare like for like.
 */
public final class TrainRunRetrainer implements LabelStudioBackend.Retrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataCatalog catalog;
    private final RunStore runs;
    private final Path runDir;
    private final ModelRegistry.Runtime runtime;
    private final int threads;
    private final TrainSpec spec;
    private final String unavailable;

    public TrainRunRetrainer(DataCatalog catalog, RunStore runs, Path modelDir, ModelRegistry.Runtime runtime, int threads) {
        this.catalog = catalog;
        this.runs = runs;
        this.runDir = modelDir.toAbsolutePath().getParent();
        this.runtime = runtime;
        this.threads = threads;
        TrainSpec parsed = null;
        String reason = null;
        Path config = runDir.resolve(Run.CONFIG);
        try {
            JsonNode c = Files.isRegularFile(config) ? JSON.readTree(config.toFile()) : null;
            if (c == null || !c.path("data").isTextual() || !c.path("train").isObject()) {
                reason = "the model was not made by 'distillery train' (no training config beside it), so there is nothing to retrain from";
            } else if (!Files.isRegularFile(runDir.resolve(Run.RESULTS))) {
                reason = "its training run recorded no test accuracy to compare a retrained model with";
            } else {
                parsed = JSON.treeToValue(c, TrainSpec.class);
                if (parsed.extra() != null) {
                    reason = "its training run already had extra examples (" + parsed.extra() + "); retrain it by hand with the "
                            + "annotations added to them";
                    parsed = null;
                }
            }
        } catch (IOException e) {
            reason = "its training config could not be read: " + e.getMessage();
        }
        this.spec = parsed;
        this.unavailable = reason;
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    @Override
    public double baselineAccuracy() {
        try {
            return JSON.readTree(runDir.resolve(Run.RESULTS).toFile()).path("test_accuracy").asDouble(Double.NaN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public LabelStudioBackend.Outcome retrain(Path annotations, double currentAccuracy) {
        TrainSpec withAnnotations = spec.withExtra(annotations.toAbsolutePath().toString());
        TrainJob.Outcome o = new TrainJob(catalog, runs, TrainListener.NONE).run(withAnnotations, "train",
                List.of("(retraining for Label Studio from run " + runDir.getFileName() + ")"));
        Path modelDir = o.run().modelDir();
        return new LabelStudioBackend.Outcome(o.run().id(), o.test().accuracy(), currentAccuracy,
                () -> ModelRegistry.load(modelDir, runtime, threads));
    }
}
