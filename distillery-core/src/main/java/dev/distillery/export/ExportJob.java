package dev.distillery.export;

import dev.distillery.util.OnnxRuntimeLibraries;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.data.Dataset;
import dev.distillery.data.InputCheck;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.Classifier;
import dev.distillery.model.Featurizer;
import dev.distillery.run.Provenance;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainListener;
import dev.distillery.train.TrainSpec;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code distillery export}: a saved model to an ONNX file any runtime loads, checked against the original on real
 * data before anything is written. The export directory holds {@code model.onnx}, {@code featurizer.json} (input
 * recipe and test vectors), {@code labels.json}, {@code parity.json} and {@code MODEL_CARD.md}; it is written whole or
 * not at all, and only when the parity check passes (every prediction agrees, no logit moves by more than
 * {@link Parity#RULE}).
 */
public final class ExportJob {
    public static final String ONNX_FILE = "model.onnx";
    static final String[] FILES = {ONNX_FILE, "featurizer.json", "labels.json", "parity.json", "MODEL_CARD.md"};
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int BATCH = 256;

    /** What an export produced: its run, where the files went, the parity found and the graph's size. */
    public record Outcome(Run run, Path out, Parity parity, String parityData, long onnxBytes, String sha256) {
        Map<String, Object> results() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("out", out.toString());
            m.put("onnx_bytes", onnxBytes);
            m.put("onnx_sha256", sha256);
            m.put("parity_examples", parity.examples());
            m.put("max_abs_diff", parity.maxAbsDiff());
            m.put("max_tolerance_used", parity.maxToleranceUsed());
            m.put("argmax_agreement", parity.argmaxAgreement());
            return m;
        }

        String summary() {
            return "# Export " + run.id() + "\n\n" + String.format("`%s` (%,d bytes, sha256 %s) in `%s`.%n%nParity with the original "
                    + "on %,d examples of %s: max |logit difference| %.3g (limit %s; the worst logit used %.0f%% of its "
                    + "limit), argmax agreement %.4f.%n", ONNX_FILE, onnxBytes, sha256, out, parity.examples(), parityData,
                    parity.maxAbsDiff(), Parity.RULE, 100 * parity.maxToleranceUsed(), parity.argmaxAgreement());
        }
    }

    /** The data the parity check runs on: what it is, its records, and the files it came from. */
    record ParityData(String description, Dataset data, List<Path> files) {}

    private final DataCatalog catalog;
    private final RunStore runs;
    private final Consumer<String> log;
    private final int threads;

    public ExportJob(DataCatalog catalog, RunStore runs, Consumer<String> log, int threads) {
        this.catalog = catalog;
        this.runs = runs;
        this.log = log;
        this.threads = threads;
    }

    /**
     * Exports the model in {@code modelDir} to {@code out} (null: the run's own {@code export/} directory), checking
     * parity on {@code dataRef} (null: the test data of the run that made the model).
     */
    public Outcome export(Path modelDir, String dataRef, Path out, List<String> args) {
        try (Classifier model = Classifier.load(modelDir)) {
            String reason = OnnxExporter.unsupportedReason(model.spec(), model.schema());
            if (reason != null) {
                throw new IllegalArgumentException(reason);
            }
            if (out != null) {
                checkOutputDirectory(out);
            }
            ParityData parityData = dataRef != null ? load(dataRef, model.schema()) : testDataOf(modelDir, model.schema(), 0);
            String parityRef = parityData.description();
            Dataset data = InputCheck.conform(parityData.data(), model.schema(), InputCheck.Labels.IGNORED);
            if (data.isEmpty()) {
                throw new IllegalArgumentException(parityRef + " has no records to check the export on");
            }
            List<Path> inputs = new ArrayList<>(List.of(modelDir));
            inputs.addAll(parityData.files());
            Settings settings = new Settings(modelDir.toString(), "onnx", OnnxGraph.OPSET, parityRef, out == null ? null : out.toString());
            return new StageRunner(runs).run(Stage.<Settings, Outcome>named("export", settings)
                    .reads(inputs)
                    .does(run -> write(model, modelDir, data, parityRef, out != null ? out : run.dir().resolve("export"), run))
                    .reports(Outcome::results, Outcome::summary)
                    .writes((run, o) -> Map.of("export", o.out())), args);
        }
    }

    /**
     * The recorded configuration of an export.
     *
     * @param out where the export goes; null for the run directory's {@code export/}
     */
    public record Settings(String model, String format, int opset, @JsonProperty("parity_data") String parityData, String out) {}

    private Outcome write(Classifier model, Path modelDir, Dataset data, String parityRef, Path target, Run run) {
        byte[] onnx = OnnxExporter.export(model, Provenance.version()).toByteArray();
        log.accept(String.format("exported %s (%,d bytes); checking parity on %,d examples of %s", model.spec().describe(model.schema()), onnx.length,
                data.size(), parityRef));
        Parity parity;
        float[][] vectorLogits;
        var vectors = FeaturizerCard.testInputs(model.schema());
        try (OnnxModel runtime = new OnnxModel(onnx, model.schema(), model.featurizer(), threads)) {
            parity = Parity.measure(model, runtime, data.examples(), BATCH);
            vectorLogits = runtime.logits(vectors);
        }
        log.accept(String.format("parity: max |logit difference| %.3g, argmax agreement %.4f", parity.maxAbsDiff(), parity.argmaxAgreement()));
        if (!parity.passes()) {
            throw new IllegalStateException(String.format("the ONNX graph does not reproduce the model on %s: max |logit difference| "
                    + "%.3g, %.1fx its limit (%s), argmax agreement %.4f (must be 1); nothing was written", parityRef,
                    parity.maxAbsDiff(), parity.maxToleranceUsed(), Parity.RULE, parity.argmaxAgreement()));
        }
        int bits = weightBits(modelDir);
        Map<String, Object> card = FeaturizerCard.describe(model.schema(), model.spec(), model.featurizer(), vectors, vectorLogits);
        Outcome outcome = new Outcome(run, target, parity, parityRef, onnx.length, Hashing.sha256(onnx));
        AtomicFiles.writeDirectory(target, tmp -> {
            Files.write(tmp.resolve(ONNX_FILE), onnx);
            JSON.writeValue(tmp.resolve("featurizer.json").toFile(), card);
            JSON.writeValue(tmp.resolve("labels.json").toFile(), Map.of("labels", model.schema().labels()));
            JSON.writeValue(tmp.resolve("parity.json").toFile(), parityDoc(outcome));
            Files.writeString(tmp.resolve("MODEL_CARD.md"), ModelCard.markdown(model, modelDir, bits, outcome));
        });
        return outcome;
    }

    /**
     * Refuses to replace a directory that holds anything but an earlier export: {@code --out .} must not wipe a
     * user's files. A new path named like the model file ({@code --out model.onnx}) is refused too: it would become a
     * directory of that name, the model inside it, where the user looked for one file.
     */
    static void checkOutputDirectory(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " exists and is not a directory");
        }
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        if (!Files.exists(out) && name.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            throw new IllegalArgumentException("--out " + out + " names a file, but an export is a directory: " + ONNX_FILE
                    + " beside featurizer.json, labels.json, parity.json and MODEL_CARD.md (what an application needs to use"
                    + " it); give a directory, e.g. --out " + out.resolveSibling(name.substring(0, name.length() - 5) + "-export"));
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                List<String> foreign = entries.map(p -> p.getFileName().toString())
                        .filter(n -> !List.of(FILES).contains(n)).sorted().toList();
                if (!foreign.isEmpty()) {
                    throw new IllegalArgumentException(out + " already holds other files (" + String.join(", ", foreign.subList(0,
                            Math.min(3, foreign.size()))) + (foreign.size() > 3 ? ", ..." : "") + "); give an empty or new directory");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + out, e);
            }
        }
    }

    /**
     * The test data of the run that made {@code modelDir}: its {@code test} file, or the test split a training run
     * cut from its data (rebuilt from its recorded config: same data, same seed), or, for a model derived from
     * another (quantized, pruned), that model's test data.
     */
    ParityData testDataOf(Path modelDir, dev.distillery.data.Schema schema, int depth) {
        Path config = modelDir.toAbsolutePath().getParent() == null ? null : modelDir.toAbsolutePath().getParent().resolve(Run.CONFIG);
        if (depth > 4 || config == null || !Files.isRegularFile(config)) {
            throw new IllegalArgumentException(modelDir + " is not inside a run that records its test data; give the data to "
                    + "check the export on with --data");
        }
        try {
            JsonNode c = JSON.readTree(config.toFile());
            if (c.path("test").isTextual()) {
                return load(c.get("test").asText(), schema);
            }
            TrainSpec training = TrainJob.specOf(modelDir);
            if (training != null) { // a training run that cut its own test split
                Dataset test = new TrainJob(catalog, runs, TrainListener.NONE).prepare(training).test();
                return new ParityData("the test split of " + training.data() + " (as run " + config.getParent().getFileName()
                        + " cut it)", test.filter(test.name(), e -> e.hasLabel()), catalog.inputFiles(training.data(), log));
            }
            if (c.path("model").isTextual()) {
                Path source = Path.of(c.get("model").asText());
                return testDataOf(Files.isRegularFile(source.resolve(Classifier.SPEC_FILE)) ? source : source.resolve("model"), schema, depth + 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + config, e);
        }
        throw new IllegalArgumentException("the run of " + modelDir + " records no test data; give the data to check the export "
                + "on with --data");
    }

    /** {@code ref} read as the model reads a file: by its columns, its gaps filled with its values, images at its size. */
    private ParityData load(String ref, dev.distillery.data.Schema schema) {
        return new ParityData(ref, catalog.loadDatasetFor(ref, schema, OnError.FAIL, log), catalog.inputFiles(ref, log));
    }

    private static int weightBits(Path modelDir) {
        try {
            return JSON.readTree(modelDir.resolve(Classifier.SPEC_FILE).toFile()).path("weight_bits").asInt(32);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> parityDoc(Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runtime", "onnxruntime " + OnnxRuntimeLibraries.environment().getVersion());
        m.put("data", o.parityData());
        m.put("examples", o.parity().examples());
        m.put("max_abs_diff", o.parity().maxAbsDiff());
        m.put("argmax_agreement", o.parity().argmaxAgreement());
        m.put("abs_tolerance", Parity.ABS_TOLERANCE);
        m.put("rel_tolerance", Parity.REL_TOLERANCE);
        m.put("max_tolerance_used", o.parity().maxToleranceUsed());
        m.put("passed", o.parity().passes());
        return m;
    }
}
