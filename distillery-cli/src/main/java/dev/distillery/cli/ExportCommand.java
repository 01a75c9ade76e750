package dev.distillery.cli;

import dev.distillery.export.ExportJob;
import dev.distillery.model.TorchRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a saved model to ONNX (MLP, CNN, n-gram bag, linear on dense or TF-IDF text features, "
                + "RBF-kernel SVM), checked against the original before anything is written.",
                "Writes model.onnx, featurizer.json (how to compute the input, with test vectors), labels.json, parity.json "
                        + "and MODEL_CARD.md. The parity check runs the graph in ONNX Runtime and the model in Distillery on the "
                        + "same data and fails unless every prediction agrees and every logit is within 1e-4 + 1e-5 x its example's "
                        + "largest |logit| (float rounding grows with a sum's size)."})
final class ExportCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelArgument modelArgument;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "FORMAT", description = "Export format: onnx (the only one).")
    String format;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory to write (new, empty or an earlier export); "
            + "default: the export run's own export/ directory.")
    Path out;

    @Option(names = "--data", paramLabel = "DATA", description = "Data to check parity on; default: the test data of the "
            + "run that made the model.")
    String data;

    @Override
    public Integer call() {
        if (!"onnx".equals(format)) {
            throw new IllegalArgumentException("unknown --format '" + format + "'; the only format is onnx");
        }
        Context ctx = Context.fromEnvironment();
        String model = modelArgument.ref();
        Path modelDir = ModelRef.resolve(ctx, model);
        List<String> args = new ArrayList<>(List.of(model, "--format", format));
        if (out != null) {
            args.addAll(List.of("--out", out.toString()));
        }
        if (data != null) {
            args.addAll(List.of("--data", data));
        }
        ExportJob.Outcome o = new ExportJob(ctx.catalog(), ctx.runs(), System.out::println, TorchRuntime.threads())
                .export(modelDir, data, out, args);
        System.out.printf("parity on %,d examples: max |logit difference| %.3g, argmax agreement %.4f: passed%n",
                o.parity().examples(), o.parity().maxAbsDiff(), o.parity().argmaxAgreement());
        System.out.printf("wrote %s (%,d bytes) with featurizer.json, labels.json, parity.json and MODEL_CARD.md to %s%n",
                ExportJob.ONNX_FILE, o.onnxBytes(), o.out());
        System.out.println("run saved to " + o.run().dir());
        return 0;
    }
}
