package dev.distillery.cli;

import dev.distillery.data.ReadResult;
import dev.distillery.train.TrainJob;
import java.io.PrintStream;

/** Console summaries shared by commands. */
final class Printing {
    private Printing() {}

    static void outcome(PrintStream out, TrainJob.Outcome o) {
        var data = o.data();
        ReadResult.skippedReport(data.skipped(), data.skipReasons(), null).forEach(out::println);
        out.println();
        out.println("  result                     value");
        out.println("  -------------------------  ------------------------------");
        row(out, "train / val / test", String.format("%,d / %,d / %,d", data.train().size(),
                data.validation() == null ? 0 : data.validation().size(), o.test().count()));
        row(out, "model", o.spec().model().describe(data.train().schema()));
        row(out, "parameters", String.format("%,d (%,.1f KiB on disk)", o.parameters(), o.bytesOnDisk() / 1024.0));
        if (TrainJob.solverOf(o.spec().model()) == null) { // a solver fits in one go: no epochs to count, no steps to time
            row(out, "epochs (best)", String.format("%d (%d)%s", o.training().history().size(), o.training().bestEpoch(),
                    o.training().stoppedEarly() ? ", early stop" : ""));
        }
        row(out, "training", TrainJob.fitted(o.spec().model(), o.training()));
        var test = o.test();
        // Against what always answering the commonest class scores, where that is much: 0.98 means little when it is 0.97.
        row(out, "test accuracy", String.format("%.4f", test.accuracy()) + (test.majorityAccuracy() >= 0.5
                ? String.format(" (always '%s': %.4f)", test.labels().get(test.majorityClass()), test.majorityAccuracy()) : ""));
        row(out, "test macro-F1", String.format("%.4f", test.macroF1()));
        int worst = test.leastRecalled();
        row(out, "lowest recall", String.format("%.4f, '%s' (%,d test examples)", test.recall(worst), test.labels().get(worst),
                test.support(worst)));
        // Where every class's average precision rounds to 1, naming one as the hardest would point at nothing.
        row(out, "hardest to find", o.hardest().averagePrecision() >= 0.9995 ? "none: every class's average precision is 1.000"
                : String.format("'%s', average precision %.3f (thresholds in summary.md)", o.hardest().label(),
                        o.hardest().averagePrecision()));
        if (o.labeledRound() != null) {
            row(out, "labels alone (round 0)", String.format("accuracy %.4f, macro-F1 %.4f", o.labeledRound().accuracy(),
                    o.labeledRound().macroF1()));
        }
        if (o.unlabeledCheck() != null) {
            row(out, "validation accuracy", String.format("%.4f after the labeled round, %.4f after the unlabeled rounds%s",
                    o.unlabeledCheck().labeledRoundAccuracy(), o.unlabeledCheck().finalAccuracy(),
                    o.unlabeledCheck().lowered() ? " (lowered)" : ""));
        }
        row(out, "latency, 1 example", String.format("p50 %.2f ms, p99 %.2f ms", o.speed().latencyP50Ms(), o.speed().latencyP99Ms()));
        row(out, "throughput, batch " + o.speed().batchSize(), String.format("%,.0f examples/s", o.speed().throughputPerSecond()));
        out.println();
        out.println("run saved to " + o.run().dir());
        out.println("  summary: " + o.run().dir().resolve("summary.md") + "   plots: " + o.run().plotsDir());
        out.println("  next:    distillery eval --model " + o.run().id() + " --data <file>   |   distillery runs show " + o.run().id());
    }

    static void row(PrintStream out, String key, String value) {
        out.printf("  %-25s  %s%n", key, value);
    }
}
