package dev.distillery.federated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.Dataset;
import dev.distillery.data.MissingValues;
import dev.distillery.data.InputCheck;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.model.ModelSpec;
import dev.distillery.train.ClassifierTrainer;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One silo of a federation ({@code distillery federate join}): joins a {@link Coordinator}, and for every round it is
 * chosen for trains the global model on its own data and sends back only its update, masked for secure aggregation.
 * Its data never leaves the process; what it sends is counted.
 */
public final class FederatedClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the client did: the rounds it trained, the secrets it revealed, its bytes, and the final global model's weights. */
    public record Outcome(int client, int roundsTrained, int reveals, long bytesSent, long bytesReceived, float[] finalWeights, ModelSpec spec,
            Schema schema) {}

    private final URI coordinator;
    private final String name;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private long sent;
    private long received;

    public FederatedClient(URI coordinator, String name) {
        this.coordinator = coordinator;
        this.name = name;
    }

    public Outcome run(Dataset data, Consumer<String> log) throws IOException, InterruptedException {
        SecureAggregation.Party party;
        JsonNode joined;
        ObjectNode join = JSON.createObjectNode().put("name", name);
        // the party's id is the coordinator's number for it, known only after joining: keys are made first, then bound
        SecureAggregation.Party keys = new SecureAggregation.Party(-1);
        join.put("public_key", Wire.bytes(keys.publicKey()));
        joined = post("/join", join);
        int id = joined.path("client").asInt();
        party = keys.withId(id);
        ModelSpec spec = JSON.treeToValue(joined.get("spec"), ModelSpec.class);
        Schema schema = JSON.treeToValue(joined.get("schema"), Schema.class);
        Dataset mine = InputCheck.conform(MissingValues.fill(data, schema, log), schema, InputCheck.Labels.MUST_BE_KNOWN);
        TrainConfig local = TrainConfig.defaults().withEpochs(joined.path("local_epochs").asInt()).withBatchSize(joined.path("batch_size").asInt())
                .withMinSteps(0);
        if (joined.has("learning_rate")) {
            local = local.withLearningRate((float) joined.get("learning_rate").asDouble());
        }
        boolean secure = joined.path("secure").asBoolean();
        long seed = joined.path("seed").asLong();
        log.accept(String.format("joined as client %d with %,d examples; %s", id, mine.size(), secure ? "secure aggregation" : "plain updates"));
        int trained = 0;
        int revealed = 0;
        Map<Integer, byte[]> lastPeers = Map.of();
        float[] lastGlobal = null;
        while (true) {
            JsonNode task = get("/task?client=" + id);
            if (task.path("done").asBoolean()) {
                return new Outcome(id, trained, revealed, sent, received, Wire.floats(task.path("weights").asText()), spec, schema);
            }
            if (task.has("train")) {
                int round = task.get("train").asInt();
                int tag = task.get("tag").asInt();
                float[] global = Wire.floats(task.get("weights").asText());
                Map<Integer, byte[]> peers = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = task.get("peers").fields(); it.hasNext(); ) {
                    var e = it.next();
                    peers.put(Integer.parseInt(e.getKey()), Wire.bytes(e.getValue().asText()));
                }
                float[] delta = train(spec, schema, global, mine, local.withSeed(seed + 1000L * round + id));
                ObjectNode update = JSON.createObjectNode().put("client", id).put("tag", tag);
                if (secure) {
                    float[] weighted = Arrays.copyOf(delta, delta.length + 1);
                    for (int i = 0; i < delta.length; i++) {
                        weighted[i] = delta[i] * mine.size();
                    }
                    weighted[delta.length] = mine.size();
                    update.put("masked", Wire.longs(party.mask(SecureAggregation.encode(weighted), peers, tag)));
                } else {
                    update.put("update", Wire.floats(delta)).put("weight", mine.size());
                }
                lastPeers = peers;
                if (postIfStillWanted("/update", update, log)) {
                    trained++;
                    log.accept(String.format("round %d: trained on %,d examples, sent the %s update", round, mine.size(), secure ? "masked" : "plain"));
                }
            } else if (task.has("reveal")) {
                ObjectNode secrets = JSON.createObjectNode();
                for (JsonNode d : task.get("dropped")) {
                    secrets.put(d.asText(), Wire.bytes(party.secretWith(lastPeers.get(d.asInt()))));
                }
                ObjectNode reveal = JSON.createObjectNode().put("client", id).put("tag", task.get("tag").asInt());
                reveal.set("secrets", secrets);
                if (postIfStillWanted("/reveal", reveal, log)) {
                    revealed++;
                }
                log.accept("round " + task.get("reveal").asInt() + ": revealed the secrets shared with dropped clients " + task.get("dropped"));
            }
        }
    }

    private static float[] train(ModelSpec spec, Schema schema, float[] global, Dataset data, TrainConfig local) {
        try (Classifier model = Classifier.create(spec, schema)) {
            ModelWeights start = ModelWeights.of(model.initializeWeights(0)).unflat(global);
            start.into(model);
            new ClassifierTrainer(local, TrainListener.NONE, null).train(model, data, null);
            return ModelWeights.of(model).minus(start);
        }
    }

    /**
     * Sends {@code body}; false when the coordinator no longer wants it (the round passed its deadline and moved on), in
     * which case the client simply asks for its next task.
     */
    private boolean postIfStillWanted(String path, JsonNode body, Consumer<String> log) throws IOException, InterruptedException {
        try {
            post(path, body);
            return true;
        } catch (Late e) {
            log.accept("too late for the coordinator (" + e.getMessage() + "); asking for the next task");
            return false;
        }
    }

    /** The coordinator refused a message because its round moved on. */
    private static final class Late extends IOException {
        Late(String message) {
            super(message);
        }
    }

    private JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
        String text = JSON.writeValueAsString(body);
        sent += text.length();
        return send(HttpRequest.newBuilder(coordinator.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)).build());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(coordinator.resolve(path)).timeout(Duration.ofSeconds(60)).GET().build());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("the coordinator at " + coordinator + " does not answer (stopped, or not started yet?)", e);
        }
        received += r.body().length();
        if (r.statusCode() == 409) {
            throw new Late(r.body());
        }
        if (r.statusCode() != 200) {
            throw new IOException("the coordinator at " + coordinator + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
