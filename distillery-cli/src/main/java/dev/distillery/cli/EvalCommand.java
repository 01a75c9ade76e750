package dev.distillery.cli;

import dev.distillery.data.ReadResult;
import dev.distillery.eval.EvalJob;
import dev.distillery.eval.SpeedReport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on labeled data: accuracy, macro-F1, confusion, latency and throughput.")
final class EvalCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelAndData modelAndData;

    @picocli.CommandLine.Mixin
    OnErrorOption onError;

    @picocli.CommandLine.Mixin
    ColumnOptions columns;

    @Option(names = "--threshold", paramLabel = "LABEL=P",
            description = "Answer LABEL whenever its probability is at least P (repeatable), as predict --threshold does: to "
                    + "measure an operating point from a training run's summary.md. Default: the most probable label.")
    List<String> thresholds = new java.util.ArrayList<>();

    @Override
    public Integer call() {
        String model = modelAndData.model();
        String data = modelAndData.data();
        Context ctx = Context.fromEnvironment();
        Path modelDir = ModelRef.resolve(ctx, model);
        EvalJob.Outcome o = new EvalJob(columns.applyTo(ctx.catalog()), ctx.runs(), System.out::println)
                .run(modelDir, data, onError.policy, thresholds, args(model, data));
        ReadResult.skippedReport(o.skipped(), o.skipReasons(), null).forEach(System.out::println);
        String memory = dev.distillery.train.TrainedOn.warning(ctx.catalog(), ctx.runs(), modelDir, data);
        if (memory != null) {
            System.out.println(memory);
        }
        System.out.println(o.evaluation().report());
        SpeedReport speed = o.speed();
        System.out.printf("parameters %,d, %,.1f KiB on disk; latency p50 %.2f ms, p99 %.2f ms; throughput %,.0f examples/s (batch %d)%n",
                speed.parameters(), speed.bytesOnDisk() / 1024.0, speed.latencyP50Ms(), speed.latencyP99Ms(),
                speed.throughputPerSecond(), speed.batchSize());
        System.out.println("run saved to " + o.run().dir());
        return 0;
    }

    private List<String> args(String model, String data) {
        List<String> args = new java.util.ArrayList<>(List.of("--model", model, "--data", data));
        thresholds.forEach(t -> args.addAll(List.of("--threshold", t)));
        return args;
    }
}
