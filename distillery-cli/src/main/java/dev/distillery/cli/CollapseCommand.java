package dev.distillery.cli;

import dev.distillery.data.Dataset;
import dev.distillery.data.Schema;
import dev.distillery.synth.ConditionalVae;
import dev.distillery.synth.ImageCollapseJob;
import dev.distillery.synth.Policy;
import dev.distillery.synth.TextCollapseJob;
import dev.distillery.run.Run;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "collapse", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The model-collapse lab: a generative model is fitted to real data, generates the next generation's " +
                        "data, and is refitted, for N generations under each policy: replace (only the newest synthetic " +
                        "data), accumulate (real + all synthetic so far), verify (accumulate, keeping only samples that pass " +
                        "a check made with a model of the real data).",
                "Mean over the seeds.",
                "",
                "Texts: a word bigram language model on 70%% of the texts; quality is the perplexity on the held-out " +
                        "30%%, diversity distinct-2; verify keeps samples the real-data model finds no less likely than 90%% " +
                        "of the real texts, without repeats.",
                "Images: a class-conditional VAE on --real labeled images; quality is the test accuracy of a " +
                        "classifier trained only on the generation's images, distance the Frechet distance to the test images" +
                        " in the feature space of a CNN trained once on the real images (the teacher); verify keeps samples " +
                        "the teacher gives their intended class with >= --min-confidence.",
                "Writes a table, metrics.jsonl and PNG curves (and, for images, sample grids)."},
        footer = {"", "Examples:", "  distillery collapse --data spamassassin --generations 10 --seeds 42,43,44",
                "  distillery collapse --data fashion-mnist --test fashion-mnist:test --generations 5"})
final class CollapseCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    DataArgument dataArgument;

    @Option(names = "--test", paramLabel = "DATA", description = "Images only: labeled test images (e.g. fashion-mnist:test).")
    String test;

    @Option(names = "--generations", defaultValue = "10", paramLabel = "N", description = "Generations after generation 0. Default: ${DEFAULT-VALUE}.")
    int generations;

    @Option(names = "--policies", split = ",", defaultValue = "replace,accumulate,verify", paramLabel = "P",
            description = "Policies to run. Default: ${DEFAULT-VALUE}.")
    List<String> policies;

    @Option(names = "--seeds", split = ",", defaultValue = "42,43,44", paramLabel = "S", description = "Seeds. Default: ${DEFAULT-VALUE}.")
    List<Long> seeds;

    @Option(names = "--words", defaultValue = "50", paramLabel = "N", description = "Texts: words kept per text. Default: ${DEFAULT-VALUE}.")
    int words;

    @Option(names = "--lambda", defaultValue = "0.8", paramLabel = "L",
            description = "Texts: weight of the bigram against the unigram distribution. Default: ${DEFAULT-VALUE}.")
    double lambda;

    @Option(names = "--real", defaultValue = "6000", paramLabel = "N",
            description = "Images: real labeled images (a stratified sample); each generation samples as many. Default: ${DEFAULT-VALUE}.")
    int real;

    @Option(names = "--vae-steps", defaultValue = "2000", paramLabel = "N",
            description = "Images: training steps (batches of 64) of each generation's VAE. Default: ${DEFAULT-VALUE}.")
    int vaeSteps;

    @Option(names = "--min-confidence", defaultValue = "0.5", paramLabel = "P",
            description = "Images, verify: the teacher's minimum probability of the intended class. Default: ${DEFAULT-VALUE}.")
    double minConfidence;

    @Option(names = "--classifier-epochs", defaultValue = "10", paramLabel = "N",
            description = "Images: epochs of the per-generation classifier (the teacher gets twice as many). Default: ${DEFAULT-VALUE}.")
    int classifierEpochs;

    @Mixin
    OnErrorOption onError;

    @Mixin
    ColumnOptions columns;

    @Override
    public Integer call() {
        String data = dataArgument.ref();
        Context ctx = Context.fromEnvironment();
        List<String> args = List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new));
        List<Policy> parsed = policies.stream().map(Policy::parse).toList();
        dev.distillery.data.sources.DataCatalog catalog = columns.applyTo(ctx.catalog());
        Dataset loaded = catalog.loadDataset(data, onError.policy, System.out::println);
        Run run;
        if (loaded.schema().kind() == Schema.Kind.TEXT) {
            TextCollapseJob.Spec s = new TextCollapseJob.Spec(data, generations, parsed, seeds, words, lambda, onError.policy);
            run = new TextCollapseJob(catalog, ctx.runs(), System.out::println).run(s, loaded, args).run();
        } else if (!dev.distillery.transform.ImageTransforms.handles(loaded.schema())) {
            // A table (or a CSV whose text column has another name) was taken for images and asked for --test images.
            boolean table = loaded.schema().featureShape().size() == 1;
            throw new IllegalArgumentException(data + " was read as " + dev.distillery.data.InputCheck.describe(
                    loaded.schema()) + ": the lab generates texts and one-channel images" + (table ? " (if a column holds the"
                    + " text, name it with --text-column)" : ""));
        } else {
            if (test == null) {
                throw new ParameterException(spec.commandLine(), data + " holds images: give labeled test images with --test (e.g. "
                        + data + ":test)");
            }
            ImageCollapseJob.Spec s = new ImageCollapseJob.Spec(data, test, real, generations, parsed, seeds,
                    ConditionalVae.Settings.DEFAULT.withSteps(vaeSteps), minConfidence, 2 * classifierEpochs, classifierEpochs, onError.policy);
            run = new ImageCollapseJob(catalog, ctx.runs(), System.out::println).run(s, loaded, args).run();
        }
        System.out.println();
        System.out.print(run.summary());
        System.out.println("run saved to " + run.dir());
        return 0;
    }
}
