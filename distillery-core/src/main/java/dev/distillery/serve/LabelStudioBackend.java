package dev.distillery.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.util.AtomicFiles;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Label Studio ML backend on the model server, for one served model: the endpoints Label Studio calls.
 *
 * <ul>
 *   <li>{@code POST /setup} {@code {"project", "schema": label config XML}}: checks that the config's single
 *       {@code <Choices>} offers every label the model answers; returns {@code {"model_version"}}.
 *   <li>{@code POST /predict} {@code {"tasks": [{"id", "data": {...}}], "label_config"?, "project"?}}: one prediction per
 *       task in Label Studio's format ({@code result} with a {@code choices} value, and a {@code score}, the model's
 *       probability for its answer, by which Label Studio can order tasks least sure first). Text models read the
 *       field the config's object shows ({@code value="$text"}); dense models the task's {@code features} array.
 *       Predictions go through the model's batcher like any request.
 *   <li>{@code POST /webhook} with an {@code ANNOTATION_CREATED} or {@code ANNOTATION_UPDATED} event: the annotation is
 *       appended to {@code annotations.jsonl} in the state directory; every {@code retrainEvery} new annotations a
 *       background retraining starts ({@link Retrainer}), and the server switches to the new model version only when
 *       it beats the current one on held-out data. {@code GET /v1/label-studio/status} shows the history.
 * </ul>
 */
public final class LabelStudioBackend {
    private static final Logger LOG = LoggerFactory.getLogger(LabelStudioBackend.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Trains a model on the original data plus the annotations file and measures it beside the current one. */
    public interface Retrainer {
        /** Why retraining is not possible for this model, or null when it is. */
        String unavailableReason();

        Outcome retrain(Path annotations, double currentAccuracy);

        /** The current model's held-out accuracy, the bar a retrained one must clear. */
        double baselineAccuracy();
    }

    /** One retraining: the new model's accuracy beside the bar it had to clear, and how to load it. */
    public record Outcome(String run, double newAccuracy, double currentAccuracy, java.util.function.Supplier<Predictor> load) {
        boolean better() {
            return newAccuracy > currentAccuracy;
        }
    }

    private final ModelRegistry models;
    private final String modelName;
    private final Path stateDir;
    private final Retrainer retrainer;
    private final int retrainEvery;
    private final long timeoutMillis;
    private final Map<String, LabelConfig> configs = new ConcurrentHashMap<>(); // by project id
    private final ExecutorService training = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "distillery-label-studio-retrain");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean retraining = new AtomicBoolean();
    private final List<ObjectNode> history = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int sinceLastRetrain;
    private int annotations;
    private double bar = Double.NaN;

    public LabelStudioBackend(ModelRegistry models, String modelName, Path stateDir, Retrainer retrainer, int retrainEvery,
            long timeoutMillis) {
        if (models.find(modelName, null).isEmpty()) {
            throw new IllegalArgumentException("no served model '" + modelName + "' to back Label Studio with");
        }
        this.models = models;
        this.modelName = modelName;
        this.stateDir = stateDir;
        this.retrainer = retrainer;
        this.retrainEvery = Math.max(1, retrainEvery);
        this.timeoutMillis = timeoutMillis;
        try {
            Files.createDirectories(stateDir);
            if (Files.isRegularFile(annotationsFile())) {
                try (var lines = Files.lines(annotationsFile())) {
                    annotations = (int) lines.filter(l -> !l.isBlank()).count();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + stateDir, e);
        }
    }

    Path annotationsFile() {
        return stateDir.resolve("annotations.jsonl");
    }

    private ModelRegistry.Entry current() {
        return models.find(modelName, null).orElseThrow();
    }

    private String modelVersion() {
        ModelRegistry.Entry e = current();
        return e.name() + "@" + e.version();
    }

    void setup(Context ctx) {
        JsonNode body = ModelServer.readJson(ctx.bodyAsBytes());
        LabelConfig config = LabelConfig.parse(body.path("schema").asText(null));
        config.checkCovers(current().predictor().schema().labels());
        configs.put(body.path("project").asText(""), config);
        ModelServer.json(ctx, 200, JSON.createObjectNode().put("model_version", modelVersion()));
    }

    void predict(Context ctx) throws Exception {
        JsonNode body = ModelServer.readJson(ctx.bodyAsBytes());
        String project = body.path("project").asText("");
        LabelConfig config = body.path("label_config").isTextual() ? LabelConfig.parse(body.get("label_config").asText())
                : configs.get(project);
        if (config == null) {
            throw new ModelServer.ApiError(400, "no label config for project '" + project + "': call /setup first or send label_config");
        }
        JsonNode tasks = body.path("tasks");
        if (!tasks.isArray() || tasks.isEmpty()) {
            throw new ModelServer.ApiError(400, "expected a non-empty \"tasks\" array");
        }
        ModelRegistry.Entry entry = current();
        Schema schema = entry.predictor().schema();
        config.checkCovers(schema.labels());
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            examples.add(example(tasks.get(i), schema, config, "task " + i));
        }
        float[][] probs = entry.batcher().submit(examples, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis))
                .get(timeoutMillis, TimeUnit.MILLISECONDS);
        String version = entry.name() + "@" + entry.version();
        ArrayNode results = JSON.createArrayNode();
        for (float[] row : probs) {
            int best = dev.distillery.model.Classifier.argmax(row);
            ObjectNode prediction = results.addObject();
            ObjectNode r = prediction.putArray("result").addObject().put("from_name", config.fromName()).put("to_name", config.toName())
                    .put("type", "choices");
            r.putObject("value").putArray("choices").add(schema.labels().get(best));
            r.put("score", row[best]);
            prediction.put("score", row[best]).put("model_version", version);
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("results", results);
        out.put("model_version", version);
        ModelServer.json(ctx, 200, out);
    }

    /**
     * A task's input as an example: the config's field for text models, {@code features} (or the config's field, an array
     * or a table row by column name) for dense ones.
     */
    static Example example(JsonNode task, Schema schema, LabelConfig config, String where) {
        JsonNode data = task.path("data");
        String id = "ls-task-" + task.path("id").asText(where.replace(' ', '-'));
        if (schema.kind() == Schema.Kind.TEXT) {
            if (!data.path(config.dataKey()).isTextual()) {
                throw new ModelServer.ApiError(400, where + ": data." + config.dataKey() + " is not text (the field the label config shows)");
            }
            return Example.text(id, data.get(config.dataKey()).asText(), null, "label-studio");
        }
        JsonNode f = data.path("features").isArray() ? data.get("features") : data.path(config.dataKey());
        if (!f.isArray() && !f.isObject()) { // an object: a table row by column name, as label next's Table view shows it
            throw new ModelServer.ApiError(400, where + ": expected data.features with " + schema.featureSize() + " numbers"
                    + (schema.featureNames().isEmpty() ? "" : ", or data." + config.dataKey() + " as {column: number}"));
        }
        return Example.dense(id, ModelServer.features(f, schema, where + ": data.features "), null, "label-studio");
    }

    void webhook(Context ctx) {
        JsonNode body = ModelServer.readJson(ctx.bodyAsBytes());
        String action = body.path("action").asText("");
        if (!action.equals("ANNOTATION_CREATED") && !action.equals("ANNOTATION_UPDATED")) {
            ModelServer.json(ctx, 200, JSON.createObjectNode().put("status", "ignored").put("action", action));
            return;
        }
        JsonNode annotation = body.path("annotation");
        if (annotation.path("was_cancelled").asBoolean(false)) {
            ModelServer.json(ctx, 200, JSON.createObjectNode().put("status", "ignored").put("reason", "cancelled annotation"));
            return;
        }
        String project = body.path("project").path("id").asText("");
        LabelConfig config = body.path("project").path("label_config").isTextual()
                ? LabelConfig.parse(body.path("project").get("label_config").asText()) : configs.get(project);
        if (config == null) {
            throw new ModelServer.ApiError(400, "no label config for project '" + project + "': call /setup first");
        }
        String label = null;
        for (JsonNode r : annotation.path("result")) {
            if (config.fromName().equals(r.path("from_name").asText()) && r.path("value").path("choices").size() == 1) {
                label = r.path("value").path("choices").get(0).asText();
            }
        }
        Schema schema = current().predictor().schema();
        if (label == null || !schema.labels().contains(label)) {
            throw new ModelServer.ApiError(400, "the annotation has no single choice of " + config.fromName() + " among the model's labels "
                    + schema.labels());
        }
        Example e = example(body.path("task"), schema, config, "task");
        ObjectNode line = JSON.createObjectNode().put("id", e.id()).put("label", label);
        if (e.isText()) {
            line.put("text", e.text());
        } else {
            ArrayNode f = line.putArray("features");
            for (float v : e.features()) {
                f.add(v);
            }
        }
        boolean start;
        synchronized (this) {
            try {
                Files.writeString(annotationsFile(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException ex) {
                throw new UncheckedIOException("could not store the annotation in " + annotationsFile(), ex);
            }
            annotations++;
            sinceLastRetrain++;
            start = sinceLastRetrain >= retrainEvery && retrainer != null && retrainer.unavailableReason() == null
                    && retraining.compareAndSet(false, true);
            if (start) {
                sinceLastRetrain = 0;
            }
        }
        if (start) {
            training.submit(this::retrain);
        }
        ModelServer.json(ctx, 201, JSON.createObjectNode().put("status", start ? "retraining" : "stored").put("annotations", annotations));
    }

    private void retrain() {
        ObjectNode record = JSON.createObjectNode().put("annotations", annotations);
        try {
            if (Double.isNaN(bar)) {
                bar = retrainer.baselineAccuracy();
            }
            Outcome o = retrainer.retrain(annotationsFile(), bar);
            record.put("run", o.run()).put("new_accuracy", o.newAccuracy()).put("current_accuracy", o.currentAccuracy())
                    .put("switched", o.better());
            if (o.better()) {
                String version = Integer.toString(nextVersion());
                models.add(modelName, version, o.run(), o.load().get());
                bar = o.newAccuracy();
                record.put("version", version);
            }
            LOG.info("label studio retraining: {}", record);
        } catch (RuntimeException | Error e) {
            record.put("error", String.valueOf(e.getMessage()));
            LOG.warn("label studio retraining failed", e);
        } finally {
            history.add(record);
            AtomicFiles.writeString(stateDir.resolve("retraining.json"), historyJson().toPrettyString());
            retraining.set(false);
        }
    }

    private int nextVersion() {
        int max = 0;
        for (ModelRegistry.Entry e : models.all()) {
            if (e.name().equals(modelName)) {
                try {
                    max = Math.max(max, Integer.parseInt(e.version()));
                } catch (NumberFormatException ignored) {
                    // a named version: numbering continues after the numeric ones
                }
            }
        }
        return max + 1;
    }

    private ObjectNode historyJson() {
        ObjectNode s = JSON.createObjectNode().put("model", modelName).put("model_version", modelVersion())
                .put("annotations", annotations).put("retrain_every", retrainEvery).put("retraining", retraining.get());
        if (retrainer == null || retrainer.unavailableReason() != null) {
            s.put("retraining_unavailable", retrainer == null ? "no retrainer" : retrainer.unavailableReason());
        }
        ArrayNode h = s.putArray("history");
        history.forEach(h::add);
        return s;
    }

    void status(Context ctx) {
        ModelServer.json(ctx, 200, historyJson());
    }

    /** Waits for a retraining in progress (tests, shutdown). */
    void awaitIdle(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        while (retraining.get() && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
    }

    void close() {
        training.shutdown();
    }
}
