package dev.distillery.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.Example;
import dev.distillery.data.InputCheck;
import dev.distillery.data.Schema;
import dev.distillery.eval.ClassThresholds;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code distillery serve}: the models of a {@link ModelRegistry} over HTTP (Javalin on Jetty).
 *
 * <ul>
 *   <li>{@code POST /v1/models/{name}/predict} (or {@code .../versions/{version}/predict}) with
 *       {@code {"instances": [{"features": [...]}, {"text": "..."}, {"image": "<base64 image file>"}]}} answers {@code {"model", "version", "predictions":
 *       [{"label", "probabilities": {label: p}}]}}; an optional {@code "thresholds": {label: p}} answers a label wherever
 *       its probability reaches p, as {@code predict --threshold} does;
 *   <li>{@code GET /v1/models}, {@code GET /health}, {@code GET /metrics} (Prometheus text).
 * </ul>
 *
 * Requests are batched per model ({@link Batcher}); a full queue answers 503 with Retry-After, a request that takes
 * longer than its timeout 504. Bad requests get a 4xx with {@code {"error": reason}}; nothing a client sends stops the
 * server. It binds 127.0.0.1 unless told otherwise and then requires a bearer token. {@link #close} drains: it refuses
 * new predictions, waits for those in flight, then stops.
 */
public final class ModelServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param token           bearer token every request but {@code /health} must carry; required off loopback
     * @param timeoutMillis   a prediction request's deadline, from arrival to answer
     * @param maxRequestBytes the largest request body accepted
     * @param maxInstances    the most instances one request may carry
     */
    public record Settings(String host, int port, String token, long timeoutMillis, long maxRequestBytes, int maxInstances) {
        public Settings {
            if (timeoutMillis < 1 || maxRequestBytes < 1 || maxInstances < 1) {
                throw new IllegalArgumentException("timeout, request size and instances per request must be positive");
            }
        }
    }

    /** An answer other than 200, with the reason a client reads. */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String reason) {
            super(reason);
            this.status = status;
        }
    }

    private final ModelRegistry models;
    private final ServeMetrics metrics;
    private final Settings settings;
    private final Javalin app;
    private final LabelStudioBackend labelStudio;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    private ModelServer(ModelRegistry models, ServeMetrics metrics, Settings settings, LabelStudioBackend labelStudio) {
        this.models = models;
        this.metrics = metrics;
        this.settings = settings;
        this.labelStudio = labelStudio;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = settings.maxRequestBytes();
            config.routes.before(this::authorize);
            config.routes.get("/health", this::health);
            config.routes.get("/metrics", ctx -> ctx.contentType(ServeMetrics.CONTENT_TYPE).result(metrics.scrape()));
            config.routes.get("/v1/models", this::listModels);
            config.routes.post("/v1/models/{name}/predict", ctx -> predict(ctx, ctx.pathParam("name"), null));
            config.routes.post("/v1/models/{name}/versions/{version}/predict",
                    ctx -> predict(ctx, ctx.pathParam("name"), ctx.pathParam("version")));
            if (labelStudio != null) {
                config.routes.post("/setup", labelStudio::setup);
                config.routes.post("/predict", labelStudio::predict);
                config.routes.post("/webhook", labelStudio::webhook);
                config.routes.get("/v1/label-studio/status", labelStudio::status);
            }
            config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getStatus() == 413
                    ? String.format(java.util.Locale.ROOT, "the body is larger than the %,d bytes this server takes"
                            + " (serve --max-request-bytes): send fewer instances a request", settings.maxRequestBytes())
                    : e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> error(ctx, 500, "internal error: " + e));
        });
    }

    /** Starts serving {@code models}; fails before binding if the address is not loopback and there is no token. */
    public static ModelServer start(ModelRegistry models, ServeMetrics metrics, Settings settings) {
        return start(models, metrics, settings, null);
    }

    /** Starts serving {@code models}, with Label Studio's ML backend endpoints when {@code labelStudio} is given. */
    public static ModelServer start(ModelRegistry models, ServeMetrics metrics, Settings settings, LabelStudioBackend labelStudio) {
        if (!isLoopback(settings.host()) && (settings.token() == null || settings.token().isBlank())) {
            throw new IllegalArgumentException("serving on " + settings.host() + " (not loopback) needs a bearer token: set "
                    + "--token or DISTILLERY_TOKEN");
        }
        ModelServer server = new ModelServer(models, metrics, settings, labelStudio);
        server.app.start(settings.host(), settings.port());
        return server;
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "'");
        }
    }

    public int port() {
        return app.port();
    }

    private void authorize(Context ctx) {
        if (settings.token() == null || ctx.path().equals("/health")) {
            return;
        }
        String given = ctx.header("Authorization");
        byte[] expected = ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8);
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) { // constant time
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)");
        }
    }

    private void health(Context ctx) {
        // "UP" is what Label Studio's backend check reads; the same endpoint serves both
        ObjectNode body = JSON.createObjectNode().put("status", draining ? "DRAINING" : "UP").put("models", models.all().size());
        json(ctx, draining ? 503 : 200, body);
    }

    private void listModels(Context ctx) {
        ArrayNode list = JSON.createArrayNode();
        for (ModelRegistry.Entry e : models.all()) {
            Schema schema = e.predictor().schema();
            ObjectNode m = list.addObject().put("name", e.name()).put("version", e.version())
                    .put("runtime", e.predictor().runtime()).put("model", e.predictor().description())
                    .put("input", InputCheck.describe(schema)).put("source", e.source());
            schema.labels().forEach(m.putArray("labels")::add);
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("models", list);
        json(ctx, 200, body);
    }

    private void predict(Context ctx, String name, String version) {
        long arrived = System.nanoTime();
        if (draining) {
            throw new ApiError(503, "the server is shutting down");
        }
        ModelRegistry.Entry entry = models.find(name, version).orElseThrow(() -> new ApiError(404, "no model '" + name + "'"
                + (version == null ? "" : " version '" + version + "'") + "; GET /v1/models lists them"));
        JsonNode doc = readJson(ctx.bodyAsBytes());
        List<Example> instances = parse(doc, entry.predictor().schema());
        ClassThresholds decision = thresholds(doc, entry.predictor().schema().labels());
        long deadline = arrived + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
        CompletableFuture<float[][]> result;
        try {
            result = entry.batcher().submit(instances, deadline);
        } catch (Batcher.QueueFullException e) {
            ctx.header("Retry-After", "1");
            count(entry, 503, arrived);
            throw new ApiError(503, e.getMessage() + "; retry later");
        }
        inFlight.incrementAndGet();
        ctx.future(() -> result.handle((probs, failure) -> {
            try {
                if (failure == null) {
                    json(ctx, 200, answer(entry, probs, decision));
                    count(entry, 200, arrived);
                } else {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    int status = cause instanceof TimeoutException ? 504 : cause instanceof Batcher.QueueFullException ? 503 : 500;
                    error(ctx, status, status == 504 ? "no answer within " + settings.timeoutMillis() + " ms" : cause.getMessage());
                    count(entry, status, arrived);
                }
                return null;
            } finally {
                inFlight.decrementAndGet();
            }
        }));
    }

    private void count(ModelRegistry.Entry entry, int status, long arrivedNanos) {
        metrics.requests.labelValues(entry.name(), entry.version(), Integer.toString(status)).inc();
        metrics.latency.labelValues(entry.name(), entry.version()).observe((System.nanoTime() - arrivedNanos) / 1e9);
    }

    private ObjectNode answer(ModelRegistry.Entry entry, float[][] probs, ClassThresholds decision) {
        List<String> labels = entry.predictor().schema().labels();
        ObjectNode body = JSON.createObjectNode().put("model", entry.name()).put("version", entry.version());
        ArrayNode predictions = body.putArray("predictions");
        for (float[] row : probs) {
            ObjectNode p = predictions.addObject().put("label", labels.get(decision.decide(row)));
            ObjectNode byLabel = p.putObject("probabilities");
            for (int j = 0; j < row.length; j++) {
                byLabel.put(labels.get(j), row[j]);
            }
        }
        return body;
    }

    /** A request body as JSON, or a 400 saying why it is not. */
    static JsonNode readJson(byte[] body) {
        try {
            JsonNode doc = JSON.readTree(body);
            if (doc == null || !doc.isObject()) {
                throw new ApiError(400, "expected a JSON object");
            }
            return doc;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiError(400, "could not read the body: " + e.getMessage());
        }
    }

    /**
     * A request's {@code "thresholds": {label: p}} (none: the most probable label), or a 400 that names the label or the
     * value that is wrong.
     */
    static ClassThresholds thresholds(JsonNode doc, List<String> labels) {
        JsonNode given = doc.path("thresholds");
        if (given.isMissingNode() || given.isNull()) {
            return ClassThresholds.none(labels.size());
        }
        if (!given.isObject()) {
            throw new ApiError(400, "\"thresholds\" must be an object of label: probability, such as {\"" + labels.get(0) + "\": 0.2}");
        }
        Map<String, Float> byLabel = new java.util.LinkedHashMap<>();
        given.fields().forEachRemaining(f -> {
            if (!f.getValue().isNumber()) {
                throw new ApiError(400, "threshold for '" + f.getKey() + "' is " + f.getValue()
                        + ": expected a probability above 0 and at most 1");
            }
            byLabel.put(f.getKey(), f.getValue().floatValue());
        });
        try {
            return ClassThresholds.of(byLabel, labels);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    /**
     * A text model's instance: {"text": "..."}, the row of the model's own file with the text under the column it was
     * trained on ({"rede": "...", ...} after {@code --text-column rede}), or the text itself, "...", as TF Serving takes
     * a model of one input.
     */
    private static String text(JsonNode inst, String column, String where) {
        if (inst.isTextual()) {
            return inst.asText();
        }
        for (String key : column.equals("text") ? List.of("text") : List.of(column, "text")) {
            if (inst.path(key).isTextual()) {
                return inst.get(key).asText();
            }
        }
        throw new ApiError(400, where + "expected {\"" + column + "\": \"...\"}" + (column.equals("text") ? "" : " or {\"text\": \"...\"}")
                + " or the text itself as a string (this model reads text)");
    }

    /** The request's instances as examples for a model of {@code schema}, or a 400 naming what is wrong. */
    List<Example> parse(JsonNode doc, Schema schema) {
        if (!doc.path("instances").isArray()) {
            throw new ApiError(400, "expected a JSON object with an \"instances\" array");
        }
        JsonNode instances = doc.get("instances");
        if (instances.isEmpty()) {
            throw new ApiError(400, "\"instances\" is empty: send at least one");
        }
        if (instances.size() > settings.maxInstances()) {
            throw new ApiError(413, "\"instances\" has " + instances.size() + " entries; at most " + settings.maxInstances()
                    + " per request");
        }
        List<Example> out = new ArrayList<>(instances.size());
        for (int i = 0; i < instances.size(); i++) {
            JsonNode inst = instances.get(i);
            String where = "instance " + i + ": ";
            if (schema.kind() == Schema.Kind.TEXT) {
                out.add(Example.text("instance-" + i, text(inst, schema.columns().text(), where), null, "request"));
            } else if (inst.path("image").isTextual()) {
                out.add(Example.dense("instance-" + i, image(inst.get("image").asText(), schema, where), null, "request"));
            } else if (inst.isObject() && !inst.has("features") && !schema.featureNames().isEmpty()) {
                // A row as it is, {"age": 40, "region": "north"}, for a model trained on named columns: TF Serving's
                // row format, and the object a JSON Lines file holds per line.
                out.add(Example.dense("instance-" + i, namedFeatures(inst, schema, where), null, "request"));
            } else {
                if (!inst.path("features").isArray() && !inst.path("features").isObject()) {
                    throw new ApiError(400, where + "expected {\"features\": [...]} with " + InputCheck.describe(schema)
                            + (schema.featureNames().isEmpty() ? "" : ", or {\"features\": {\"NAME\": number, ...}} by column name")
                            + (schema.featureShape().size() == 3
                                    ? ", or {\"image\": \"<base64 " + dev.distillery.data.ImageFolderFormat.FORMATS + ">\"}" : ""));
                }
                out.add(Example.dense("instance-" + i, features(inst.get("features"), schema, where), null, "request"));
            }
        }
        return out;
    }

    /**
     * The features of one input as a model of {@code schema} takes them: a JSON array of finite numbers, possibly nested
     * (an image as rows of pixels, read row-major), of the schema's size; else a 400 that begins with {@code where}.
     * The one rule for every endpoint that takes features (predict, Label Studio).
     */
    static float[] features(JsonNode array, Schema schema, String where) {
        if (array.isObject()) {
            return namedFeatures(array, schema, where);
        }
        List<Float> values = new ArrayList<>();
        flatten(array, values, where);
        if (values.size() != schema.featureSize()) {
            throw new ApiError(400, where + "has " + values.size() + " features; expected " + InputCheck.describe(schema));
        }
        float[] f = new float[values.size()];
        for (int k = 0; k < f.length; k++) {
            f[k] = values.get(k);
        }
        return f;
    }

    /**
     * Features given by name, {@code {"alcohol": 13.2, ...}}, for a model trained on named columns (a CSV header): every
     * column the model was trained on, in any order, and no other; else a 400 naming what is missing or unknown.
     */
    private static float[] namedFeatures(JsonNode instance, Schema schema, String where) {
        JsonNode object = dev.distillery.data.JsonRecords.flat(instance); // {"customer": {"age": 30}} as a file's customer.age
        List<String> names = schema.featureNames();
        if (names.isEmpty()) {
            throw new ApiError(400, where + "this model's features have no names (its training data named no columns); "
                    + "expected {\"features\": [...]} with " + InputCheck.describe(schema));
        }
        // A category column may come as its value, {"region": "north"}, which sets its 0/1 features ("region=north").
        com.fasterxml.jackson.databind.node.ObjectNode given = object.deepCopy();
        object.fields().forEachRemaining(field -> {
            List<String> features = names.stream().filter(n -> field.getKey().equals(dev.distillery.data.CsvFormat.categoryOf(n))).toList();
            // A JSON true or false is the word a JSON Lines file's true or false is read as ("owner=true").
            if ((field.getValue().isTextual() || field.getValue().isNull() || field.getValue().isBoolean()) && !features.isEmpty()) {
                String value = field.getValue().isNull() ? "" : field.getValue().asText().strip();
                String chosen = InputCheck.sameCategoriesAs(List.of(field.getKey() + dev.distillery.data.CsvFormat.CATEGORY + value),
                        features).get(0); // a JSON false for a column trained on a CSV's False
                // A missing value (null, "", "NA", "none", "#N/A") is none of the categories, as a file's cell is.
                if (!dev.distillery.data.CsvFormat.isMissing(value) && !features.contains(chosen)) {
                    throw new ApiError(400, where + "\"" + field.getKey() + "\" is " + field.getValue() + ", a category the model was"
                            + " not trained on (it knows " + features.stream().map(n -> n.substring(field.getKey().length() + 1)).toList() + ")");
                }
                given.remove(field.getKey());
                features.forEach(n -> given.put(n, n.equals(chosen) ? 1 : 0));
            }
        });
        List<String> unknown = new ArrayList<>();
        given.fieldNames().forEachRemaining(n -> {
            // Words the model has no feature of (a name, a note, personal data, a date) and identifiers are passed over in a
            // file read for the model (CsvFormat), so a row sent whole carries them: passed over here too, not refused.
            // So are a row's id and its label, numbers or not (a row of the training file, sent as it is).
            boolean unread = given.get(n).isTextual() && dev.distillery.data.CsvFormat.numberIn(given.get(n).asText()) == null
                    || dev.distillery.data.CsvFormat.namesAnIdentifier(n) || n.equalsIgnoreCase("id")
                    || n.equalsIgnoreCase(schema.columns().label());
            if (!names.contains(n) && !unread) {
                unknown.add(n);
            }
        });
        List<String> missing = names.stream().filter(n -> !given.has(n)).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            throw new ApiError(400, where + (missing.isEmpty() ? "" : "lacks " + Schema.columnsOf(missing) + " ")
                    + (unknown.isEmpty() ? "" : "has " + unknown + " the model was not trained on ")
                    + "(expected the columns " + Schema.describeColumns(names) + ")");
        }
        float[] f = new float[names.size()];
        for (int k = 0; k < f.length; k++) {
            JsonNode v = given.get(names.get(k));
            Float fill = schema.fill().get(names.get(k));
            if ((v.isNull() || v.isTextual() && dev.distillery.data.CsvFormat.isMissing(v.asText())) && fill != null) {
                f[k] = fill; // a missing value, read as every file read for the model reads it (MissingValues)
                continue;
            }
            // A number sent as text ("59", "$26,186", "63%"), as forms and spreadsheets send them: read as a file's cell is.
            Float text = v.isTextual() ? dev.distillery.data.CsvFormat.numberIn(v.asText()) : null;
            if (text != null) {
                f[k] = text;
                continue;
            }
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw new ApiError(400, where + "\"" + names.get(k) + "\" is " + v + "; expected a finite number"
                        + (fill != null ? ", or null for a missing value" : ""));
            }
            f[k] = (float) v.asDouble();
        }
        return f;
    }

    /**
     * An image file's bytes, base64-encoded, as a model of {@code schema} reads it ({@link
     * dev.distillery.data.ImageFolderFormat#asModelInput}: scaled to the model's size); else a 400 that begins with
     * {@code where}.
     */
    static float[] image(String base64, Schema schema, String where) {
        if (schema.featureShape().size() != 3) {
            throw new ApiError(400, where + "this model does not read images; expected {\"features\": [...]} with "
                    + InputCheck.describe(schema));
        }
        java.awt.image.BufferedImage decoded;
        try {
            decoded = dev.distillery.data.ImageFolderFormat.decode(java.util.Base64.getMimeDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            decoded = null;
        }
        if (decoded == null) {
            throw new ApiError(400, where + "\"image\" is not a base64-encoded image: expected "
                    + dev.distillery.data.ImageFolderFormat.READ);
        }
        try {
            return dev.distillery.data.ImageFolderFormat.asModelInput(decoded, schema.featureShape());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, where + e.getMessage());
        }
    }

    /** Numbers of a possibly nested array (an image as rows of pixels), row-major. */
    private static void flatten(JsonNode node, List<Float> into, String where) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                flatten(v, into, where);
            } else if (v.isNumber() && Double.isFinite(v.asDouble())) {
                into.add((float) v.asDouble());
            } else {
                throw new ApiError(400, where + "features must be finite numbers, got " + v);
            }
        }
    }

    static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    private void error(Context ctx, int status, String reason) {
        metrics.errors.labelValues(ctx.path().startsWith("/v1/models/") ? "predict" : ctx.path(), Integer.toString(status)).inc();
        json(ctx, status, JSON.createObjectNode().put("error", reason == null ? "error " + status : reason));
    }

    /** Graceful stop: refuse new predictions, let those in flight finish (at most 10 s), then stop and free the models. */
    @Override
    public void close() {
        draining = true;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (labelStudio != null) {
            labelStudio.close();
        }
        models.close();
        app.stop();
    }

    /** For the CLI's listing: every model served, as name, version and runtime. */
    public List<Map<String, String>> describe() {
        List<Map<String, String>> out = new ArrayList<>();
        for (ModelRegistry.Entry e : models.all()) {
            out.add(Map.of("name", e.name(), "version", e.version(), "runtime", e.predictor().runtime(), "source", e.source()));
        }
        return out;
    }
}
