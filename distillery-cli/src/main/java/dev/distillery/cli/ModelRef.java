package dev.distillery.cli;

import dev.distillery.model.Classifier;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves what a user gives as --model: a model directory, a run directory, or a run id. */
final class ModelRef {
    private ModelRef() {}

    static Path resolve(Context ctx, String ref) {
        Path p = Path.of(ref);
        if (Files.isRegularFile(p.resolve(Classifier.SPEC_FILE))) {
            return p;
        }
        if (Files.isRegularFile(p.resolve("model").resolve(Classifier.SPEC_FILE))) {
            return p.resolve("model");
        }
        Path dir = ctx.runs().open(ref).modelDir();
        if (!Files.isRegularFile(dir.resolve(Classifier.SPEC_FILE))) {
            throw new IllegalArgumentException("run " + ref + " has no saved model (it may have failed or be an eval run)");
        }
        return dir;
    }
}
