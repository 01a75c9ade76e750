package dev.distillery.cli;

import dev.distillery.model.Classifier;
import dev.distillery.run.Run;
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
        Run run = ctx.runs().open(ref);
        Path dir = run.modelDir();
        if (!Files.isRegularFile(dir.resolve(Classifier.SPEC_FILE))) {
            throw new IllegalArgumentException("run " + ref + " has no saved model: " + whyNoModel(run));
        }
        return dir;
    }

    /** Why a run holds no model, from its record: what command it was, and how it ended if not well. */
    private static String whyNoModel(Run run) {
        String status = run.status();
        Object command = run.provenance().get("command");
        if (!"finished".equals(status)) {
            return "it " + (command == null ? "" : "(" + command + ") ") + "is " + status;
        }
        return "it is a" + (command == null ? " run" : " '" + command + "' run") + ", which saves none (a model comes from"
                + " train, distill, prune, quantize, factorize, lora, compress or federate)";
    }
}
