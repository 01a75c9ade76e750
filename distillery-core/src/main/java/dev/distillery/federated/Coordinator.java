package dev.distillery.federated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.Dataset;
import dev.distillery.model.Classifier;
import dev.distillery.model.ModelSpec;
import dev.distillery.train.TrainConfig;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The coordinator of federated training across processes ({@code distillery federate coordinator}): an HTTP server on
 * which clients join, fetch each round's global model, and send back their update, masked by {@link SecureAggregation}
 * unless turned off. It never sees a client's data or, with secure aggregation, a client's update: only their sum. A
 * round waits for its clients until a deadline; the masks of those that did not answer are removed with the secrets the
 * others reveal for them, and if those do not come either the round runs again (with fresh masks). Clients that stop
 * answering are left out of later rounds until they poll again, so no client can stall the coordinator for long.
 */
public final class Coordinator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a client's poll for work is held open before it is told to ask again. */
    private static final long POLL_MS = 15_000;
    private static final long LAST_REPLY_GRACE_MS = 500;

    /**
     * @param roundTimeoutSeconds how long a round waits for updates, and then for revealed secrets
     * @param joinTimeoutSeconds  how long to wait for all clients to join
     */
    public record Settings(String host, int port, int clients, int rounds, int localEpochs, double fraction, boolean secure,
            double roundTimeoutSeconds, double joinTimeoutSeconds, long seed, String serverOptimizer, double serverLr) {
        public Settings {
            new ServerOptimizer(serverOptimizer, serverLr); // validates both
        }
    }

    /** One round as the coordinator saw it. */
    public record Round(int round, int attempts, List<Integer> participants, List<Integer> dropped, double testAccuracy, double testLoss,
            long bytesUp, long bytesDown) {}

    public record Result(List<Round> rounds, ModelWeights global, Map<Integer, String> clientNames) {}

    private final Settings settings;
    private final ModelSpec spec;
    private final TrainConfig local;
    private final Dataset test;
    private final Javalin app;
    private final Object lock = new Object();
    // --- guarded by lock
    private final Map<Integer, byte[]> keys = new TreeMap<>();
    private final Map<Integer, String> names = new TreeMap<>();
    private final Map<Integer, Long> lastSeen = new HashMap<>();
    /** When each client last missed a round's deadline: it is left out until it polls again. */
    private final Map<Integer, Long> missedAt = new HashMap<>();
    /** Clients that were handed the final model: the coordinator stops only when every live one has been. */
    private final java.util.Set<Integer> toldDone = new java.util.HashSet<>();
    private String phase = "joining";
    private int round;
    private int tag; // the mask stream of the current attempt: a retried round never reuses masks
    private List<Integer> participants = List.of();
    private final Map<Integer, long[]> masked = new LinkedHashMap<>();
    private final Map<Integer, float[]> plain = new LinkedHashMap<>();
    private final Map<Integer, Double> plainWeights = new LinkedHashMap<>();
    private List<Integer> dropped = List.of();
    private final Map<Integer, Map<Integer, byte[]>> reveals = new HashMap<>();
    private String globalMessage;
    private long bytesUp;
    private long bytesDown;

    public Coordinator(ModelSpec spec, TrainConfig local, Dataset test, Settings settings) {
        this.spec = spec;
        this.local = local;
        this.test = test;
        this.settings = settings;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = 1L << 30;
            config.routes.post("/join", this::join);
            config.routes.get("/task", this::task);
            config.routes.post("/update", this::update);
            config.routes.post("/reveal", this::reveal);
        });
    }

    /** Starts listening; {@link #run} then drives the rounds. */
    public Coordinator start() {
        app.start(settings.host(), settings.port());
        return this;
    }

    public int port() {
        return app.port();
    }

    /** Waits for the clients, runs every round, and returns the global model and what each round did. */
    public Result run(Consumer<Round> onRound, Consumer<String> log) throws InterruptedException {
        ModelWeights global;
        try (Classifier init = Classifier.create(spec, test.schema()).initializeWeights(settings.seed())) {
            global = ModelWeights.of(init);
        }
        ServerOptimizer server = new ServerOptimizer(settings.serverOptimizer(), settings.serverLr());
        synchronized (lock) {
            long until = System.currentTimeMillis() + (long) (settings.joinTimeoutSeconds() * 1000);
            while (keys.size() < settings.clients()) {
                long left = until - System.currentTimeMillis();
                if (left <= 0) {
                    throw new IllegalStateException(keys.size() + " of " + settings.clients() + " clients joined within "
                            + settings.joinTimeoutSeconds() + " s");
                }
                lock.wait(left);
            }
        }
        log.accept(settings.clients() + " clients joined: " + names.values());
        Random rng = new Random(settings.seed());
        List<Round> rounds = new ArrayList<>();
        for (int r = 1; r <= settings.rounds(); r++) {
            float[] step = null;
            int attempts = 0;
            long up0;
            long down0;
            synchronized (lock) {
                up0 = bytesUp;
                down0 = bytesDown;
            }
            List<Integer> chosen = List.of();
            List<Integer> missing = List.of();
            while (step == null) {
                attempts++;
                if (attempts > 5) {
                    throw new IllegalStateException("round " + r + " failed 5 times: too few clients answer");
                }
                chosen = choose(rng);
                if (chosen.isEmpty()) {
                    log.accept("round " + r + ": no client has polled recently; waiting");
                    Thread.sleep(1000);
                    continue;
                }
                synchronized (lock) {
                    round = r;
                    tag = r * 64 + attempts;
                    participants = chosen;
                    masked.clear();
                    plain.clear();
                    plainWeights.clear();
                    reveals.clear();
                    dropped = List.of();
                    globalMessage = Wire.floats(global.flat());
                    phase = "training";
                    lock.notifyAll();
                    awaitLocked(() -> (settings.secure() ? masked.keySet() : plain.keySet()).containsAll(participants));
                    missing = participants.stream().filter(c -> !(settings.secure() ? masked : plain).containsKey(c)).toList();
                    long now = System.currentTimeMillis();
                    missing.forEach(c -> missedAt.put(c, now));
                    if (missing.size() == participants.size()) {
                        log.accept("round " + r + ": no update arrived before the deadline; running it again");
                        continue;
                    }
                    if (!missing.isEmpty() && settings.secure()) {
                        dropped = missing;
                        phase = "revealing";
                        lock.notifyAll();
                        List<Integer> survivors = participants.stream().filter(masked::containsKey).toList();
                        awaitLocked(() -> reveals.keySet().containsAll(survivors));
                        if (!reveals.keySet().containsAll(survivors)) {
                            log.accept("round " + r + ": clients " + missing + " dropped out and not every other client revealed its "
                                    + "secrets with them; running the round again");
                            continue;
                        }
                    }
                    phase = "aggregating";
                    step = settings.secure() ? unmaskedMean(missing) : FederatedTraining.weightedMean(plain, plainWeights);
                }
            }
            global = global.plus(server.step(step));
            double[] lossAcc = FederatedTraining.evaluate(spec, global, test);
            Round done;
            synchronized (lock) {
                done = new Round(r, attempts, chosen, missing, lossAcc[1], lossAcc[0], bytesUp - up0, bytesDown - down0);
            }
            rounds.add(done);
            onRound.accept(done);
        }
        synchronized (lock) {
            globalMessage = Wire.floats(global.flat());
            phase = "done";
            lock.notifyAll();
            // Stopping the server at once would cut off clients still finishing their last round: they would see a
            // refused connection instead of the final model. Live clients get up to one round timeout to collect it.
            List<Integer> live = keys.keySet().stream().filter(c -> lastSeen.getOrDefault(c, 0L) > missedAt.getOrDefault(c, -1L)).toList();
            awaitLocked(() -> toldDone.containsAll(live));
        }
        Thread.sleep(LAST_REPLY_GRACE_MS); // the last "done" replies are written after their handlers return
        return new Result(rounds, global, Map.copyOf(names));
    }

    /** Waits (holding the lock between checks) until {@code done} or the round deadline. */
    private void awaitLocked(java.util.function.BooleanSupplier done) throws InterruptedException {
        long until = System.currentTimeMillis() + (long) (settings.roundTimeoutSeconds() * 1000);
        while (!done.getAsBoolean()) {
            long left = until - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            lock.wait(left);
        }
    }

    /**
     * Clients that polled within the last round timeout and have not missed a deadline since they last polled (alive), a
     * {@code fraction} of them, at least one.
     */
    private List<Integer> choose(Random rng) {
        synchronized (lock) {
            long now = System.currentTimeMillis();
            List<Integer> alive = new ArrayList<>(keys.keySet().stream()
                    .filter(c -> now - lastSeen.getOrDefault(c, 0L) <= settings.roundTimeoutSeconds() * 1000 + POLL_MS)
                    .filter(c -> lastSeen.getOrDefault(c, 0L) > missedAt.getOrDefault(c, -1L)).toList());
            java.util.Collections.shuffle(alive, rng);
            int k = Math.max(1, (int) Math.round(settings.fraction() * alive.size()));
            List<Integer> chosen = new ArrayList<>(alive.subList(0, Math.min(k, alive.size())));
            java.util.Collections.sort(chosen);
            return chosen;
        }
    }

    private float[] unmaskedMean(List<Integer> missing) {
        long[] sum = null;
        for (long[] m : masked.values()) {
            if (sum == null) {
                sum = new long[m.length];
            }
            SecureAggregation.addInto(sum, m);
        }
        for (Map.Entry<Integer, Map<Integer, byte[]>> e : reveals.entrySet()) {
            for (int d : missing) {
                SecureAggregation.unmaskDropped(sum, e.getKey(), d, e.getValue().get(d), tag);
            }
        }
        return FederatedTraining.meanOfMaskedSum(sum);
    }

    /** The global model with {@code weights}, for saving. */
    public Classifier model(ModelWeights weights) {
        Classifier model = Classifier.create(spec, test.schema());
        weights.into(model);
        return model;
    }

    // ---- HTTP

    private void join(Context ctx) throws Exception {
        JsonNode body = JSON.readTree(ctx.body());
        byte[] key = Wire.bytes(body.path("public_key").asText());
        ObjectNode reply = JSON.createObjectNode();
        synchronized (lock) {
            if (!phase.equals("joining")) {
                throw new BadRequestResponse("the federation has started; it takes no more clients");
            }
            int id = keys.size();
            keys.put(id, key);
            names.put(id, body.path("name").asText("client " + id));
            lastSeen.put(id, System.currentTimeMillis());
            bytesUp += ctx.bodyAsBytes().length;
            reply.put("client", id);
            reply.set("spec", JSON.valueToTree(spec));
            reply.set("schema", JSON.valueToTree(test.schema()));
            reply.put("local_epochs", settings.localEpochs());
            reply.put("batch_size", local.batchSize());
            if (local.hasLearningRate()) {
                reply.put("learning_rate", local.learningRate());
            }
            reply.put("optimizer", local.optimizer().name());
            reply.put("seed", settings.seed());
            reply.put("secure", settings.secure());
            lock.notifyAll();
        }
        respond(ctx, reply);
    }

    /** A client's long poll: train this round, reveal secrets for dropped peers, wait, or stop. */
    private void task(Context ctx) throws Exception {
        int id = client(ctx.queryParam("client"));
        ObjectNode reply = JSON.createObjectNode();
        synchronized (lock) {
            long until = System.currentTimeMillis() + POLL_MS;
            while (true) {
                lastSeen.put(id, System.currentTimeMillis());
                if (phase.equals("done")) {
                    reply.put("done", true);
                    reply.put("weights", globalMessage);
                    break;
                }
                if (phase.equals("training") && participants.contains(id) && !masked.containsKey(id) && !plain.containsKey(id)) {
                    reply.put("train", round);
                    reply.put("tag", tag);
                    reply.put("weights", globalMessage);
                    ObjectNode peers = reply.putObject("peers");
                    participants.forEach(p -> peers.put(String.valueOf(p), Wire.bytes(keys.get(p))));
                    break;
                }
                if (phase.equals("revealing") && masked.containsKey(id) && !reveals.containsKey(id)) {
                    reply.put("reveal", round);
                    reply.put("tag", tag);
                    var list = reply.putArray("dropped");
                    dropped.forEach(list::add);
                    break;
                }
                long left = until - System.currentTimeMillis();
                if (left <= 0) {
                    reply.put("wait", true);
                    break;
                }
                lock.wait(left);
            }
        }
        respond(ctx, reply);
        if (reply.path("done").asBoolean()) {
            synchronized (lock) {
                toldDone.add(id);
                lock.notifyAll();
            }
        }
    }

    private void update(Context ctx) throws Exception {
        JsonNode body = JSON.readTree(ctx.body());
        int id = client(body.path("client").asText());
        synchronized (lock) {
            bytesUp += ctx.bodyAsBytes().length;
            // An update after the round moved on is refused: its masks may have been revealed already.
            if (!phase.equals("training") || body.path("tag").asInt() != tag || !participants.contains(id)) {
                throw new io.javalin.http.ConflictResponse("not expecting an update from client " + id + " now");
            }
            if (settings.secure()) {
                masked.put(id, Wire.longs(body.path("masked").asText()));
            } else {
                plain.put(id, Wire.floats(body.path("update").asText()));
                plainWeights.put(id, body.path("weight").asDouble());
            }
            lock.notifyAll();
        }
        respond(ctx, JSON.createObjectNode().put("ok", true));
    }

    private void reveal(Context ctx) throws Exception {
        JsonNode body = JSON.readTree(ctx.body());
        int id = client(body.path("client").asText());
        synchronized (lock) {
            bytesUp += ctx.bodyAsBytes().length;
            if (!phase.equals("revealing") || body.path("tag").asInt() != tag || !masked.containsKey(id)) {
                throw new io.javalin.http.ConflictResponse("not expecting secrets from client " + id + " now");
            }
            Map<Integer, byte[]> secrets = new HashMap<>();
            for (int d : dropped) {
                secrets.put(d, Wire.bytes(body.path("secrets").path(String.valueOf(d)).asText()));
            }
            reveals.put(id, secrets);
            lock.notifyAll();
        }
        respond(ctx, JSON.createObjectNode().put("ok", true));
    }

    private int client(String id) {
        try {
            int c = Integer.parseInt(id);
            synchronized (lock) {
                if (!keys.containsKey(c)) {
                    throw new BadRequestResponse("unknown client " + id);
                }
            }
            return c;
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("client must be a number, got: " + id);
        }
    }

    private void respond(Context ctx, JsonNode reply) throws Exception {
        String text = JSON.writeValueAsString(reply);
        synchronized (lock) {
            bytesDown += text.length();
        }
        ctx.contentType("application/json").result(text);
    }

    @Override
    public void close() {
        app.stop();
    }
}
