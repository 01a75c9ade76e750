package dev.distillery.label;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.InputCheck;
import dev.distillery.data.MissingValues;
import dev.distillery.data.Dataset;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.ModelSpec;
import dev.distillery.report.Plots;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.train.TextColumnChoice;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code label simulate} command as a library call: learning curves per strategy, recorded and plotted. */
public final class ActiveLearningJob {
    static final ObjectMapper JSON = new ObjectMapper();

    public record Outcome(Run run, ActiveLearningSimulation.Settings settings, Map<Strategy, List<ActiveLearningSimulation.Point>> curves) {
        public int labelsToTarget(Strategy s) {
            return ActiveLearningSimulation.labelsToReach(curves.get(s), settings.target());
        }
    }

    private final DataCatalog catalog;
    private final RunStore runs;
    private final TrainListener listener;

    public ActiveLearningJob(DataCatalog catalog, RunStore runs, TrainListener listener) {
        this.catalog = catalog;
        this.runs = runs;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    public Outcome run(String poolRef, String testRef, ModelSpec spec, TrainConfig config, ActiveLearningSimulation.Settings settings,
            List<Strategy> strategies, OnError onError, List<String> args) {
        // one of a table's free-text columns or its other columns, whichever the linear model cross-validates better on
        // (the pool's labels only; the test set is not looked at), as train and label issues read a table
        DataCatalog catalog = spec != null ? this.catalog : this.catalog.withColumns(
                TextColumnChoice.forAllLabels(poolRef, this.catalog.columns(), this.catalog, onError, config.seed(), listener));
        Dataset read = catalog.loadDataset(poolRef, onError, listener::onMessage);
        InputCheck.notClasses(read, poolRef, catalog.columns().label());
        Dataset pool = InputCheck.labeledOnly(MissingValues.learn(read, listener::onMessage),
                "used (a simulation buys labels the pool already holds)", listener::onMessage);
        Dataset testRead = catalog.loadDataset(testRef, onError, listener::onMessage);
        Dataset test = InputCheck.conform(InputCheck.scored(MissingValues.fill(testRead, pool.schema(), listener::onMessage), testRef,
                pool.schema(), listener::onMessage), pool.schema(), InputCheck.Labels.MUST_BE_KNOWN);
        ModelSpec model = spec; // none named: each round's --model auto choice (ActiveLearningSimulation)
        if (model instanceof dev.distillery.model.NgramBagSpec) {
            InputCheck.wholeWordsWarning(pool.examples()).ifPresent(listener::onMessage);
        }
        Settings recorded = new Settings(poolRef, testRef, model, config, settings, strategies.stream().map(Strategy::label).toList());
        List<Path> inputs = new ArrayList<>(catalog.inputFiles(poolRef, listener::onMessage));
        inputs.addAll(catalog.inputFiles(testRef, listener::onMessage));
        return new StageRunner(runs).run(Stage.<Settings, Outcome>named("label simulate", recorded)
                .seeded(config.seed())
                .reads(inputs)
                .does(run -> {
                    var curves = new ActiveLearningSimulation(model, config, settings, listener, run.checkpointDir())
                            .run(pool, test, strategies);
                    Outcome o = new Outcome(run, settings, curves);
                    plot(o, run.plotsDir().resolve("learning-curves.png"));
                    return o;
                })
                .reports(ActiveLearningJob::results, ActiveLearningJob::summary), args);
    }

    /** The recorded configuration of a simulation ({@code model} null: each round fits what {@code --model auto} chooses). */
    public record Settings(String pool, String test, ModelSpec model, TrainConfig train,
            ActiveLearningSimulation.Settings settings, List<String> strategies) {}

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target_accuracy", o.settings().target());
        Map<String, Object> curves = new LinkedHashMap<>();
        Map<String, Object> needed = new LinkedHashMap<>();
        o.curves().forEach((s, points) -> {
            curves.put(s.label(), points);
            needed.put(s.label(), o.labelsToTarget(s));
        });
        r.put("labels_to_target", needed);
        r.put("curves", curves);
        return r;
    }

    static String summary(Outcome o) {
        StringBuilder sb = new StringBuilder("# Active learning " + o.run().id() + "\n\n");
        sb.append(String.format("Labels needed to reach test accuracy %.2f (first round at or above it; -1: not within the budget "
                + "of %,d):%n%n| strategy | labels | final accuracy |%n|---|---|---|%n", o.settings().target(), o.settings().budget()));
        o.curves().forEach((s, points) -> sb.append(String.format("| %s | %d | %.4f |%n", s.label(), o.labelsToTarget(s),
                points.get(points.size() - 1).accuracy())));
        sb.append("\nCurves: `plots/learning-curves.png`; points in `results.json`.\n");
        return sb.toString();
    }

    static void plot(Outcome o, Path png) {
        var chart = new org.knowm.xchart.XYChartBuilder().width(720).height(460).title("Active learning")
                .xAxisTitle("labels bought").yAxisTitle("test accuracy").build();
        o.curves().forEach((s, points) -> chart.addSeries(s.label(),
                points.stream().mapToDouble(ActiveLearningSimulation.Point::labels).toArray(),
                points.stream().mapToDouble(ActiveLearningSimulation.Point::accuracy).toArray()));
        double[] xs = {o.settings().initial(), o.settings().budget()};
        chart.addSeries("target", xs, new double[] {o.settings().target(), o.settings().target()})
                .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        Plots.save(chart, png);
    }
}
