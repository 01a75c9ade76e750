package dev.distillery.cli;

import dev.distillery.federated.FederateJob;
import dev.distillery.federated.FederatedTraining;
import dev.distillery.federated.Partition;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.ModelSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "federate", mixinStandardHelpOptions = true,
        description = {"Federated training, simulated: the data split over clients that never share it, rounds of FedAvg or "
                + "FedProx (a fraction of the clients train the global model for a few local epochs on their part; the "
                + "coordinator averages their updates, weighted by example counts), optionally through secure aggregation "
                + "(pairwise masks: the coordinator sees only the sum) and with client-level differential privacy. The same "
                + "run trains the references: centralized (pooled data, as many epochs as the clients trained in all) and "
                + "local-only (each client alone).",
                "--epochs is not used here: --rounds and --local-epochs set the training."},
        subcommands = {FederateCommand.CoordinatorCommand.class, FederateCommand.JoinCommand.class},
        footer = {"", "Across processes: 'distillery federate coordinator --test DATA --clients N' and, in each silo, "
                + "'distillery federate join --coordinator URL --data MY-SILO.jsonl'.", "", "Example:", "  distillery federate --data fashion-mnist:train --test fashion-mnist:test --clients 10 "
                + "--split dirichlet:0.3 --rounds 20 --local-epochs 1 --secure-agg"})
final class FederateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The labeled training data, split over the clients: as the argument or --data, as every command takes its data. */
    @Mixin
    DataArgument data;

    @Mixin
    TestSetOptions testSet;

    @Option(names = "--clients", defaultValue = "10", paramLabel = "N", description = "Clients (ignored by by:FIELD). Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--split", defaultValue = "dirichlet:0.3", paramLabel = "HOW",
            description = "dirichlet:ALPHA (label skew; smaller is more skewed), shards:K (K label-sorted shards a client) or "
                    + "by:source or by:folder (one client per record source, or per directory of the sources, e.g. mail folders: natural silos). Default: ${DEFAULT-VALUE}.")
    String split;

    @Mixin
    Rounds schedule;

    @Mixin
    ColumnOptions columns;

    @Option(names = "--algorithm", defaultValue = "fedavg", paramLabel = "A", description = "fedavg or fedprox. Default: ${DEFAULT-VALUE}.")
    String algorithm;

    @Option(names = "--mu", defaultValue = "0.01", paramLabel = "MU", description = "FedProx's proximal weight. Default: ${DEFAULT-VALUE}.")
    double mu;

    @Option(names = "--secure-agg", description = "Aggregate through pairwise-masked secure aggregation.")
    boolean secure;

    @Option(names = "--client-dropout", defaultValue = "0", paramLabel = "P",
            description = "Chance that a chosen client disappears mid-round (secure aggregation recovers its masks). Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--dp-clip", defaultValue = "0", paramLabel = "C",
            description = "Differential privacy: clip each client's update to this norm (0: no DP). Default: ${DEFAULT-VALUE}.")
    double clip;

    @Option(names = "--dp-noise", defaultValue = "1.0", paramLabel = "Z",
            description = "Differential privacy: noise multiplier (noise sd on the sum = Z * C). Default: ${DEFAULT-VALUE}.")
    double noise;

    @Option(names = "--dp-delta", defaultValue = "1e-5", paramLabel = "D", description = "The delta epsilon is reported at. Default: ${DEFAULT-VALUE}.")
    double delta;

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() {
        if (data.argument == null && data.option == null) { // the one command with subcommands that may be meant instead
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing the data: give it as DATA or as --data DATA"
                    + " (or a subcommand: coordinator, join)");
        }
        testSet.check();
        ModelSpec model = federatedModel(options);
        FederatedTraining.Settings federation = new FederatedTraining.Settings(clients, Partition.parse(split), schedule.rounds, schedule.localEpochs, schedule.fraction,
                algorithm, algorithm.equals("fedprox") ? mu : 0, secure, dropout, clip, noise, delta, options.trainConfig().seed(),
                schedule.serverOptimizer, schedule.serverLr());
        Context ctx = Context.fromEnvironment();
        FederateJob.Outcome o = new FederateJob(ctx.catalog().withColumns(columns.names()), ctx.runs(), new ConsoleProgress(System.out)).run(data.ref(), testSet.test, testSet.fraction, model,
                options.trainConfig(), federation, options.optimizer.onError.policy,
                List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
        System.out.println();
        System.out.print(o.run().summary());
        System.out.println("run saved to " + o.run().dir());
        return 0;
    }

    /** How long a federation trains, the same in the simulation and across processes. */
    static final class Rounds {
        @Option(names = "--rounds", defaultValue = "20", paramLabel = "R", description = "Rounds. Default: ${DEFAULT-VALUE}.")
        int rounds;

        @Option(names = "--local-epochs", defaultValue = "1", paramLabel = "E", description = "Epochs each client trains a round. Default: ${DEFAULT-VALUE}.")
        int localEpochs;

        @Option(names = "--fraction", defaultValue = "1.0", paramLabel = "F",
                description = "Share of the (live) clients in each round. Default: ${DEFAULT-VALUE}.")
        double fraction;

        @Option(names = "--server-optimizer", defaultValue = "avg", paramLabel = "NAME",
                description = "How the coordinator applies the mean update: avg (FedAvg), momentum (FedAvgM) or adam (FedAdam: "
                        + "steadier when each client holds few classes). Default: ${DEFAULT-VALUE}.")
        String serverOptimizer;

        @Option(names = "--server-lr", paramLabel = "RATE", description = "The coordinator's step size. Default: 1 for avg and momentum, 0.01 for adam.")
        Double serverLr;

        double serverLr() {
            return serverLr != null ? serverLr : dev.distillery.federated.ServerOptimizer.defaultLr(serverOptimizer);
        }
    }

    static ModelSpec federatedModel(TrainOptions options) {
        ModelSpec model = options.modelSpec();
        if (model instanceof LinearSpec || model instanceof dev.distillery.model.SvmSpec) {
            throw new IllegalArgumentException("--model " + (model instanceof LinearSpec ? "linear" : "svm")
                    + " is fitted in one solve, not by gradient rounds: choose cnn, mlp, ngram or minilm");
        }
        return model;
    }

    @Command(name = "coordinator", mixinStandardHelpOptions = true,
            description = {"Coordinate federated training across processes: clients join over HTTP, each round they fetch the global "
                    + "model, train on their own data and send back their update, masked for secure aggregation (the coordinator "
                    + "sees only the sum). A round waits --round-timeout seconds; clients that do not answer are dropped from it "
                    + "(their masks removed with the secrets the others reveal) and from later rounds until they poll again.",
                    "Binds 127.0.0.1 unless --host says otherwise. The global model is saved as the run's model."})
    static final class CoordinatorCommand implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--test", required = true, paramLabel = "DATA", description = "Labeled test data: the model's input contract and its score.")
        String test;

        @Option(names = "--clients", required = true, paramLabel = "N", description = "Clients to wait for before the first round.")
        int clients;

        @Mixin
        Rounds schedule;

        @Option(names = "--no-secure-agg", description = "Send plain updates instead of masked ones.")
        boolean plain;

        @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address to bind. Default: ${DEFAULT-VALUE}.")
        String host;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "Port (0: a free one, printed). Default: ${DEFAULT-VALUE}.")
        int port;

        @Option(names = "--round-timeout", defaultValue = "120", paramLabel = "S",
                description = "Seconds a round waits for updates, then for revealed secrets. Default: ${DEFAULT-VALUE}.")
        double roundTimeout;

        @Option(names = "--join-timeout", defaultValue = "600", paramLabel = "S", description = "Seconds to wait for every client to join. Default: ${DEFAULT-VALUE}.")
        double joinTimeout;

        @Mixin
        TrainOptions options;

        @Mixin
        ColumnOptions columns;

        @Override
        public Integer call() {
            Context ctx = Context.fromEnvironment();
            var settings = new dev.distillery.federated.Coordinator.Settings(host, port, clients, schedule.rounds, schedule.localEpochs, schedule.fraction, !plain,
                    roundTimeout, joinTimeout, options.trainConfig().seed(), schedule.serverOptimizer, schedule.serverLr());
            FederateJob.Coordinated c = new FederateJob(ctx.catalog().withColumns(columns.names()), ctx.runs(), new ConsoleProgress(System.out)).coordinate(test,
                    federatedModel(options), options.trainConfig(), settings, options.optimizer.onError.policy,
                    p -> System.out.println("coordinator listening on http://" + host + ":" + p + "/ for " + clients + " clients"),
                    List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
            System.out.print(c.run().summary());
            System.out.println("run saved to " + c.run().dir());
            return 0;
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = {"Take part in federated training as one silo: join the coordinator, and for every round train its global "
                    + "model on --data, which never leaves this process, and send back the update (masked unless the coordinator "
                    + "says otherwise). Ends when the coordinator's last round does, with the final global model saved in this run."})
    static final class JoinCommand implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--coordinator", required = true, paramLabel = "URL", description = "The coordinator's address, e.g. http://127.0.0.1:8765/.")
        java.net.URI coordinator;

        @Option(names = "--data", required = true, paramLabel = "DATA", description = "This silo's labeled data.")
        String data;

        @Option(names = "--name", paramLabel = "NAME", description = "A name for this client in the coordinator's log. Default: the data's file name.")
        String name;

        @picocli.CommandLine.Mixin
        OnErrorOption onError;

        @Mixin
        ColumnOptions columns;

        @Override
        public Integer call() {
            Context ctx = Context.fromEnvironment();
            FederateJob.Joined j = new FederateJob(ctx.catalog().withColumns(columns.names()), ctx.runs(), new ConsoleProgress(System.out)).join(data, coordinator,
                    name != null ? name : java.nio.file.Path.of(data).getFileName().toString(), onError.policy,
                    List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
            System.out.print(j.run().summary());
            System.out.println("run saved to " + j.run().dir());
            return 0;
        }
    }
}
