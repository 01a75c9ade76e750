package dev.distillery.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.Schema;
import dev.distillery.export.ExportJob;
import dev.distillery.export.OnnxExporter;
import dev.distillery.export.OnnxModel;
import dev.distillery.export.Parity;
import dev.distillery.model.Classifier;
import dev.distillery.model.NgramBagSpec;
import dev.distillery.model.Featurizer;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.TfidfFeaturizer;
import dev.distillery.model.ModelSpec;
import dev.distillery.run.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models a server answers for, by name and version, each behind its own {@link Batcher}. A name given several
 * versions answers with the last one added unless a request names another.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One served model version. */
    public record Entry(String name, String version, String source, Batcher batcher) {
        public Predictor predictor() {
            return batcher.predictor();
        }
    }

    /** How requests are batched for every model. */
    public record Batching(int maxBatch, long maxWaitMicros, int queueCapacity) {}

    private final Map<String, Map<String, Entry>> byName = new LinkedHashMap<>();
    private final ServeMetrics metrics;
    private final Batching batching;

    public ModelRegistry(ServeMetrics metrics, Batching batching) {
        this.metrics = metrics;
        this.batching = batching;
    }

    public synchronized Entry add(String name, String version, String source, Predictor predictor) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") || !version.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("model name '" + name + "' and version '" + version + "' must be letters, digits, "
                    + "'.', '_' or '-' (starting with a letter or digit)");
        }
        Map<String, Entry> versions = byName.computeIfAbsent(name, n -> new LinkedHashMap<>());
        if (versions.containsKey(version)) {
            throw new IllegalArgumentException("model " + name + " version " + version + " is given twice");
        }
        Entry e = new Entry(name, version, source, new Batcher(name, version, predictor, batching.maxBatch(),
                batching.maxWaitMicros(), batching.queueCapacity(), metrics));
        versions.put(version, e);
        return e;
    }

    /** The model {@code name} at {@code version}, or at its latest version when {@code version} is null. */
    public synchronized Optional<Entry> find(String name, String version) {
        Map<String, Entry> versions = byName.get(name);
        if (versions == null) {
            return Optional.empty();
        }
        if (version != null) {
            return Optional.ofNullable(versions.get(version));
        }
        Entry latest = null;
        for (Entry e : versions.values()) {
            latest = e;
        }
        return Optional.ofNullable(latest);
    }

    public synchronized List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        byName.values().forEach(v -> out.addAll(v.values()));
        return out;
    }

    /** Finishes every queued request of every model, then frees the models. */
    @Override
    public synchronized void close() {
        for (Entry e : all()) {
            e.batcher().close();
            e.predictor().close();
        }
        byName.clear();
    }

    /**
     * Which engine computes a saved model: ONNX Runtime on the model exported in memory (checked against the model
     * first), DJL, or AUTO: ONNX Runtime for every family that exports and whose export reproduces the model, DJL for
     * the rest. ONNX Runtime answered the
     * Fashion-MNIST student 2-5x faster per call than DJL in bench/serve-load, whose small batches pay DJL's per-call
     * costs and, at channel counts oneDNN gets wrong here, PyTorch's slower convolution.
     */
    public enum Runtime { AUTO, DJL, ONNX }

    /**
     * Loads what {@code path} holds: a saved model (or a run directory with one), run as {@code runtime} says; or a
     * directory written by {@code distillery export}, always run by ONNX Runtime.
     */
    public static Predictor load(Path path, Runtime runtime, int threads) {
        if (Files.isRegularFile(path.resolve(ExportJob.ONNX_FILE)) && Files.isRegularFile(path.resolve("featurizer.json"))) {
            return loadExport(path, threads);
        }
        Classifier classifier = Classifier.load(path);
        String reason = OnnxExporter.unsupportedReason(classifier.spec(), classifier.schema());
        if (runtime == Runtime.DJL || (runtime == Runtime.AUTO && reason != null)) {
            return new DjlPredictor(classifier);
        }
        boolean keep = false; // the classifier stays open only when DJL serves it
        try {
            if (reason != null) {
                throw new IllegalArgumentException(path + ": " + reason + " (serve it with --runtime djl)");
            }
            byte[] bytes = OnnxExporter.export(classifier, Provenance.version()).toByteArray();
            OnnxModel model = new OnnxModel(bytes, classifier.schema(), classifier.featurizer(), threads);
            Parity parity = Parity.measure(classifier, model, dev.distillery.export.FeaturizerCard.testInputs(classifier.schema()), 16);
            if (!parity.passes()) {
                model.close();
                String why = String.format("the ONNX graph does not reproduce the model (max |logit difference| %.3g, %.1fx "
                        + "its limit of %s)", parity.maxAbsDiff(), parity.maxToleranceUsed(), Parity.RULE);
                if (runtime == Runtime.AUTO) { // auto means whichever engine computes the model right: here DJL
                    keep = true;
                    return new DjlPredictor(classifier, why + ", so DJL serves it");
                }
                throw new IllegalStateException(path + ": " + why + "; serve it with --runtime djl");
            }
            return new OnnxPredictor(model, classifier.schema(), classifier.spec().describe(classifier.schema()));
        } finally {
            if (!keep) {
                classifier.close();
            }
        }
    }

    /** The export's own test vectors must give the logits it lists: a damaged or mismatched file is refused. */
    private static void checkTestVectors(Path dir, JsonNode card, OnnxModel model) {
        List<dev.distillery.data.Example> inputs = new ArrayList<>();
        List<JsonNode> expected = new ArrayList<>();
        for (JsonNode v : card.path("test_vectors")) {
            if (v.has("text")) {
                inputs.add(dev.distillery.data.Example.text("vector", v.get("text").asText(), null, "featurizer.json"));
            } else {
                float[] f = new float[v.path("features").size()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) v.get("features").get(i).asDouble();
                }
                inputs.add(dev.distillery.data.Example.dense("vector", f, null, "featurizer.json"));
            }
            expected.add(v.path("logits"));
        }
        float[][] got = inputs.isEmpty() ? new float[0][] : model.logits(inputs);
        for (int i = 0; i < got.length; i++) {
            double[] listed = new double[got[i].length];
            for (int j = 0; j < listed.length; j++) {
                listed[j] = expected.get(i).path(j).asDouble(Double.NaN);
            }
            if (!(Parity.toleranceUsed(got[i], listed) <= 1.0)) {
                model.close();
                throw new IllegalStateException(dir + ": model.onnx does not give the logits featurizer.json lists for its "
                        + "test vector " + i + "; the export is damaged or its files do not belong together");
            }
        }
    }

    private static Predictor loadExport(Path dir, int threads) {
        try {
            JsonNode card = JSON.readTree(dir.resolve("featurizer.json").toFile());
            List<String> labels = new ArrayList<>();
            card.path("labels").forEach(l -> labels.add(l.asText()));
            Schema schema;
            Featurizer text = null;
            if ("text".equals(card.path("kind").asText())) {
                schema = Schema.text(labels);
                JsonNode r = card.path("recipe");
                // exports written before the TF-IDF model could be exported name no featurizer: they are n-gram models
                ModelSpec spec = "tfidf".equals(r.path("featurizer").asText("ngram"))
                        // exports written before the recipe named its shortest character gram read 3-5-grams
                        ? new LinearSpec(r.path("buckets").asInt(), 1.0, null, null,
                                r.path("min_char_gram").asInt(TfidfFeaturizer.LEGACY_MIN_CHAR_GRAM))
                        : new NgramBagSpec(1, r.path("buckets").asInt(), r.path("ngrams").asInt(), r.path("max_tokens").asInt());
                text = spec.featurizer(schema);
            } else {
                List<Long> shape = new ArrayList<>();
                JsonNode dims = card.path("input").path("shape");
                for (int i = 1; i < dims.size(); i++) {
                    shape.add(dims.get(i).asLong());
                }
                List<String> names = new ArrayList<>();
                card.path("input").path("feature_names").forEach(n -> names.add(n.asText()));
                Map<String, Float> fill = new java.util.LinkedHashMap<>();
                card.path("input").path("fill").fields().forEachRemaining(f -> fill.put(f.getKey(), (float) f.getValue().asDouble()));
                // exports of named columns list them, and what a missing value of each is read as
                schema = Schema.dense(shape, labels).withFeatureNames(names).withFill(fill);
            }
            OnnxModel model = new OnnxModel(Files.readAllBytes(dir.resolve(ExportJob.ONNX_FILE)), schema, text, threads);
            checkTestVectors(dir, card, model);
            return new OnnxPredictor(model, schema, "ONNX export in " + dir.getFileName());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the export in " + dir, e);
        }
    }
}
