package dev.distillery.cli;

import dev.distillery.data.OnError;
import dev.distillery.data.sources.FashionMnist;
import dev.distillery.model.CnnSpec;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The whole job on real data, embedded: fetch Fashion-MNIST (verified), train the default CNN,",
                "evaluate it on the 10,000 test images, and print a summary. A few minutes on 2 CPU cores."})
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--epochs", paramLabel = "N", defaultValue = "4", description = "Training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        Context ctx = Context.fromEnvironment();
        System.out.println("Distillery quickstart: Fashion-MNIST, default CNN, " + epochs + " epochs, seed " + seed);
        var fashion = ctx.catalog().require(FashionMnist.NAME);
        var report = fashion.fetch(System.out::println);
        System.out.println("data: " + report.origin() + (report.fromCache() ? " (verified cached copy)" : ""));
        TrainConfig config = TrainConfig.defaults().withEpochs(epochs).withSeed(seed);
        TrainSpec spec = new TrainSpec(FashionMnist.NAME + ":train", FashionMnist.NAME + ":test", 0, 0.1, null,
                CnnSpec.DEFAULT, config, OnError.FAIL);
        TrainJob.Outcome outcome = new TrainJob(ctx.catalog(), ctx.runs(), new ConsoleProgress(System.out))
                .run(spec, "quickstart", List.of("--epochs", Integer.toString(epochs), "--seed", Long.toString(seed)));
        Printing.outcome(System.out, outcome);
        return 0;
    }
}
