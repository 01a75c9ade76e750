package dev.distillery.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.JsonlFormat;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.NgramBagSpec;
import dev.distillery.run.RunStore;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Label Studio's calls, with bodies in the format its ML backend protocol documents. */
class LabelStudioBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = "<View><Text name=\"text\" value=\"$text\"/>"
            + "<Choices name=\"label\" toName=\"text\"><Choice value=\"ham\"/><Choice value=\"spam\"/></Choices></View>";

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();
    private ModelServer server;
    private LabelStudioBackend backend;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A text model made by a real training run, so it can be retrained. */
    private Path trainedModel(RunStore runs, DataCatalog catalog) {
        Path data = dir.resolve("texts.jsonl");
        JsonlFormat.write(TestData.texts(30, 1), data);
        TrainSpec spec = new TrainSpec(data.toString(), null, 0.3, 0.0, null, new NgramBagSpec(8, 2000, 2, 100),
                new TrainConfig(3, 16, 2e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 3), OnError.FAIL);
        return new TrainJob(catalog, runs, null).run(spec, "train", List.of()).run().modelDir();
    }

    private void start(Path modelDir, LabelStudioBackend.Retrainer retrainer, int every) {
        ServeMetrics metrics = new ServeMetrics();
        ModelRegistry registry = new ModelRegistry(metrics, new ModelRegistry.Batching(32, 0, 64));
        registry.add("spam", "1", modelDir.toString(), ModelRegistry.load(modelDir, ModelRegistry.Runtime.AUTO, 1));
        backend = new LabelStudioBackend(registry, "spam", dir.resolve("ls-state"), retrainer, every, 5000);
        server = ModelServer.start(registry, metrics, new ModelServer.Settings("127.0.0.1", 0, null, 5000, 1_000_000, 64), backend);
    }

    private JsonNode call(String method, String path, String body, int expectedStatus) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expectedStatus);
        return JSON.readTree(r.body());
    }

    private static String annotationEvent(int task, String text, String choice) {
        return JSON.createObjectNode().put("action", "ANNOTATION_CREATED").<com.fasterxml.jackson.databind.node.ObjectNode>set("annotation",
                JSON.createObjectNode().put("id", 100 + task).put("was_cancelled", false).set("result", JSON.createArrayNode().add(
                        JSON.createObjectNode().put("id", "r" + task).put("from_name", "label").put("to_name", "text").put("type", "choices")
                                .put("origin", "manual").set("value", JSON.createObjectNode().set("choices", JSON.createArrayNode().add(choice))))))
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("task", JSON.createObjectNode().put("id", task)
                        .set("data", JSON.createObjectNode().put("text", text)))
                .set("project", JSON.createObjectNode().put("id", 1).put("label_config", CONFIG)).toString();
    }

    @Test
    void aTableRowTaskAsLabelNextWritesItIsReadByColumnName() throws Exception {
        // the config and task shape of label next for a table: <Table value="$item"/>, data.item = {column: value}
        LabelConfig config = LabelConfig.parse("<View><Table name=\"table\" value=\"$item\"/><Choices name=\"label\" "
                + "toName=\"table\" choice=\"single\"><Choice value=\"a\"/><Choice value=\"b\"/></Choices></View>");
        dev.distillery.data.Schema schema = dev.distillery.data.Schema.dense(List.of(2L), List.of("a", "b"))
                .withFeatureNames(List.of("age", "income"));
        JsonNode task = JSON.readTree("{\"id\": 7, \"data\": {\"ref_id\": \"C1\", \"item\": {\"income\": 41000.5, \"age\": 30}}}");
        assertThat(LabelStudioBackend.example(task, schema, config, "task 7").features()).containsExactly(30f, 41000.5f);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LabelStudioBackend.example(
                        JSON.readTree("{\"id\": 8, \"data\": {\"item\": \"30, 41000\"}}"), schema, config, "task 8"))
                .hasMessageContaining("task 8: expected data.features with 2 numbers, or data.item as {column: number}");
    }

    @Test
    void setupPredictAndWebhookRetrainingInARealRun() throws Exception {
        RunStore runs = new RunStore(dir.resolve("runs"));
        DataCatalog catalog = new DataCatalog(dir.resolve("datasets"));
        Path model = trainedModel(runs, catalog);
        start(model, new TrainRunRetrainer(catalog, runs, model, ModelRegistry.Runtime.AUTO, 1), 3);

        assertThat(call("GET", "/health", null, 200).get("status").asText()).isEqualTo("UP");
        JsonNode setup = call("POST", "/setup", JSON.createObjectNode().put("project", "1.1700000000").put("schema", CONFIG)
                .put("hostname", "http://localhost:8080").put("access_token", "x").toString(), 200);
        assertThat(setup.get("model_version").asText()).isEqualTo("spam@1");

        String tasks = "{\"tasks\": [{\"id\": 7, \"data\": {\"text\": \"free money winner click the prize\"}},"
                + " {\"id\": 8, \"data\": {\"text\": \"meeting agenda and patch review\"}}], \"project\": \"1.1700000000\","
                + " \"label_config\": " + JSON.writeValueAsString(CONFIG) + ", \"params\": {\"login\": null, \"context\": null}}";
        JsonNode predicted = call("POST", "/predict", tasks, 200);
        assertThat(predicted.get("results")).hasSize(2);
        JsonNode first = predicted.get("results").get(0);
        JsonNode result = first.get("result").get(0);
        assertThat(result.get("from_name").asText()).isEqualTo("label");
        assertThat(result.get("to_name").asText()).isEqualTo("text");
        assertThat(result.get("type").asText()).isEqualTo("choices");
        assertThat(result.get("value").get("choices").get(0).asText()).isIn("ham", "spam");
        assertThat(first.get("score").asDouble()).isBetween(0.5, 1.0);
        assertThat(first.get("model_version").asText()).isEqualTo("spam@1");

        // three annotations start a retraining: a real training run, measured on the same held-out data
        assertThat(call("POST", "/webhook", annotationEvent(1, "cheap offer click now", "spam"), 201).get("status").asText()).isEqualTo("stored");
        call("POST", "/webhook", annotationEvent(2, "lunch schedule thanks", "ham"), 201);
        assertThat(call("POST", "/webhook", annotationEvent(3, "winner winner prize", "spam"), 201).get("status").asText())
                .isEqualTo("retraining");
        backend.awaitIdle(120_000);
        JsonNode status = call("GET", "/v1/label-studio/status", null, 200);
        assertThat(status.get("annotations").asInt()).isEqualTo(3);
        JsonNode h = status.get("history").get(0);
        assertThat(h.has("error")).as(h.toString()).isFalse();
        assertThat(runs.root().resolve(h.get("run").asText())).isDirectory();
        boolean switched = h.get("new_accuracy").asDouble() > h.get("current_accuracy").asDouble();
        assertThat(h.get("switched").asBoolean()).isEqualTo(switched);
        assertThat(call("POST", "/predict", tasks, 200).get("model_version").asText()).isEqualTo(switched ? "spam@2" : "spam@1");
        assertThat(Files.readAllLines(dir.resolve("ls-state/annotations.jsonl"))).hasSize(3).allMatch(l -> l.contains("\"label\""));

        // other events are acknowledged and ignored
        assertThat(call("POST", "/webhook", "{\"action\": \"PROJECT_UPDATED\", \"project\": {\"id\": 1}}", 200).get("status").asText())
                .isEqualTo("ignored");
    }

    @Test
    void switchesVersionOnlyWhenTheRetrainedModelIsBetterAndRefusesBadConfigs() throws Exception {
        RunStore runs = new RunStore(dir.resolve("runs"));
        DataCatalog catalog = new DataCatalog(dir.resolve("datasets"));
        Path model = trainedModel(runs, catalog);
        AtomicInteger calls = new AtomicInteger();
        double[] accuracies = {0.70, 0.95}; // the first retraining is worse than the bar of 0.80, the second better
        LabelStudioBackend.Retrainer fake = new LabelStudioBackend.Retrainer() {
            public String unavailableReason() {
                return null;
            }

            public double baselineAccuracy() {
                return 0.80;
            }

            public LabelStudioBackend.Outcome retrain(Path annotations, double current) {
                double acc = accuracies[calls.getAndIncrement()];
                return new LabelStudioBackend.Outcome("fake-" + calls.get(), acc, current,
                        () -> ModelRegistry.load(model, ModelRegistry.Runtime.DJL, 1));
            }
        };
        start(model, fake, 1);
        call("POST", "/setup", JSON.createObjectNode().put("project", "1").put("schema", CONFIG).toString(), 200);
        call("POST", "/webhook", annotationEvent(1, "cheap offer", "spam"), 201);
        backend.awaitIdle(30_000);
        call("POST", "/webhook", annotationEvent(2, "agenda", "ham"), 201);
        backend.awaitIdle(30_000);
        JsonNode history = call("GET", "/v1/label-studio/status", null, 200).get("history");
        assertThat(history.get(0).get("switched").asBoolean()).isFalse();
        assertThat(history.get(1).get("switched").asBoolean()).isTrue();
        assertThat(history.get(1).get("current_accuracy").asDouble()).isEqualTo(0.80);
        assertThat(history.get(1).get("version").asText()).isEqualTo("2");
        JsonNode models = call("GET", "/v1/models", null, 200).get("models");
        assertThat(models).hasSize(2);

        String missingLabel = CONFIG.replace("<Choice value=\"spam\"/>", "");
        assertThat(call("POST", "/setup", JSON.createObjectNode().put("project", "2").put("schema", missingLabel).toString(), 400)
                .get("error").asText()).contains("lack the model's labels [spam]");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE v [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><View>&x;</View>";
        assertThat(call("POST", "/setup", JSON.createObjectNode().put("project", "3").put("schema", xxe).toString(), 400)
                .get("error").asText()).contains("not well-formed");
        assertThat(call("POST", "/predict", "{\"tasks\": [{\"id\": 1, \"data\": {\"body\": \"x\"}}], \"project\": \"1\"}", 400)
                .get("error").asText()).contains("data.text is not text");
        assertThat(call("POST", "/predict", "{\"tasks\": [{\"data\": {\"text\": \"x\"}}], \"project\": \"unknown\"}", 400)
                .get("error").asText()).contains("call /setup first");
    }
}
