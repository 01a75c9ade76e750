package dev.distillery.train;

import dev.distillery.curate.DuplicateGroups;
import dev.distillery.data.Dataset;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether data a model is scored on is the data its training run read: the examples of its training part then score as
 * memory, not as generalization ({@code eval} on the file it trained on is the common slip).
 */
public final class TrainedOn {
    private TrainedOn() {}

    /**
     * A warning when {@code dataRef} is the very file (or data set) the training run of {@code modelDir} read, with how
     * many of its labeled examples were in the run's training part; null when it is other data or the run cannot say.
     * Only that file is checked: finding a run's training part means reading and splitting its data again.
     */
    public static String warning(DataCatalog catalog, RunStore runs, Path modelDir, String dataRef) {
        try {
            TrainSpec spec = TrainJob.specOf(modelDir);
            if (spec == null || !sameData(spec.data(), dataRef)) {
                return null;
            }
            Dataset train = new TrainJob(catalog, runs, TrainListener.NONE).prepare(spec).trainWithExtra();
            Dataset scored = catalog.withColumns(spec.columns()).loadDataset(dataRef, OnError.SKIP, m -> { });
            scored = scored.filter(scored.name(), e -> e.hasLabel());
            int seen = DuplicateGroups.testExamplesDuplicatedInTraining(train, scored);
            return seen == 0 ? null : String.format("warning: %s is the data the model was trained on: %,d of its %,d labeled"
                    + " examples (or a near duplicate) were in the training part, so these figures partly measure memory;"
                    + " evaluate on its test part or other data (distillery data split FILE writes both parts)", dataRef, seen,
                    scored.size());
        } catch (RuntimeException e) {
            return null; // the training run's record or data cannot be read again: nothing to compare with
        }
    }

    private static boolean sameData(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Files.isSameFile(Path.of(a), Path.of(b));
        } catch (IOException | RuntimeException e) {
            return false; // a known data set's name, or a file gone
        }
    }
}
