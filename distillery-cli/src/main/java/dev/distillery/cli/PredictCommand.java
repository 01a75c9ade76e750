package dev.distillery.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.Example;
import dev.distillery.data.InputCheck;
import dev.distillery.data.OnError;
import dev.distillery.data.ReadResult;
import dev.distillery.model.Classifier;
import dev.distillery.util.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict labels with a saved model; writes one JSON object per example (id, label, probability, top-k).",
        footer = {"", "Examples:", "  distillery predict --model 20261123-141500-train-1a2b3c --text \"WIN a FREE cruise, click now\"",
                "  distillery predict --model RUN --input fashion-mnist:test --output predictions.jsonl",
                "  distillery predict RUN photo.jpg",
                "  distillery predict --model RUN tickets.csv --output predictions.csv"})
final class PredictCommand implements Callable<Integer> {
    /**
     * Created on first use, not when the class loads: picocli loads every command class to build the command line, and
     * Jackson's first mapper cost 0.35 s of every command's start, {@code --version} included.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** DATA: a known data set, a .jsonl/.json/.csv/.tsv/IDX/e-mail file, an image or a folder of images (read at the model's size). */
    @picocli.CommandLine.Mixin
    ModelAndData modelAndData;

    @Option(names = "--text", paramLabel = "TEXT", description = "A text to classify (repeatable), instead of DATA.")
    List<String> texts;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the predictions here (atomically) instead of standard "
            + "output: JSON lines, or CSV (id, label, probability, true_label, top2_label, ...) for a name ending in .csv.")
    Path output;

    @Option(names = "--top-k", defaultValue = "1", paramLabel = "K", description = "Also list the K most probable labels. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--threshold", paramLabel = "LABEL=P",
            description = {"Answer LABEL whenever its probability is at least P, even where another label is more probable "
                    + "(repeatable): to find more of a rare class at the cost of precision. A training run's summary.md lists "
                    + "the thresholds that reach several recalls on its test data. Default: the most probable label."})
    List<String> thresholds;

    private dev.distillery.eval.ClassThresholds decision;

    @picocli.CommandLine.Mixin
    OnErrorOption onError;

    @picocli.CommandLine.Mixin
    ColumnOptions columns;

    @Override
    public Integer call() {
        Context ctx = Context.fromEnvironment();
        String data = dataUnlessTexts();
        try (Classifier classifier = Classifier.load(ModelRef.resolve(ctx, modelAndData.model()))) {
            decision = dev.distillery.eval.ClassThresholds.parse(thresholds, classifier.schema().labels()); // a typo fails first
            List<Example> examples = new ArrayList<>();
            if (texts != null) {
                for (int i = 0; i < texts.size(); i++) {
                    examples.add(Example.text("text-" + (i + 1), texts.get(i), null, "--text"));
                }
            } else {
                ReadResult read = columns.applyTo(ctx.catalog()).loadFor(data, classifier.schema(), onError.policy,
                        System.err::println);
                read.skippedReport().forEach(System.err::println);
                examples.addAll(InputCheck.conform(read.dataset(), classifier.schema(), InputCheck.Labels.IGNORED).examples());
            }
            InputCheck.checkRecords(texts != null ? "--text" : data, examples, classifier.schema(), InputCheck.Labels.IGNORED);
            int blank = InputCheck.blankTexts(examples);
            if (blank > 0) {
                System.err.printf("warning: %,d of %,d texts are empty or blank: the model reads no words in them, so their"
                        + " predictions are its bias alone%n", blank, examples.size());
            }
            InputCheck.unknownLabels(examples, classifier.schema()).ifPresent(System.err::println);
            float[][] probs = classifier.probabilities(examples, 256);
            List<String> labels = classifier.schema().labels();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream out = output == null ? System.out : new PrintStream(buffer, false, StandardCharsets.UTF_8);
            if (output != null && output.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
                writeCsv(out, examples, probs, labels);
            } else {
                for (int i = 0; i < examples.size(); i++) {
                    out.println(line(examples.get(i), probs[i], labels));
                }
            }
            out.flush();
            if (output != null) {
                AtomicFiles.write(output, o -> o.write(buffer.toByteArray()));
                System.err.printf("wrote %,d predictions to %s%n", examples.size(), output);
            }
        }
        return 0;
    }

    /** The data to predict on, or null when --text gives the texts instead: one of the two, never both. */
    private String dataUnlessTexts() {
        if (texts == null && !modelAndData.hasData()) {
            throw new picocli.CommandLine.ParameterException(modelAndData.spec.commandLine(),
                    "Missing what to predict on: the data (as DATA or as --data DATA) or texts (--text TEXT)");
        }
        if (texts != null && modelAndData.hasData()) {
            throw new picocli.CommandLine.ParameterException(modelAndData.spec.commandLine(),
                    "Both data and --text given: predict on one, the data (DATA or --data DATA) or the texts (--text TEXT)");
        }
        return texts == null ? modelAndData.data() : null;
    }

    /** The class indices, most probable first. */
    private static Integer[] byProbability(float[] p) {
        Integer[] order = new Integer[p.length];
        Arrays.setAll(order, j -> j);
        Arrays.sort(order, Comparator.comparingDouble(j -> -p[j]));
        return order;
    }

    /**
     * The predictions as CSV for a spreadsheet: id, label, probability, true_label where any record has one, then the
     * second to K-th most probable labels.
     */
    private void writeCsv(PrintStream out, List<Example> examples, float[][] probs, List<String> labels) {
        boolean truth = examples.stream().anyMatch(Example::hasLabel);
        int k = Math.min(topK, labels.size());
        List<String> header = new ArrayList<>(List.of("id", "label", "probability"));
        if (truth) {
            header.add("true_label");
        }
        for (int r = 2; r <= k; r++) {
            header.addAll(List.of("top" + r + "_label", "top" + r + "_probability"));
        }
        com.fasterxml.jackson.dataformat.csv.CsvMapper csv = new com.fasterxml.jackson.dataformat.csv.CsvMapper();
        try {
            out.print(csv.writeValueAsString(header));
            for (int i = 0; i < examples.size(); i++) {
                int best = decision.decide(probs[i]);
                Integer[] order = byProbability(probs[i]);
                List<String> row = new ArrayList<>(List.of(examples.get(i).id(), labels.get(best), Float.toString(probs[i][best])));
                if (truth) {
                    row.add(examples.get(i).label().orElse(""));
                }
                for (int r = 1; r < k; r++) {
                    row.addAll(List.of(labels.get(order[r]), Float.toString(probs[i][order[r]])));
                }
                out.print(csv.writeValueAsString(row));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String line(Example e, float[] p, List<String> labels) {
        int best = decision.decide(p);
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", e.id());
        node.put("label", labels.get(best));
        node.put("probability", p[best]);
        e.label().ifPresent(l -> node.put("true_label", l));
        if (topK > 1) {
            var arr = node.putArray("top");
            Integer[] order = byProbability(p);
            for (int k = 0; k < Math.min(topK, p.length); k++) {
                arr.addObject().put("label", labels.get(order[k])).put("probability", p[order[k]]);
            }
        }
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
