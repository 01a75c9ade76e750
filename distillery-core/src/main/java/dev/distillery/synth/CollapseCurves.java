package dev.distillery.synth;

import dev.distillery.report.Plots;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The collapse lab's measurements: per policy, per seed, one entry per generation; averaged over seeds for tables and plots. */
public record CollapseCurves(Map<Policy, List<List<CollapseLoop.Generation>>> byPolicy) {
    /** Mean of {@code metric} over seeds, per generation. */
    public double[] mean(Policy p, String metric) {
        List<List<CollapseLoop.Generation>> runs = byPolicy.get(p);
        double[] m = new double[runs.get(0).size()];
        for (List<CollapseLoop.Generation> r : runs) {
            for (int g = 0; g < m.length; g++) {
                m[g] += r.get(g).metrics().get(metric) / runs.size();
            }
        }
        return m;
    }

    public boolean has(Policy p) {
        return byPolicy.containsKey(p);
    }

    /** The last generation's mean of {@code metric} under {@code p}. */
    public double last(Policy p, String metric) {
        double[] m = mean(p, metric);
        return m[m.length - 1];
    }

    /** One curve per policy of the seed-mean of {@code metric} against the generation. */
    public void plot(String lab, String metric, String title, Path png) {
        var chart = new org.knowm.xchart.XYChartBuilder().width(720).height(460).title(lab + ": " + title)
                .xAxisTitle("generation").yAxisTitle(metric).build();
        byPolicy.keySet().forEach(p -> {
            double[] y = mean(p, metric);
            double[] x = new double[y.length];
            Arrays.setAll(x, i -> i);
            chart.addSeries(p.label(), x, y);
        });
        Plots.save(chart, png);
    }
}
