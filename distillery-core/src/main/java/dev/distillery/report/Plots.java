package dev.distillery.report;

import dev.distillery.util.AtomicFiles;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** PNG charts for run directories. Rendering needs {@code java.awt.headless=true} on servers. */
public final class Plots {
    private Plots() {}

    /**
     * A line chart of named series over one x axis, saved as PNG; a series that is all NaN (a figure the run did not
     * have, such as validation loss without a validation set) is left out.
     */
    public static void lines(Path png, String title, String xTitle, String yTitle, double[] x,
            java.util.Map<String, double[]> series) {
        XYChart chart = chart(title, xTitle, yTitle);
        series.forEach((name, y) -> {
            if (java.util.Arrays.stream(y).anyMatch(v -> !Double.isNaN(v))) {
                series(chart, name, x, y);
            }
        });
        save(chart, png);
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
