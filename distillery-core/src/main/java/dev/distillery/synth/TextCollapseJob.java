package dev.distillery.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.OnError;
import dev.distillery.curate.DuplicateGroups;
import dev.distillery.data.Splits;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The collapse lab for text: a word bigram language model is fitted to real texts, generates the next
 * generation's texts, and is refitted under each {@link Policy}, for several seeds. Quality is the
 * perplexity on held-out real texts; diversity is distinct-2 of the samples. Under {@code verify} a sample is
 * kept only if the generation-0 model (the one fitted to real data: the teacher) finds it no less likely than
 * 90% of the real training texts, and it is not a repeat of one already kept.
 */
public final class TextCollapseJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAB = "Text collapse lab";

    public record Spec(String data, int generations, List<Policy> policies, List<Long> seeds, int maxWords, double lambda,
            OnError onError) {}

    public record Outcome(Run run, Spec spec, CollapseCurves curves, int trainTexts, int testTexts) {}

    private final DataCatalog catalog;
    private final RunStore runs;
    private final Consumer<String> log;

    public TextCollapseJob(DataCatalog catalog, RunStore runs, Consumer<String> log) {
        this.catalog = catalog;
        this.runs = runs;
        this.log = log == null ? s -> {} : log;
    }

    public Outcome run(Spec spec, List<String> args) {
        return run(spec, catalog.loadDataset(spec.data(), spec.onError(), log), args);
    }

    /** Runs the lab on {@code data}, already loaded by the caller. */
    public Outcome run(Spec spec, Dataset data, List<String> args) {
        if (data.schema().kind() != dev.distillery.data.Schema.Kind.TEXT) {
            throw new IllegalArgumentException(spec.data() + " is not a text data set; the text collapse lab needs texts");
        }
        Splits.Pair split = DuplicateGroups.split(data, 0.3, 42, "train", "held-out").parts();
        List<String> train = split.first().examples().stream().map(Example::text).toList();
        List<String> heldOut = split.second().examples().stream().map(Example::text).toList();
        return new StageRunner(runs).run(Stage.<Spec, Outcome>named("collapse", spec)
                .seeded(spec.seeds().get(0))
                .reads(catalog.inputFiles(spec.data(), log))
                .does(run -> execute(run, spec, train, heldOut))
                .reports(TextCollapseJob::results, TextCollapseJob::summary), args);
    }

    private Outcome execute(Run run, Spec spec, List<String> train, List<String> heldOut) {
        Map<String, Integer> vocab = BigramLanguageModel.vocabulary(train, spec.maxWords(), 2);
        log.accept(String.format("%,d training texts, %,d held out, vocabulary %,d words; %d generations x %s x %d seeds", train.size(),
                heldOut.size(), vocab.size(), spec.generations(), spec.policies(), spec.seeds().size()));
        BigramLanguageModel teacher = BigramLanguageModel.fit(train, vocab, spec.maxWords(), spec.lambda());
        double[] realScores = train.stream().mapToDouble(t -> teacher.perplexity(t, spec.maxWords())).sorted().toArray();
        double cutoff = realScores[(int) Math.floor(0.9 * (realScores.length - 1))];
        CollapseLoop<String, BigramLanguageModel> loop = new CollapseLoop<>(new CollapseLoop.Family<>() {
            @Override
            public BigramLanguageModel fit(List<String> texts, java.util.Random rng) {
                return BigramLanguageModel.fit(texts, vocab, spec.maxWords(), spec.lambda());
            }

            @Override
            public List<String> sample(BigramLanguageModel model, int n, java.util.Random rng) {
                return model.sample(n, spec.maxWords(), rng);
            }

            @Override
            public Map<String, Double> measure(BigramLanguageModel model, List<String> samples) {
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("perplexity", model.perplexity(heldOut, spec.maxWords()));
                m.put("distinct_2", Diversity.distinctN(samples, 2));
                m.put("words_seen", (double) model.wordsSeen());
                return m;
            }
        });
        Map<Policy, List<List<CollapseLoop.Generation>>> curves = new LinkedHashMap<>();
        for (Policy p : spec.policies()) {
            List<List<CollapseLoop.Generation>> perSeed = new ArrayList<>();
            for (long seed : spec.seeds()) {
                List<CollapseLoop.Generation> gens = loop.run(train, p, spec.generations(), train.size(), samples -> {
                    Set<String> seen = new HashSet<>();
                    return samples.stream().filter(s -> !s.isBlank() && teacher.perplexity(s, spec.maxWords()) <= cutoff && seen.add(s)).toList();
                }, seed, g -> {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("policy", p.label());
                    line.put("seed", seed);
                    line.put("generation", g.index());
                    line.put("training_texts", g.trainingSize());
                    line.put("kept", g.kept());
                    line.putAll(g.metrics());
                    run.appendMetrics(line);
                    log.accept(String.format("%-10s seed %d  gen %2d  perplexity %8.1f  distinct-2 %.3f  words seen %,6.0f  kept %,d of %,d",
                            p.label(), seed, g.index(), g.metrics().get("perplexity"), g.metrics().get("distinct_2"),
                            g.metrics().get("words_seen"), g.kept(), g.sampled()));
                });
                perSeed.add(gens);
            }
            curves.put(p, perSeed);
        }
        Outcome o = new Outcome(run, spec, new CollapseCurves(curves), train.size(), heldOut.size());
        o.curves().plot(LAB, "perplexity", "held-out perplexity", run.plotsDir().resolve("perplexity.png"));
        o.curves().plot(LAB, "distinct_2", "distinct 2-grams of the samples", run.plotsDir().resolve("distinct-2.png"));
        return o;
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("train_texts", o.trainTexts());
        r.put("held_out_texts", o.testTexts());
        Map<String, Object> perPolicy = new LinkedHashMap<>();
        o.curves().byPolicy().keySet().forEach(p -> perPolicy.put(p.label(), Map.of("perplexity", o.curves().mean(p, "perplexity"),
                "distinct_2", o.curves().mean(p, "distinct_2"), "words_seen", o.curves().mean(p, "words_seen"))));
        r.put("mean_over_seeds", perPolicy);
        if (o.curves().has(Policy.REPLACE)) {
            double[] ppl = o.curves().mean(Policy.REPLACE, "perplexity");
            r.put("replace_degradation", ppl[ppl.length - 1] / ppl[0] - 1);
        }
        if (o.curves().has(Policy.ACCUMULATE) && o.curves().has(Policy.VERIFY)) {
            double[] acc = o.curves().mean(Policy.ACCUMULATE, "perplexity");
            double[] ver = o.curves().mean(Policy.VERIFY, "perplexity");
            r.put("verify_vs_accumulate", acc[acc.length - 1] - ver[ver.length - 1]);
        }
        return r;
    }

    static String summary(Outcome o) {
        StringBuilder sb = new StringBuilder("# Text collapse lab " + o.run().id() + "\n\n");
        sb.append(String.format("Word bigram model, %,d training texts, %,d held out; mean of %d seeds.%n%n", o.trainTexts(), o.testTexts(),
                o.spec().seeds().size()));
        sb.append("| generation |");
        o.curves().byPolicy().keySet().forEach(p -> sb.append(' ').append(p.label()).append(" perplexity | ").append(p.label()).append(" distinct-2 |"));
        sb.append("\n|---|");
        o.curves().byPolicy().keySet().forEach(p -> sb.append("---|---|"));
        sb.append('\n');
        for (int g = 0; g <= o.spec().generations(); g++) {
            sb.append("| ").append(g).append(" |");
            for (Policy p : o.curves().byPolicy().keySet()) {
                sb.append(String.format(" %.1f | %.3f |", o.curves().mean(p, "perplexity")[g], o.curves().mean(p, "distinct_2")[g]));
            }
            sb.append('\n');
        }
        return sb.append("\nCurves: `plots/perplexity.png`, `plots/distinct-2.png`; every generation of every seed in `metrics.jsonl`.\n").toString();
    }
}
