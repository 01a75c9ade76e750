package dev.distillery.report;

import dev.distillery.train.EpochStats;
import dev.distillery.util.AtomicFiles;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** PNG charts for run directories. Rendering needs {@code java.awt.headless=true} on servers. */
public final class Plots {
    private Plots() {}

    /** Loss and accuracy per epoch, training and validation: one PNG for each. */
    public static void trainingCurves(List<EpochStats> history, Path lossPng, Path accuracyPng) {
        double[] epochs = history.stream().mapToDouble(EpochStats::epoch).toArray();
        XYChart loss = chart("Loss per epoch", "epoch", "cross-entropy");
        series(loss, "train", epochs, history.stream().mapToDouble(EpochStats::trainLoss).toArray());
        double[] valLoss = history.stream().mapToDouble(EpochStats::valLoss).toArray();
        if (!Double.isNaN(valLoss[0])) {
            series(loss, "validation", epochs, valLoss);
        }
        XYChart acc = chart("Accuracy per epoch", "epoch", "accuracy");
        series(acc, "train", epochs, history.stream().mapToDouble(EpochStats::trainAccuracy).toArray());
        double[] valAcc = history.stream().mapToDouble(EpochStats::valAccuracy).toArray();
        if (!Double.isNaN(valAcc[0])) {
            series(acc, "validation", epochs, valAcc);
        }
        save(loss, lossPng);
        save(acc, accuracyPng);
    }

    static XYChart chart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(6);
        return chart;
    }

    static void series(XYChart chart, String name, double[] x, double[] y) {
        chart.addSeries(name, x, y);
    }

    /** Saves a chart as PNG, atomically. */
    public static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path png) {
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
