package dev.distillery.cli;

import dev.distillery.train.EpochStats;
import dev.distillery.train.TrainListener;
import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress on the console: a live bar with loss and accuracy on a terminal, and one line
 * per epoch when output goes to a file or CI log.
 */
final class ConsoleProgress implements TrainListener {
    private final PrintStream out;
    private final boolean interactive;
    private ProgressBar bar;
    private double lossSum;
    private double accSum;
    private int seen;

    ConsoleProgress(PrintStream out) {
        this.out = out;
        this.interactive = System.console() != null && !"true".equals(System.getenv("CI"));
    }

    @Override
    public void onEpochStart(int epoch, int totalEpochs, int batches) {
        lossSum = 0;
        accSum = 0;
        seen = 0;
        if (interactive) {
            bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch, totalEpochs))
                    .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .continuousUpdate().setUnit(" batches", 1).build();
        }
    }

    @Override
    public void onBatch(int epoch, int batch, double loss, double accuracy) {
        lossSum += loss;
        accSum += accuracy;
        seen++;
        if (bar != null) {
            bar.stepTo(batch);
            bar.setExtraMessage(String.format(" loss %.4f acc %.4f", lossSum / seen, accSum / seen));
        }
    }

    @Override
    public void onEpochEnd(EpochStats s) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        String val = Double.isNaN(s.valAccuracy()) ? "" : String.format("  val loss %.4f  val acc %.4f", s.valLoss(), s.valAccuracy());
        if (Double.isNaN(s.learningRate())) {
            out.printf("solved     loss %.4f  acc %.4f%s  %.1fs%n", s.trainLoss(), s.trainAccuracy(), val, s.seconds());
        } else {
            out.printf("epoch %3d  loss %.4f  acc %.4f%s  lr %.2e  %.1fs  %,.0f ex/s%s%n", s.epoch(), s.trainLoss(),
                    s.trainAccuracy(), val, s.learningRate(), s.seconds(), s.examplesPerSecond(), s.best() ? "  *" : "");
        }
        out.flush();
    }

    @Override
    public void onMessage(String message) {
        out.println(message);
        out.flush();
    }
}
