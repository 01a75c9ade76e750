package dev.distillery.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.model.Classifier;
import dev.distillery.model.TfidfFeaturizer;
import dev.distillery.run.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code MODEL_CARD.md} of an export: what the model is, what it takes and returns, how it was checked, and what it
 * was measured at where the run that made it recorded that. Only facts Distillery holds; the intended use and its
 * limits beyond these are for the model's owner to add.
 */
final class ModelCard {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelCard() {}

    static String markdown(Classifier model, Path modelDir, int weightBits, ExportJob.Outcome o) {
        StringBuilder md = new StringBuilder();
        md.append("# Model card\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| architecture | `").append(model.spec().describe(model.schema())).append("` |\n");
        md.append("| labels (output order) | ").append(String.join(", ", model.schema().labels())).append(" |\n");
        md.append(String.format("| parameters | %,d |%n", model.parameterCount()));
        md.append("| weights | ").append(weightBits == 32 ? "float32, as trained"
                : "trained at float32, stored by Distillery as " + weightBits + "-bit integers (a scale per output channel, table "
                        + "row or class); written "
                        + "here dequantized to float32 (the values Distillery computes with)").append(" |\n");
        md.append("| ONNX | opset ").append(OnnxGraph.OPSET).append(", IR version ").append(OnnxGraph.IR_VERSION)
                .append(String.format(", %,d bytes, sha256 `%s` |%n", o.onnxBytes(), o.sha256()));
        md.append("| made by | run `").append(modelDir.toAbsolutePath().getParent().getFileName()).append("` |\n");
        sourceMetrics(modelDir, md);
        md.append("\n## Inputs and outputs\n\n");
        String check = "; compute them as `featurizer.json` says and check your implementation against its test vectors.";
        String text = "the text" + (model.schema().columns().text().equals(dev.distillery.data.ColumnNames.DEFAULT.text()) ? ""
                : " (in the training data, column or key '" + model.schema().columns().text() + "')");
        md.append("Input `").append(OnnxExporter.INPUT).append("`: ").append(model.featurizer() instanceof TfidfFeaturizer
                ? "float32 (batch, 2, length): the TF-IDF feature ids of " + text + ", then their sublinear term frequencies, 0 for "
                        + "padding" + check
                : model.schema().kind() == dev.distillery.data.Schema.Kind.TEXT
                ? "int64 n-gram bucket ids of " + text + " (batch, length), 0 for padding" + check
                : "float32 features shaped (batch, " + String.join(", ", model.schema().featureShape().stream().map(String::valueOf).toList())
                        + "), as `featurizer.json` says" + (model.schema().featureNames().isEmpty() ? "" : ": the columns "
                        + String.join(", ", model.schema().featureNames()) + ", in that order") + ".").append("\n\n");
        md.append("Outputs: `").append(OnnxExporter.LOGITS).append("` (raw scores) and `").append(OnnxExporter.PROBABILITIES)
                .append("` (softmax), both (batch, ").append(model.schema().numClasses()).append(") in label order. Batch "
                        + "normalization is folded into the layer next to it; dropout is gone (inference form).\n\n");
        md.append("## Parity check\n\n");
        md.append(String.format("ONNX Runtime against Distillery's own engine on %,d examples of %s: largest logit difference "
                + "%.3g (each logit may move by %s; the worst used %.0f%% of that), predicted class agreeing on %.2f%% of the "
                + "examples.%n", o.parity().examples(), o.parityData(), o.parity().maxAbsDiff(), Parity.RULE,
                100 * o.parity().maxToleranceUsed(), 100 * o.parity().argmaxAgreement()));
        md.append("\n## Limits\n\nThe model was measured only on the data named above; it knows only the labels listed, "
                + "and gives one of them for any input, including inputs unlike anything it was trained on.\n");
        return md.toString();
    }

    /** The test figures the run that made the model recorded, when it is a training run. */
    private static void sourceMetrics(Path modelDir, StringBuilder md) {
        Path results = modelDir.toAbsolutePath().getParent().resolve(Run.RESULTS);
        if (!Files.isRegularFile(results)) {
            return;
        }
        try {
            JsonNode r = JSON.readTree(results.toFile());
            if (r.path("test_accuracy").isNumber()) {
                md.append(String.format("| test accuracy (made-by run) | %.4f on %,d examples |%n", r.get("test_accuracy").asDouble(),
                        r.path("test_examples").asInt()));
            }
            if (r.path("test_macro_f1").isNumber()) {
                md.append(String.format("| test macro-F1 (made-by run) | %.4f |%n", r.get("test_macro_f1").asDouble()));
            }
            JsonNode chosen = r.path("model_selection");
            if (chosen.path("c").isNumber() && chosen.path("loss").isTextual()) {
                // the spec above leaves C and the loss open (null) when cross-validation chose them: say what it chose
                md.append(String.format("| chosen by cross-validation | %s loss, C %s |%n", chosen.get("loss").asText(),
                        chosen.get("c").asText()));
            }
        } catch (IOException e) {
            md.append("| test figures | unreadable (").append(results).append(") |\n");
        }
    }
}
