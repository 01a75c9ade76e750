package dev.distillery.cli;

import dev.distillery.data.Dataset;
import dev.distillery.data.InputCheck;
import dev.distillery.data.OnError;
import dev.distillery.data.ReadResult;
import dev.distillery.eval.Evaluation;
import dev.distillery.eval.SpeedReport;
import dev.distillery.model.Classifier;
import dev.distillery.run.Run;
import dev.distillery.train.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on labeled data: accuracy, macro-F1, confusion, latency and throughput.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN", description = "A run id (or prefix) or a model directory.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "DATA", description = "Labeled data: a known data set or a file.")
    String data;

    @picocli.CommandLine.Mixin
    OnErrorOption onError;

    @Override
    public Integer call() {
        Context ctx = Context.fromEnvironment();
        Path modelDir = ModelRef.resolve(ctx, model);
        ReadResult read = ctx.catalog().load(data, onError.policy, System.out::println);
        try (Classifier classifier = Classifier.load(modelDir)) {
            Dataset labeled = InputCheck.conform(read.dataset().filter(read.dataset().name(), e -> e.hasLabel()), classifier.schema(),
                    InputCheck.Labels.MUST_BE_KNOWN);
            if (labeled.isEmpty()) {
                throw new IllegalArgumentException(data + " has no labeled examples to evaluate on");
            }
            Run run = ctx.runs().create("eval");
            run.writeConfig(Map.of("model", modelDir.toString(), "data", data, "on_error", onError.policy.name()));
            run.start("eval", List.of("--model", model, "--data", data), 0, ctx.catalog().inputFiles(data));
            Evaluation eval = TrainJob.evaluate(classifier, labeled);
            SpeedReport speed = SpeedReport.measure(classifier, labeled.examples().subList(0, Math.min(256, labeled.size())),
                    200, 256, 10, Classifier.sizeOnDisk(modelDir));
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("accuracy", eval.accuracy());
            results.put("macro_f1", eval.macroF1());
            results.put("examples", eval.count());
            results.put("skipped_records", read.skipped());
            results.put("parameters", speed.parameters());
            results.put("bytes_on_disk", speed.bytesOnDisk());
            results.put("latency_p50_ms", speed.latencyP50Ms());
            results.put("latency_p99_ms", speed.latencyP99Ms());
            results.put("throughput_per_s", speed.throughputPerSecond());
            results.put("confusion", eval.confusion());
            results.put("labels", eval.labels());
            run.finish("finished", results);
            String report = eval.report();
            run.writeSummary("# Evaluation " + run.id() + "\n\nmodel `" + modelDir + "` on `" + data + "`\n\n```\n" + report + "```\n");
            if (read.skipped() > 0) {
                System.out.println("skipped " + read.skipped() + " bad records");
            }
            System.out.println(report);
            System.out.printf("parameters %,d, %,.1f KiB on disk; latency p50 %.2f ms, p99 %.2f ms; throughput %,.0f examples/s (batch %d)%n",
                    speed.parameters(), speed.bytesOnDisk() / 1024.0, speed.latencyP50Ms(), speed.latencyP99Ms(),
                    speed.throughputPerSecond(), speed.batchSize());
            System.out.println("run saved to " + run.dir());
        }
        return 0;
    }
}
