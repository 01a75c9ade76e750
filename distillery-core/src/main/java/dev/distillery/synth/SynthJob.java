package dev.distillery.synth;

import dev.distillery.data.InputCheck;
import dev.distillery.curate.QualityFilter;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.JsonlFormat;
import dev.distillery.data.OnError;
import dev.distillery.data.Schema;
import dev.distillery.data.Splits;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.Classifier;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.util.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The synth command as a library call: a generator proposes candidates from the labeled examples, the
 * teacher, leakage and novelty checks (and, for text, quality rules) accept or reject each with a reason,
 * and the accepted candidates are written as a labeled JSON Lines data set any command can train on.
 */
public final class SynthJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to synthesize and how strictly to verify it. Similarities are the Jaccard of word 5-grams for text and the
     * cosine of pixels for images; a null {@code leakage} or {@code novelty} takes the default for the data's kind.
     */
    public record Spec(String data, String test, String labeled, int candidates, double minConfidence, Double leakage,
            Double novelty, boolean verify, long seed, OnError onError, List<String> generators) {
        /** Images: augment and cvae; text: eda, and chat when a chat server is configured. */
        public Spec(String data, String test, String labeled, int candidates, double minConfidence, Double leakage, Double novelty,
                boolean verify, long seed, OnError onError) {
            this(data, test, labeled, candidates, minConfidence, leakage, novelty, verify, seed, onError, null);
        }

        Spec resolved(Schema.Kind kind, boolean chat) {
            boolean text = kind == Schema.Kind.TEXT;
            List<String> gens = generators != null && !generators.isEmpty() ? generators
                    : text ? (chat ? List.of("eda", "chat") : List.of("eda")) : List.of("augment", "cvae");
            return new Spec(data, test, labeled, candidates, minConfidence, leakage != null ? leakage : text ? 0.8 : 0.98,
                    novelty != null ? novelty : text ? 0.9 : 0.995, verify, seed, onError, gens);
        }
    }

    public record Outcome(Run run, Path output, int seeds, VerifierChain.Report<?> report, int written) {}

    private final DataCatalog catalog;
    private final RunStore runs;
    private final Consumer<String> log;
    private final ChatClient chat;
    private final PromptTemplate prompt;

    public SynthJob(DataCatalog catalog, RunStore runs, Consumer<String> log) {
        this(catalog, runs, log, null, null);
    }

    private SynthJob(DataCatalog catalog, RunStore runs, Consumer<String> log, ChatClient chat, PromptTemplate prompt) {
        this.catalog = catalog;
        this.runs = runs;
        this.log = log == null ? s -> {} : log;
        this.chat = chat;
        this.prompt = prompt;
    }

    /** A job whose text synthesis may also ask {@code client} (the "chat" generator), with {@code prompt} or the default one. */
    public SynthJob withChat(ChatClient client, PromptTemplate prompt) {
        return new SynthJob(catalog, runs, log, client, prompt == null ? ChatGenerator.DEFAULT_PROMPT : prompt);
    }

    public Outcome run(Spec requested, Path teacherDir, Path output, List<String> args) {
        try (Classifier teacher = Classifier.load(teacherDir)) {
            Schema schema = teacher.schema();
            if (schema.kind() == Schema.Kind.DENSE && !dev.distillery.transform.ImageTransforms.handles(schema)) {
                // Said before any data is read: the image generators' own error ("needs one-channel images, got shape
                // [4]") told the owner of a table nothing about what to do.
                throw new IllegalArgumentException("synth generates texts (eda, lm, chat) and one-channel images (augment, "
                        + "cvae); the teacher reads " + dev.distillery.data.InputCheck.describe(schema) + ", for which there "
                        + "is no generator: train on the real examples");
            }
            Spec spec = requested.resolved(schema.kind(), chat != null);
            Dataset data = load(spec.data(), spec.onError(), schema);
            Dataset labeled = data.filter("labeled", Example::hasLabel);
            if (labeled.isEmpty()) {
                throw new IllegalArgumentException(spec.data() + " has no labeled examples to generate from");
            }
            if (spec.labeled() != null) {
                labeled = Splits.labeledSubset(labeled, Splits.parseAmount(spec.labeled(), labeled.size()), spec.seed()).first();
            }
            List<Example> real = new ArrayList<>(data.examples());
            if (spec.test() != null) {
                real.addAll(load(spec.test(), spec.onError(), schema).examples());
            }
            Map<String, Object> cfg = JSON.convertValue(spec, Map.class);
            cfg.put("teacher", teacherDir.toString());
            cfg.put("output", output.toString());
            if (chat != null) {
                cfg.put("prompt", prompt.text()); // the server's address and model are in the chat cache's keys; the API key is never recorded
            }
            // The teacher verifies every candidate, so it is an input like the data.
            List<Path> inputs = new ArrayList<>(List.of(teacherDir));
            inputs.addAll(catalog.inputFiles(spec.data(), log));
            if (spec.test() != null) {
                inputs.addAll(catalog.inputFiles(spec.test(), log));
            }
            Dataset seeds = labeled;
            return new StageRunner(runs).run(Stage.<Map<String, Object>, Outcome>named("synth", cfg)
                    .seeded(spec.seed())
                    .reads(inputs)
                    .does(run -> schema.kind() == Schema.Kind.TEXT
                            ? synthesize(run, spec, teacher, seeds, real, output, texts(seeds), textGenerators(spec, schema),
                                    SimilarityIndex.texts(5, Math.min(spec.leakage(), spec.novelty())),
                                    SimilarityIndex.texts(5, spec.novelty()), Example::text,
                                    (id, t, label) -> Example.text(id, t, label, "synth"),
                                    List.of(Verifiers.textQuality(QualityFilter.Rules.DEFAULT, 0.5)))
                            : synthesize(run, spec, teacher, seeds, real, output, images(seeds), imageGenerators(spec, schema),
                                    SimilarityIndex.vectors(), SimilarityIndex.vectors(), Example::features,
                                    (id, f, label) -> Example.dense(id, f, label, "synth"), List.of()))
                    .reports(SynthJob::results, SynthJob::summary)
                    .writes((run, o) -> Map.of("data", output)), args);
        }
    }

    private interface Maker<T> {
        Example make(String id, T example, String label);
    }

    private <T> Outcome synthesize(Run run, Spec spec, Classifier teacher, Dataset seeds, List<Example> real, Path output,
            List<T> seedExamples, List<Generator<T>> generators, SimilarityIndex<T> realIndex, SimilarityIndex<T> acceptedIndex,
            java.util.function.Function<Example, T> content, Maker<T> maker, List<Verifier<T>> extra) {
        Schema schema = teacher.schema();
        int[] labels = seeds.examples().stream().mapToInt(e -> schema.indexOf(e.label().orElseThrow())).toArray();
        Random rng = new Random(spec.seed());
        List<Candidate<T>> candidates = new ArrayList<>();
        for (int g = 0; g < generators.size(); g++) {
            // The candidates are shared out evenly; the first generators take the remainder.
            int n = spec.candidates() / generators.size() + (g < spec.candidates() % generators.size() ? 1 : 0);
            log.accept(String.format("%s: %,d candidates from %,d labeled examples", generators.get(g).name(), n, seeds.size()));
            candidates.addAll(generators.get(g).generate(seedExamples, labels, n, rng));
        }
        VerifierChain.Report<T> report;
        java.util.function.Function<List<T>, float[][]> teacherProbabilities = xs -> {
            List<Example> batch = new ArrayList<>(xs.size());
            for (int i = 0; i < xs.size(); i++) {
                batch.add(maker.make("candidate-" + i, xs.get(i), null));
            }
            return teacher.probabilities(batch, 256);
        };
        if (spec.verify()) {
            real.forEach(e -> realIndex.add(content.apply(e)));
            List<Verifier<T>> checks = new ArrayList<>(extra);
            checks.add(Verifiers.teacherAgreement(teacherProbabilities, spec.minConfidence(), schema.labels()));
            checks.add(Verifiers.notNearReal(realIndex, spec.leakage()));
            report = new VerifierChain<>(checks, new Novelty<>(acceptedIndex, spec.novelty())).verify(candidates, 512);
        } else {
            report = new VerifierChain<T>(List.of(), null).verify(candidates, 512);
        }
        List<Example> accepted = new ArrayList<>();
        int i = 0;
        for (Candidate<T> c : report.accepted()) {
            accepted.add(maker.make(String.format("synth-%06d", i++), c.example(), schema.labels().get(c.label())));
        }
        JsonlFormat.write(new Dataset("synthetic", schema, accepted), output);
        writeVerdicts(run.dir().resolve("verdicts.jsonl"), report, schema);
        report.byGenerator().forEach((g, m) -> log.accept(String.format("%s: %s of %s accepted (%.1f%%); rejected by %s", g,
                m.get("accepted"), m.get("candidates"), 100 * (double) m.get("acceptance_rate"), byVerifier(m))));
        String advice = teacherRejectedAll(report, spec.minConfidence(), schema.numClasses(), judged -> {
            float[][] p = teacherProbabilities.apply(judged.stream().map(Candidate::example).toList());
            double most = 0;
            for (int j = 0; j < p.length; j++) {
                most = Math.max(most, p[j][judged.get(j).label()]);
            }
            return most;
        });
        if (advice != null) {
            log.accept(advice);
        }
        return new Outcome(run, output, seeds.size(), report, accepted.size());
    }

    /**
     * Where the teacher rejected every candidate that reached it, why and what to try, or null: a teacher trained on a
     * few labels spreads its probability over the classes and reaches a fixed --min-confidence on nothing, which
     * otherwise reads like a generator that made only bad candidates.
     */
    static <T> String teacherRejectedAll(VerifierChain.Report<T> report, double minConfidence, int classes,
            java.util.function.ToDoubleFunction<List<Candidate<T>>> mostConfident) {
        int otherLabel = 0;
        List<Candidate<T>> judged = new ArrayList<>();
        for (VerifierChain.Outcome<T> o : report.outcomes()) {
            if (o.accepted()) {
                return null;
            }
            if ("teacher".equals(o.rejectedBy())) {
                judged.add(o.candidate());
                otherLabel += o.reason().startsWith(Verifiers.TEACHER_OTHER_LABEL) ? 1 : 0;
            }
        }
        if (judged.isEmpty()) {
            return null;
        }
        return String.format("the teacher accepted none of the %,d candidates it judged: %,d it gives another label, %,d it gives "
                + "theirs below --min-confidence %s (the highest probability it gives any candidate's own label: %.2f; guessing "
                + "among %d classes gives %.2f). A teacher trained on few labels is unsure of everything; try a lower "
                + "--min-confidence, and compare training with and without the result (train --extra) before keeping it",
                judged.size(), otherLabel, judged.size() - otherLabel, minConfidence, mostConfident.applyAsDouble(judged), classes,
                1.0 / classes);
    }

    /** Rejections summed per verifier ("teacher", "leakage", ...), for a line a person can read. */
    @SuppressWarnings("unchecked")
    static Map<String, Integer> byVerifier(Map<String, Object> generatorStats) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        ((Map<String, Integer>) generatorStats.get("rejected")).forEach((why, n) -> out.merge(why.substring(0, why.indexOf(':')), n, Integer::sum));
        return out;
    }

    private static <T> void writeVerdicts(Path file, VerifierChain.Report<T> report, Schema schema) {
        AtomicFiles.write(file, out -> {
            int i = 0;
            for (VerifierChain.Outcome<T> o : report.outcomes()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("candidate", i++);
                m.put("generator", o.candidate().generator());
                m.put("label", schema.labels().get(o.candidate().label()));
                m.put("accepted", o.accepted());
                if (o.candidate().example() instanceof String text) {
                    // Generators rewrite training texts, which may hold personal data: the verdicts show them redacted.
                    m.put("text", dev.distillery.data.PersonalData.redacted(text));
                }
                if (!o.accepted()) {
                    m.put("rejected_by", o.rejectedBy());
                    m.put("reason", o.reason());
                }
                out.write(JSON.writeValueAsBytes(m));
                out.write('\n');
            }
        });
    }

    private static List<String> texts(Dataset d) {
        return d.examples().stream().map(Example::text).toList();
    }

    private static List<float[]> images(Dataset d) {
        return d.examples().stream().map(Example::features).toList();
    }

    private List<Generator<String>> textGenerators(Spec spec, Schema schema) {
        List<Generator<String>> out = new ArrayList<>();
        for (String name : spec.generators()) {
            switch (name) {
                case "eda" -> out.add(new TextAugmenter(0.1));
                case "lm" -> out.add(NeuralLanguageModel.generator(schema.labels().size(), NeuralLanguageModel.Settings.DEFAULT));
                case "chat" -> {
                    if (chat == null) {
                        throw new IllegalArgumentException("the chat generator needs a chat-completions server (--chat-url)");
                    }
                    out.add(new ChatGenerator(chat, prompt, schema.labels(), 0.9, 512));
                }
                default -> throw new IllegalArgumentException("unknown text generator '" + name + "'; text generators are eda, lm, chat");
            }
        }
        return out;
    }

    private static List<Generator<float[]>> imageGenerators(Spec spec, Schema schema) {
        List<Generator<float[]>> out = new ArrayList<>();
        for (String name : spec.generators()) {
            switch (name) {
                case "augment" -> out.add(AugmentGenerator.forSchema(schema));
                case "cvae" -> out.add(ConditionalVae.generator(schema.labels().size(), ConditionalVae.Settings.DEFAULT));
                default -> throw new IllegalArgumentException("unknown image generator '" + name + "'; image generators are augment, cvae");
            }
        }
        return out;
    }

    private Dataset load(String ref, OnError onError, Schema schema) {
        return InputCheck.conform(catalog.loadDatasetFor(ref, schema, onError, log), schema, InputCheck.Labels.MUST_BE_KNOWN);
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("labeled_examples", o.seeds());
        r.put("candidates", o.report().outcomes().size());
        r.put("accepted", o.written());
        r.put("acceptance_rate", o.written() / (double) Math.max(1, o.report().outcomes().size()));
        r.put("by_generator", o.report().byGenerator());
        r.put("output", o.output().toString());
        return r;
    }

    static String summary(Outcome o) {
        StringBuilder sb = new StringBuilder("# Synthesis " + o.run().id() + "\n\n");
        sb.append(String.format("%,d candidates from %,d labeled examples; %,d accepted, written to `%s`.%n%n", o.report().outcomes().size(),
                o.seeds(), o.written(), o.output()));
        sb.append("| generator | candidates | accepted | rate | rejected by |\n|---|---|---|---|---|\n");
        o.report().byGenerator().forEach((g, m) -> sb.append(String.format("| %s | %s | %s | %.3f | %s |%n", g, m.get("candidates"),
                m.get("accepted"), (double) m.get("acceptance_rate"), byVerifier(m))));
        sb.append("\n## Rejections by reason\n\n");
        o.report().byGenerator().forEach((g, m) -> ((Map<?, ?>) m.get("rejected")).entrySet().stream()
                .sorted((a, b) -> Integer.compare((Integer) b.getValue(), (Integer) a.getValue()))
                .forEach(e -> sb.append("- ").append(g).append(": ").append(e.getKey()).append(": ").append(e.getValue()).append('\n')));
        return sb.append("\nPer-candidate verdicts: `verdicts.jsonl`.\n").toString();
    }
}
