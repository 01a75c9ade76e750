package dev.distillery.cli;

import dev.distillery.synth.Policy;
import dev.distillery.synth.TextCollapseJob;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "collapse", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The model-collapse lab for text: a word bigram language model is fitted to 70% of the",
                "texts, generates the next generation's texts, and is refitted, for N generations under",
                "each policy: replace (only the newest synthetic texts), accumulate (real + all synthetic",
                "so far), verify (accumulate, keeping only samples the real-data model finds no less likely",
                "than 90% of the real texts, without repeats). Reports held-out perplexity and distinct-2",
                "per generation (table, metrics.jsonl, PNG curves), mean over the seeds."},
        footer = {"", "Example:", "  distillery collapse --data spamassassin --generations 10 --seeds 42,43,44"})
final class CollapseCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DATA", description = "Texts (a data set name or file).")
    String data;

    @Option(names = "--generations", defaultValue = "10", paramLabel = "N", description = "Generations after generation 0. Default: ${DEFAULT-VALUE}.")
    int generations;

    @Option(names = "--policies", split = ",", defaultValue = "replace,accumulate,verify", paramLabel = "P",
            description = "Policies to run. Default: ${DEFAULT-VALUE}.")
    List<String> policies;

    @Option(names = "--seeds", split = ",", defaultValue = "42,43,44", paramLabel = "S", description = "Seeds. Default: ${DEFAULT-VALUE}.")
    List<Long> seeds;

    @Option(names = "--words", defaultValue = "50", paramLabel = "N", description = "Words kept per text. Default: ${DEFAULT-VALUE}.")
    int words;

    @Option(names = "--lambda", defaultValue = "0.8", paramLabel = "L",
            description = "Weight of the bigram against the unigram distribution. Default: ${DEFAULT-VALUE}.")
    double lambda;

    @Mixin
    OnErrorOption onError;

    @Override
    public Integer call() {
        Context ctx = Context.fromEnvironment();
        TextCollapseJob.Spec s = new TextCollapseJob.Spec(data, generations, policies.stream().map(Policy::parse).toList(), seeds, words,
                lambda, onError.policy);
        TextCollapseJob.Outcome o = new TextCollapseJob(ctx.catalog(), ctx.runs(), System.out::println).run(s,
                List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
        System.out.println();
        System.out.print(o.run().summary());
        System.out.println("run saved to " + o.run().dir());
        return 0;
    }
}
