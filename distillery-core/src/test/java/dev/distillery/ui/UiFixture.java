package dev.distillery.ui;

import dev.distillery.util.DistilleryHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small {@code $DISTILLERY_HOME} written by hand, with every kind of thing the dashboard shows: two training runs with
 * curves, a distillation, a label-issues run over a text file, a curation with removed samples (one holding an e-mail
 * address), a synthesis with rejected candidates, a recipe, and a labeling project with a batch to answer.
 */
final class UiFixture {
    static final String TRAIN_A = "20261201-100000-train-aaaaaa";
    static final String TRAIN_B = "20261201-110000-train-bbbbbb";
    static final String DISTILL = "20261201-120000-distill-cccccc";
    static final String ISSUES = "20261201-130000-label-issues-dddddd";
    static final String CURATE = "20261201-140000-curate-eeeeee";
    static final String SYNTH = "20261201-150000-synth-ffffff";
    static final String SECRET_EMAIL = "jane.doe@example.org";

    private UiFixture() {}

    static DistilleryHome write(Path root) throws IOException {
        Path runs = root.resolve("runs");
        Path mail = root.resolve("data/mail.jsonl");
        Files.createDirectories(mail.getParent());
        Files.writeString(mail, """
                {"id": "m1", "text": "WIN a FREE cruise now", "label": "ham"}
                {"id": "m2", "text": "Lunch at noon tomorrow?", "label": "spam"}
                {"id": "m3", "text": "Your invoice is attached", "label": "ham"}
                """);
        train(runs.resolve(TRAIN_A), "0.8123", "0.9", 0.001);
        train(runs.resolve(TRAIN_B), "0.8456", "0.5", 0.002);
        run(runs.resolve(DISTILL), "distill", "{\"transfer\": \"fashion-mnist:train\"}", """
                {"teacher": {"role": "teacher", "accuracy": 0.91, "parameters": 824746},
                 "students": [{"role": "student", "accuracy": 0.8637, "parameters": 52210, "param_ratio": 0.063}]}""");
        run(runs.resolve(ISSUES), "label issues", "{\"data\": \"" + mail + "\"}", "{\"issues\": 2}");
        Files.writeString(runs.resolve(ISSUES).resolve("issues.jsonl"), """
                {"id": "m1", "given": "ham", "suggested": "spam", "given_probability": 0.05, "suggested_probability": 0.95}
                {"id": "m2", "given": "spam", "suggested": "ham", "given_probability": 0.10, "suggested_probability": 0.90}
                """);
        run(runs.resolve(CURATE), "curate", "{\"input\": \"" + mail + "\"}", """
                {"records_in": 3, "records_out": 2, "funnel": [{"step": "quality", "in": 3, "out": 2, "removed": {"too few words": 1},
                 "samples": {"too few words": ["write to %s"]}}]}""".formatted(SECRET_EMAIL));
        run(runs.resolve(SYNTH), "synth", "{\"data\": \"" + mail + "\"}", "{\"accepted\": 1}");
        Files.writeString(runs.resolve(SYNTH).resolve("verdicts.jsonl"), """
                {"candidate": 0, "generator": "eda", "label": "spam", "accepted": true, "text": "WIN a cruise"}
                {"candidate": 1, "generator": "eda", "label": "ham", "accepted": false, "text": "lunch noon", "rejected_by": "agreement", "reason": "teacher says spam"}
                """);
        Path recipe = root.resolve("recipes/demo");
        Files.createDirectories(recipe);
        Files.writeString(recipe.resolve("plan.json"), """
                {"recipe": "demo.yaml", "stages": [{"name": "teacher", "command": "train", "after": [], "action": "run"},
                 {"name": "student", "command": "distill", "after": ["teacher"], "action": "run"}]}""");
        Files.writeString(recipe.resolve("state.json"), state("running"));
        Files.writeString(recipe.resolve("report.html"), "<!doctype html><html><body><h1>Recipe demo</h1></body></html>");
        Path project = root.resolve("projects/demo");
        Files.createDirectories(project);
        Files.writeString(project.resolve("project.json"), "{\"pool\": \"" + mail + "\", \"labels\": [\"ham\", \"spam\"]}");
        Files.writeString(project.resolve("batch-001.jsonl"), """
                {"id": "m1", "text": "WIN a FREE cruise now", "label": null}
                {"id": "m3", "text": "Your invoice is attached", "label": null}
                """);
        Files.writeString(project.resolve("batch-001.csv"), "id,label\nm1,\nm3,\n");
        return new DistilleryHome(root);
    }

    /** The recipe's state with the student stage in {@code studentStatus}. */
    static String state(String studentStatus) {
        return """
                {"teacher": {"key": "k1", "run": null, "out": null, "status": "finished", "seconds": 12.5, "peakRssMb": 900,
                  "inputBytes": 10, "estimateSeconds": 11, "estimatePeakMb": 800, "pid": 0, "started": null},
                 "student": {"key": "k2", "run": null, "out": null, "status": "%s", "seconds": 0, "peakRssMb": 0,
                  "inputBytes": 10, "estimateSeconds": 5, "estimatePeakMb": 700, "pid": 0, "started": null}}""".formatted(studentStatus);
    }

    private static void train(Path dir, String accuracy, String dropout, double lr) throws IOException {
        run(dir, "train", "{\"data\": \"spamassassin\", \"model\": {\"type\": \"ngram\", \"dropout\": " + dropout + "}}",
                "{\"test_accuracy\": " + accuracy + ", \"parameters\": 1000}");
        StringBuilder metrics = new StringBuilder();
        for (int epoch = 1; epoch <= 3; epoch++) {
            metrics.append(String.format("{\"epoch\": %d, \"train_loss\": %.3f, \"val_loss\": %.3f, \"val_accuracy\": %.3f, \"learning_rate\": %s}%n",
                    epoch, 1.0 / epoch, 1.2 / epoch, 0.5 + 0.1 * epoch, lr));
        }
        Files.writeString(dir.resolve("metrics.jsonl"), metrics);
    }

    private static void run(Path dir, String command, String config, String results) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config);
        Files.writeString(dir.resolve("provenance.json"), "{\"run\": \"" + dir.getFileName() + "\", \"command\": \"" + command
                + "\", \"started\": \"2026-12-01T10:00:00Z\", \"status\": \"finished\"}");
        Files.writeString(dir.resolve("results.json"), results);
        Files.writeString(dir.resolve("summary.md"), "# " + command + "\n");
    }
}
