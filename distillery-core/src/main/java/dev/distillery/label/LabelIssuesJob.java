package dev.distillery.label;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.Dataset;
import dev.distillery.data.MissingValues;
import dev.distillery.data.Example;
import dev.distillery.data.InputCheck;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.ModelSpec;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.train.AutoSelect;
import dev.distillery.train.CrossValidation;
import dev.distillery.train.TextColumnChoice;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainListener;
import dev.distillery.util.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The {@code label issues} command as a library call: cross-validated probabilities, confident
 * learning, and a ranked list of likely mislabeled examples written to {@code issues.jsonl} (the
 * out-of-sample probabilities themselves to {@code probabilities.csv}). With
 * {@code injectNoise}, first flips that share of labels to another class at random (seeded) and
 * scores the flags against the flips: the way to measure the detector on data with known errors.
 */
public final class LabelIssuesJob {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What the job found; {@code injected} is empty unless noise was injected. */
    public record Outcome(Run run, int examples, ConfidentLearning.Rule rule, List<ConfidentLearning.Issue> issues,
            Set<Integer> injected, Map<ConfidentLearning.Rule, Score> byRule, double outOfSampleAccuracy, int smallestClass,
            List<Shown> mostCertain, String commonestLabel, double commonestShare) {
        /** How many of the most certain flags the summary shows with the example itself. */
        static final int SHOWN = 10;

        /**
         * Below this many examples in the smallest class each fold learns that class from a handful, and out-of-sample
         * probabilities near a guess flag most examples: 4 of 4 texts at 2 a class were "likely mislabeled".
         */
        static final int FEW_PER_CLASS = 5;

        /**
         * Out-of-sample accuracy within this much of always answering the commonest label: the model learned next to
         * nothing from the features, and its flags are the labels it cannot tell from the commonest one.
         */
        static final double NEAR_GUESSING = 0.05;

        /** Whether the model's out-of-sample accuracy is within {@link #NEAR_GUESSING} of the commonest label's share. */
        public boolean nearGuessing() {
            return outOfSampleAccuracy < commonestShare + NEAR_GUESSING;
        }

        /** Precision of the chosen rule's flags against the injected flips; NaN without injected noise. */
        public double precision() {
            return byRule.containsKey(rule) ? byRule.get(rule).precision() : Double.NaN;
        }

        /** Recall of the chosen rule's flags against the injected flips; NaN without injected noise. */
        public double recall() {
            return byRule.containsKey(rule) ? byRule.get(rule).recall() : Double.NaN;
        }
    }

    /** A flag as the summary shows it: the example's id, its given and likely labels, and what it holds. */
    public record Shown(String id, String given, double givenProbability, String likely, double likelyProbability, String example) {}

    /** {@code s} as a Markdown table cell: a bar would end the cell. */
    private static String cell(String s) {
        return s.replace("|", "\\|");
    }

    /** How one rule's flags compare with the injected flips. */
    public record Score(int flagged, double precision, double recall) {
        static Score of(List<ConfidentLearning.Issue> issues, Set<Integer> injected) {
            long hits = issues.stream().filter(i -> injected.contains(i.index())).count();
            return new Score(issues.size(), issues.isEmpty() ? 0 : hits / (double) issues.size(), hits / (double) injected.size());
        }
    }

    private final DataCatalog catalog;
    private final RunStore runs;
    private final TrainListener listener;

    public LabelIssuesJob(DataCatalog catalog, RunStore runs, TrainListener listener) {
        this.catalog = catalog;
        this.runs = runs;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    public Outcome run(String dataRef, ModelSpec spec, TrainConfig config, int folds, double injectNoise, OnError onError,
            List<String> args) {
        return run(dataRef, spec, config, folds, injectNoise, ConfidentLearning.Rule.LOW_MARGIN, onError, args);
    }

    public Outcome run(String dataRef, ModelSpec spec, TrainConfig config, int folds, double injectNoise,
            ConfidentLearning.Rule rule, OnError onError, List<String> args) {
        if (injectNoise < 0 || injectNoise >= 1) {
            throw new IllegalArgumentException("injected noise must be in [0, 1), got: " + injectNoise);
        }
        // one of a table's free-text columns or its other columns, whichever the linear model cross-validates better on
        DataCatalog catalog = spec != null ? this.catalog : this.catalog.withColumns(
                TextColumnChoice.forAllLabels(dataRef, this.catalog.columns(), this.catalog, onError, config.seed(), listener));
        Dataset read = catalog.loadDataset(dataRef, onError, listener::onMessage);
        InputCheck.notClasses(read, dataRef, catalog.columns().label());
        Dataset all = MissingValues.learn(read, listener::onMessage);
        Dataset data = all.filter(dataRef, Example::hasLabel);
        // what a reviewer sees of a row is the row as it was read, a gap as a gap, not the median the models read there
        List<Example> asRead = read.filter(dataRef, Example::hasLabel).examples();
        int unlabeled = all.size() - data.size();
        if (unlabeled > 0) {
            listener.onMessage(unlabeled + " unlabeled examples left out: there is no label to check");
        }
        // --model auto as train chooses: on a 534-row wage table the MLP alone scored 0.49 out of sample and flagged 260
        // rows, the linear model train chose 0.53 and 244
        spec = spec != null ? spec : AutoSelect.chooseOrDefault(data, config, listener);
        Set<Integer> injected = new HashSet<>();
        if (injectNoise > 0) {
            data = injectSymmetricNoise(data, injectNoise, config.seed(), injected);
            listener.onMessage(String.format("injected label noise: %,d of %,d labels flipped to another class", injected.size(),
                    data.size()));
        }
        Dataset checked = data;
        ModelSpec model = spec;
        Settings settings = new Settings(dataRef, model, config, folds, injectNoise, rule.cliName());
        return new StageRunner(runs).run(Stage.<Settings, Outcome>named("label issues", settings)
                .seeded(config.seed())
                .reads(catalog.inputFiles(dataRef, listener::onMessage))
                .does(run -> find(run, checked, asRead, model, config, folds, injected, rule))
                .reports(LabelIssuesJob::results, LabelIssuesJob::summary)
                .writes((run, o) -> Map.of("issues", run.dir().resolve("issues.jsonl"), "probabilities",
                        run.dir().resolve("probabilities.csv"))), args);
    }

    /** The recorded configuration of a label-issues run. */
    public record Settings(String data, ModelSpec model, TrainConfig train, int folds,
            @JsonProperty("inject_noise") double injectNoise, String rule) {}

    /**
     * Every example's out-of-sample probabilities, so other flagging rules can be tried without training again;
     * with injected noise, a column says which labels were flipped.
     */
    static void writeProbabilities(java.nio.file.Path file, Dataset data, float[][] probs, int[] given, Set<Integer> injected) {
        List<String> labels = data.schema().labels();
        AtomicFiles.write(file, out -> {
            java.io.Writer w = new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8);
            w.write("id,given");
            for (String l : labels) {
                w.write(",p_" + l.replaceAll("[,\\s]+", "_"));
            }
            w.write(injected.isEmpty() ? "\n" : ",injected\n");
            for (int i = 0; i < probs.length; i++) {
                w.write(LabelingProject.csvCell(data.get(i).id()));
                w.write(',');
                w.write(LabelingProject.csvCell(labels.get(given[i]))); // the label as the data names it, not its index
                for (float p : probs[i]) {
                    w.write(',');
                    w.write(Float.toString(p));
                }
                w.write(injected.isEmpty() ? "\n" : (injected.contains(i) ? ",1\n" : ",0\n"));
            }
            w.flush();
        });
    }

    private Outcome find(Run run, Dataset data, List<Example> asRead, ModelSpec spec, TrainConfig config, int folds, Set<Integer> injected,
            ConfidentLearning.Rule rule) {
        float[][] probs = CrossValidation.outOfSample(data, spec, config, folds, listener);
        int[] given = new int[data.size()];
        for (int i = 0; i < given.length; i++) {
            given[i] = data.schema().indexOf(data.get(i).label().orElseThrow());
        }
        List<ConfidentLearning.Issue> issues = ConfidentLearning.find(probs, given, data.schema().numClasses(), rule);
        StringBuilder lines = new StringBuilder();
        List<String> labels = data.schema().labels();
        for (ConfidentLearning.Issue issue : issues) {
            Map<String, Object> row = new LinkedHashMap<>();
            Example e = data.get(issue.index());
            row.put("id", e.id());
            row.put("given", labels.get(issue.given()));
            row.put("suggested", labels.get(issue.suggested()));
            row.put("given_probability", issue.givenProbability());
            row.put("suggested_probability", issue.suggestedProbability());
            row.put("source", e.source());
            lines.append(json(row)).append('\n');
        }
        AtomicFiles.writeString(run.dir().resolve("issues.jsonl"), lines.toString());
        writeProbabilities(run.dir().resolve("probabilities.csv"), data, probs, given, injected);
        // With known flips, every rule is scored on the same probabilities, so the comparison costs no training.
        Map<ConfidentLearning.Rule, Score> byRule = new java.util.EnumMap<>(ConfidentLearning.Rule.class);
        if (!injected.isEmpty()) {
            for (ConfidentLearning.Rule r : ConfidentLearning.Rule.values()) {
                byRule.put(r, Score.of(r == rule ? issues : ConfidentLearning.find(probs, given, data.schema().numClasses(), r),
                        injected));
            }
        }
        int right = 0;
        for (int i = 0; i < given.length; i++) {
            right += dev.distillery.model.Classifier.argmax(probs[i]) == given[i] ? 1 : 0;
        }
        int smallest = data.labelCounts().values().stream().mapToInt(Integer::intValue).min().orElse(0);
        List<Shown> shown = issues.stream().limit(Outcome.SHOWN).map(i -> new Shown(data.get(i.index()).id(), labels.get(i.given()),
                i.givenProbability(), labels.get(i.suggested()), i.suggestedProbability(), preview(asRead.get(i.index()), data.schema())))
                .toList();
        Map.Entry<String, Integer> commonest = java.util.Collections.max(data.labelCounts().entrySet(), Map.Entry.comparingByValue());
        return new Outcome(run, data.size(), rule, issues, injected, byRule, right / (double) given.length, smallest, shown,
                commonest.getKey(), commonest.getValue() / (double) data.size());
    }

    /**
     * One line of what a flagged example holds, for the summary: a text's start with personal data masked (a report
     * never shows it), a table's row by column, an image as such (the dashboard shows it).
     */
    static String preview(Example e, dev.distillery.data.Schema schema) {
        if (e.isText()) {
            return dev.distillery.data.PersonalData.excerpt(e.text(), 80);
        }
        if (schema.featureShape().size() == 1) {
            return dev.distillery.data.Schema.describeRow(schema.featureNames(), e.features(), 6);
        }
        return "an image (see it in `distillery ui`)";
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flips {@code share} of the labels, each to one of the other classes uniformly; records which were flipped. */
    static Dataset injectSymmetricNoise(Dataset data, double share, long seed, Set<Integer> flipped) {
        Random rng = new Random(seed ^ 0x5DEECE66DL);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, rng);
        int count = (int) Math.round(share * data.size());
        List<Example> out = new ArrayList<>(data.examples());
        List<String> labels = data.schema().labels();
        for (int i : order.subList(0, count)) {
            int given = data.schema().indexOf(data.get(i).label().orElseThrow());
            int other = rng.nextInt(labels.size() - 1);
            out.set(i, data.get(i).withLabel(labels.get(other >= given ? other + 1 : other)));
            flipped.add(i);
        }
        return data.subset(data.name() + "-noisy", out);
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("examples", o.examples());
        r.put("flagged", o.issues().size());
        r.put("injected", o.injected().size());
        r.put("rule", o.rule().cliName());
        r.put("out_of_sample_accuracy", o.outOfSampleAccuracy());
        r.put("commonest_label_share", o.commonestShare());
        if (!o.injected().isEmpty()) {
            r.put("precision", o.precision());
            r.put("recall", o.recall());
            o.byRule().forEach((rule, score) -> {
                String suffix = "_" + rule.cliName().replace('-', '_');
                r.put("flagged" + suffix, score.flagged());
                r.put("precision" + suffix, score.precision());
                r.put("recall" + suffix, score.recall());
            });
        }
        r.put("issues_file", "issues.jsonl");
        return r;
    }

    static String summary(Outcome o) {
        StringBuilder sb = new StringBuilder("# Label issues " + o.run().id() + "\n\n");
        sb.append(String.format("%,d examples checked, %,d flagged as likely mislabeled (%.2f%%).%n", o.examples(),
                o.issues().size(), 100.0 * o.issues().size() / o.examples()));
        sb.append("Rule: ").append(o.rule().cliName()).append(".\n");
        // beside what always answering the commonest label scores: on credit data a model of 0.76 flags a sixth of the
        // records, and only the 0.70 of guessing says how little it knows beyond the labels' shares
        sb.append(String.format("Out-of-sample accuracy of the model on the given labels: %.4f, against %.4f for always answering"
                + " '%s' (the flags are only as good as this model).%n", o.outOfSampleAccuracy(), o.commonestShare(), o.commonestLabel()));
        if (o.nearGuessing()) {
            sb.append(String.format("%nCaution: that is within %.0f points of always answering the commonest label, '%s' (%.4f of"
                    + " the examples): the model learned next to nothing from these features, so its flags say little about"
                    + " the labels. Give it features that carry the labels (a text column: --text-column) or another --model.%n",
                    100 * Outcome.NEAR_GUESSING, o.commonestLabel(), o.commonestShare()));
        }
        if (o.smallestClass() < Outcome.FEW_PER_CLASS) {
            sb.append(String.format("%nCaution: the smallest class has %d examples, so each fold learns it from at most %d; the "
                    + "out-of-sample probabilities are close to guesses and the flags say little about the labels. Label "
                    + "issues needs some tens of examples a class to be informative.%n", o.smallestClass(),
                    Math.max(0, o.smallestClass() - 1)));
        }
        if (!o.injected().isEmpty()) {
            sb.append(String.format("%nAgainst the %,d injected flips: precision %.3f, recall %.3f.%n%n", o.injected().size(),
                    o.precision(), o.recall()));
            sb.append("| rule | flagged | precision | recall |\n|---|---|---|---|\n");
            o.byRule().forEach((rule, score) -> sb.append(String.format("| %s | %,d | %.3f | %.3f |%n", rule.cliName(),
                    score.flagged(), score.precision(), score.recall())));
        }
        if (!o.mostCertain().isEmpty()) {
            sb.append(String.format("%n%s, with the out-of-sample probability of each label:%n%n", o.mostCertain().size() < o.issues().size()
                    ? "The " + o.mostCertain().size() + " most certain flags" : o.issues().size() == 1 ? "The flag" : "Every flag"));
            sb.append("| id | given | likely | example |\n|---|---|---|---|\n");
            for (Shown f : o.mostCertain()) {
                sb.append(String.format("| %s | %s (%.2f) | %s (%.2f) | %s |%n", cell(f.id()), cell(f.given()), f.givenProbability(),
                        cell(f.likely()), f.likelyProbability(), cell(f.example())));
            }
        }
        sb.append("\nThe ranked list is in `issues.jsonl` (most certain first); every example's out-of-sample probabilities in "
                + "`probabilities.csv`.\n");
        return sb.toString();
    }
}
