package dev.distillery.federated;

import dev.distillery.curate.DuplicateGroups;
import dev.distillery.data.Dataset;
import dev.distillery.data.MissingValues;
import dev.distillery.data.Example;
import dev.distillery.data.InputCheck;
import dev.distillery.data.OnError;
import dev.distillery.data.Schema;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.Classifier;
import dev.distillery.model.ModelSpec;
import dev.distillery.report.Plots;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code distillery federate} as a library call: the simulation of {@link FederatedTraining}, recorded as a run. */
public final class FederateJob {
    /**
     * The recorded configuration.
     *
     * @param testFraction the share of {@code data} held out for testing when {@code test} is null, else null
     */
    public record Settings(String data, String test, Double testFraction, ModelSpec model, TrainConfig local,
            FederatedTraining.Settings federation) {}

    public record Outcome(Run run, Settings settings, FederatedTraining.Outcome result) {}

    private final DataCatalog catalog;
    private final RunStore runs;
    private final TrainListener listener;

    public FederateJob(DataCatalog catalog, RunStore runs, TrainListener listener) {
        this.catalog = catalog;
        this.runs = runs;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /**
     * Simulates the federation on {@code dataRef}'s labeled records, scored on {@code testRef} or, when that is null, on
     * the stratified {@code testFraction} held out of {@code dataRef} before it is split over the clients.
     */
    public Outcome run(String dataRef, String testRef, double testFraction, ModelSpec spec, TrainConfig local,
            FederatedTraining.Settings federation, OnError onError, List<String> args) {
        Dataset all = catalog.loadDataset(dataRef, onError, listener::onMessage);
        InputCheck.notClasses(all, dataRef, catalog.columns().label());
        Dataset labeled = all.filter(dataRef, Example::hasLabel);
        if (labeled.size() < all.size()) {
            listener.onMessage(String.format("%,d of %,d records of %s have no label and are not trained on", all.size() - labeled.size(),
                    all.size(), dataRef));
        }
        TrainJob.HeldOut parts = testRef == null
                ? TrainJob.holdOutTest(new DuplicateGroups(), labeled, testFraction, federation.seed(), listener::onMessage)
                : testSet(MissingValues.learn(labeled, listener::onMessage), testRef, onError);
        Dataset train = parts.train();
        Dataset test = InputCheck.scored(parts.test(), testRef != null ? testRef : "the test part of " + dataRef, train.schema(),
                listener::onMessage);
        ModelSpec model = networkFor(spec, train.schema());
        Settings settings = new Settings(dataRef, testRef, testRef == null ? testFraction : null, model, local, federation);
        List<Path> inputs = new ArrayList<>(catalog.inputFiles(dataRef, listener::onMessage));
        if (testRef != null) {
            inputs.addAll(catalog.inputFiles(testRef, listener::onMessage));
        }
        return new StageRunner(runs).run(Stage.<Settings, Outcome>named("federate", settings)
                .seeded(federation.seed())
                .reads(inputs)
                .does(run -> {
                    FederatedTraining.Outcome o = new FederatedTraining(model, local, federation, listener).run(train, test, round -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("round", round.round());
                        m.put("test_accuracy", round.testAccuracy());
                        m.put("test_loss", round.testLoss());
                        m.put("clients", round.clients());
                        m.put("dropped", round.dropped());
                        m.put("secure_agg_max_abs_diff", round.secureAggMaxAbsDiff());
                        m.put("bytes_up", round.bytesUp());
                        m.put("bytes_down", round.bytesDown());
                        run.appendMetrics(m);
                        listener.onMessage(String.format("round %3d  test accuracy %.4f  loss %.4f  clients %d%s", round.round(),
                                round.testAccuracy(), round.testLoss(), round.clients().size() - round.dropped().size(),
                                round.dropped().isEmpty() ? "" : " (" + round.dropped().size() + " dropped out)"));
                    });
                    Outcome out = new Outcome(run, settings, o);
                    plot(out, run.plotsDir().resolve("accuracy-per-round.png"));
                    return out;
                })
                .reports(FederateJob::results, FederateJob::summary), args);
    }

    /** {@code train} with the test set {@code testRef}, read for the model {@code train} makes. */
    private TrainJob.HeldOut testSet(Dataset train, String testRef, OnError onError) {
        Dataset test = InputCheck.conform(catalog.loadDatasetFor(testRef, train.schema(), onError, listener::onMessage), train.schema(),
                InputCheck.Labels.MUST_BE_KNOWN);
        return new TrainJob.HeldOut(train, test, null);
    }

    /** The recorded configuration of a coordinator. */
    public record CoordinatorSettings(String test, ModelSpec model, TrainConfig local, Coordinator.Settings federation) {}

    public record Coordinated(Run run, Coordinator.Result result) {}

    /** The model named, or (auto) the network for data of {@code schema}, said: a federation trains a network in rounds. */
    private ModelSpec networkFor(ModelSpec named, Schema schema) {
        if (named != null) {
            return named;
        }
        ModelSpec model = ModelSpec.defaultFor(schema); // choosing by cross-validation would need every client's data in one place
        listener.onMessage("model: " + model + ", the network for this kind of data (federated training trains a network"
                + " in rounds of steps; name another with --model)");
        return model;
    }

    /**
     * Runs a coordinator until every round is done: {@code onListening} gets its port once clients can join. The global
     * model is saved as the run's model, for eval, predict and export.
     */
    public Coordinated coordinate(String testRef, ModelSpec spec, TrainConfig local, Coordinator.Settings federation, OnError onError,
            java.util.function.IntConsumer onListening, List<String> args) {
        // The coordinator holds only the test data: its medians are the fill values every client and the model use.
        Dataset read = MissingValues.learn(catalog.loadDataset(testRef, onError, listener::onMessage), listener::onMessage);
        Dataset test = InputCheck.scored(read, testRef, read.schema(), listener::onMessage);
        ModelSpec model = networkFor(spec, test.schema());
        return new StageRunner(runs).run(Stage.<CoordinatorSettings, Coordinated>named("federate coordinator",
                        new CoordinatorSettings(testRef, model, local, federation))
                .seeded(federation.seed())
                .reads(catalog.inputFiles(testRef, listener::onMessage))
                .does(run -> {
                    try (Coordinator c = new Coordinator(model, local, test, federation).start()) {
                        onListening.accept(c.port());
                        Coordinator.Result r = c.run(round -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("round", round.round());
                            m.put("attempts", round.attempts());
                            m.put("test_accuracy", round.testAccuracy());
                            m.put("test_loss", round.testLoss());
                            m.put("clients", round.participants());
                            m.put("dropped", round.dropped());
                            m.put("bytes_up", round.bytesUp());
                            m.put("bytes_down", round.bytesDown());
                            run.appendMetrics(m);
                            listener.onMessage(String.format("round %3d  test accuracy %.4f  loss %.4f  clients %d%s%s", round.round(),
                                    round.testAccuracy(), round.testLoss(), round.participants().size() - round.dropped().size(),
                                    round.dropped().isEmpty() ? "" : " (dropped out: " + round.dropped() + ")",
                                    round.attempts() > 1 ? " after " + round.attempts() + " attempts" : ""));
                        }, listener::onMessage);
                        try (Classifier global = c.model(r.global())) {
                            global.save(run.modelDir(), Map.of("federated_rounds", r.rounds().size(), "clients", r.clientNames().size()));
                        }
                        return new Coordinated(run, r);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                })
                .reports(FederateJob::coordinatorResults, c -> "# Federated coordinator " + c.run().id() + "\n\n"
                        + c.result().rounds().size() + " rounds with clients " + c.result().clientNames().values() + "; final test accuracy "
                        + String.format("%.4f", last(c).testAccuracy()) + ".\n\nPer round: `metrics.jsonl`. Model: `model/`.\n"), args);
    }

    private static Coordinator.Round last(Coordinated c) {
        return c.result().rounds().get(c.result().rounds().size() - 1);
    }

    static Map<String, Object> coordinatorResults(Coordinated c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("test_accuracy", last(c).testAccuracy());
        m.put("test_loss", last(c).testLoss());
        m.put("rounds", c.result().rounds().size());
        m.put("clients", c.result().clientNames().size());
        m.put("rounds_with_dropouts", c.result().rounds().stream().filter(r -> !r.dropped().isEmpty()).count());
        m.put("bytes_per_round", c.result().rounds().stream().mapToLong(r -> r.bytesUp() + r.bytesDown()).average().orElse(0));
        return m;
    }

    /** The recorded configuration of a client. */
    public record JoinSettings(String data, String coordinator, String name) {}

    public record Joined(Run run, FederatedClient.Outcome outcome) {}

    /** Joins the coordinator at {@code coordinator} with the local data {@code dataRef} and takes part until the last round. */
    public Joined join(String dataRef, java.net.URI coordinator, String name, OnError onError, List<String> args) {
        Dataset data = catalog.loadDataset(dataRef, onError, listener::onMessage).filter(dataRef, Example::hasLabel);
        return new StageRunner(runs).run(Stage.<JoinSettings, Joined>named("federate join", new JoinSettings(dataRef, coordinator.toString(), name))
                .reads(catalog.inputFiles(dataRef, listener::onMessage))
                .does(run -> {
                    try {
                        FederatedClient.Outcome o = new FederatedClient(coordinator, name).run(data, listener::onMessage);
                        try (Classifier global = Classifier.create(o.spec(), o.schema())) {
                            ModelWeights.of(global.initializeWeights(0)).unflat(o.finalWeights()).into(global);
                            global.save(run.modelDir(), Map.of("federated_client", o.client()));
                        }
                        return new Joined(run, o);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("federation with " + coordinator + " failed: " + e.getMessage(), e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                })
                .reports(j -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("client", j.outcome().client());
                    m.put("examples", data.size());
                    m.put("rounds_trained", j.outcome().roundsTrained());
                    m.put("reveals", j.outcome().reveals());
                    m.put("bytes_sent", j.outcome().bytesSent());
                    m.put("bytes_received", j.outcome().bytesReceived());
                    return m;
                }, j -> "# Federated client " + j.run().id() + "\n\nclient " + j.outcome().client() + " of " + coordinator + ": trained "
                        + j.outcome().roundsTrained() + " rounds on " + data.size() + " local examples, sent " + j.outcome().bytesSent()
                        + " bytes (updates and keys only). The final global model: `model/`.\n"), args);
    }

    static Map<String, Object> results(Outcome o) {
        FederatedTraining.Outcome r = o.result();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fedavg_accuracy", r.fedavgAccuracy());
        m.put("centralized_accuracy", r.centralizedAccuracy());
        m.put("local_only_accuracy", r.localOnlyAccuracy());
        m.put("ratio_to_centralized", r.ratioToCentralized());
        if (o.settings().federation().secure()) {
            m.put("secure_agg_max_abs_diff", r.secureAggMaxAbsDiff());
        }
        m.put("bytes_per_round", r.bytesPerRound());
        m.put("bytes_per_client_round", r.bytesPerClientRound());
        if (o.settings().federation().privacy()) {
            m.put("epsilon", r.epsilon());
            m.put("delta", o.settings().federation().delta());
        }
        m.put("clients", r.clientSizes().size());
        m.put("client_examples", r.clientSizes());
        m.put("local_only_accuracies", r.localAccuracies());
        m.put("centralized_epochs", r.centralizedEpochs());
        return m;
    }

    static String summary(Outcome o) {
        FederatedTraining.Outcome r = o.result();
        FederatedTraining.Settings f = o.settings().federation();
        StringBuilder sb = new StringBuilder("# Federated training " + o.run().id() + "\n\n");
        sb.append(String.format("%s of %s, %d clients (%s, examples %s), %d round%s of %d local epoch%s, fraction %.2f,"
                + " server step %s at %.3g%s%s%n%n", f.algorithm(), o.settings().model(), r.clientSizes().size(), f.split(),
                r.clientSizes(), f.rounds(), f.rounds() == 1 ? "" : "s", f.localEpochs(), f.localEpochs() == 1 ? "" : "s",
                f.fraction(), f.serverOptimizer(), f.serverLr(),
                f.secure() ? ", secure aggregation" : "", f.privacy() ? String.format(", DP clip %.3g noise %.3g", f.clip(), f.noise()) : ""));
        sb.append("| training | test accuracy |\n|---|---|\n");
        sb.append(String.format("| federated (%s) | %.4f |%n| centralized (%d epochs on the pooled data) | %.4f |%n| local only (mean over clients) | %.4f |%n",
                f.algorithm(), r.fedavgAccuracy(), r.centralizedEpochs(), r.centralizedAccuracy(), r.localOnlyAccuracy()));
        sb.append(String.format("%nfederated / centralized: %.3f. Bytes per round %,.0f (per client %,.0f).%n", r.ratioToCentralized(),
                r.bytesPerRound(), r.bytesPerClientRound()));
        if (f.secure()) {
            sb.append(String.format("Secure aggregation: largest difference from the plain average over all rounds %.2e.%n", r.secureAggMaxAbsDiff()));
        }
        if (f.privacy()) {
            sb.append(String.format("Differential privacy (client level): epsilon %.3f at delta %.1e (RDP accountant, sampled Gaussian).%n",
                    r.epsilon(), f.delta()));
        }
        return sb.append("\nPlot: `plots/accuracy-per-round.png`; per round: `metrics.jsonl`.\n").toString();
    }

    static void plot(Outcome o, Path png) {
        List<FederatedTraining.Round> rounds = o.result().rounds();
        double[] x = rounds.stream().mapToDouble(FederatedTraining.Round::round).toArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put(o.settings().federation().algorithm(), rounds.stream().mapToDouble(FederatedTraining.Round::testAccuracy).toArray());
        series.put("centralized", constant(x.length, o.result().centralizedAccuracy()));
        series.put("local only (mean)", constant(x.length, o.result().localOnlyAccuracy()));
        Plots.lines(png, "Test accuracy per round", "round", "accuracy", x, series);
    }

    private static double[] constant(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
