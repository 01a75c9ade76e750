package dev.distillery.federated;

import dev.distillery.data.Dataset;
import dev.distillery.model.Classifier;
import dev.distillery.model.ModelSpec;
import dev.distillery.train.ClassifierTrainer;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Federated training simulated in one process: the data split over clients, and rounds of FedAvg (McMahan et al., 2017)
 * or FedProx (Li et al., 2020): a random fraction of the clients each train the global model for a few local epochs with
 * the ordinary trainer on their own part only, and the coordinator moves the global model by the average of their
 * updates, weighted by example counts. Optionally through {@link SecureAggregation} (the coordinator sums masked
 * updates; the figure {@code secureAggMaxAbsDiff} checks the result against the plain average every round), with
 * simulated drop-outs, and with client-level differential privacy (updates clipped, Gaussian noise, privacy spent by
 * {@link PrivacyAccountant}). The same run trains the two references: centralized (the pooled data, as many epochs as
 * the federated run's clients did in all) and local-only (each client alone, its mean accuracy on the global test set).
 */
public final class FederatedTraining {
    /**
     * @param mu          FedProx's proximal weight (0 for FedAvg)
     * @param dropout     chance that a chosen client disappears mid-round, after the key exchange
     * @param clip        with DP: the norm updates are clipped to (0: no DP)
     * @param noise       with DP: the noise multiplier (standard deviation of the noise on the sum, over {@code clip})
     */
    public record Settings(int clients, Partition split, int rounds, int localEpochs, double fraction, String algorithm, double mu,
            boolean secure, double dropout, double clip, double noise, double delta, long seed, String serverOptimizer, double serverLr) {
        public Settings {
            new ServerOptimizer(serverOptimizer, serverLr); // validates both
            if (rounds < 1 || localEpochs < 1 || !(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("need rounds >= 1, local epochs >= 1 and a fraction in (0, 1]");
            }
            if (!algorithm.equals("fedavg") && !algorithm.equals("fedprox")) {
                throw new IllegalArgumentException("algorithm must be fedavg or fedprox, got: " + algorithm);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout must be in [0, 1), got: " + dropout);
            }
        }

        boolean privacy() {
            return clip > 0;
        }
    }

    /** One round: who took part, who dropped out, the global model's test figures, and what travelled. */
    public record Round(int round, List<Integer> clients, List<Integer> dropped, double testAccuracy, double testLoss,
            double secureAggMaxAbsDiff, long bytesUp, long bytesDown) {}

    public record Outcome(List<Round> rounds, List<Integer> clientSizes, double fedavgAccuracy, double centralizedAccuracy,
            double localOnlyAccuracy, List<Double> localAccuracies, double secureAggMaxAbsDiff, double bytesPerRound,
            double bytesPerClientRound, double epsilon, int centralizedEpochs) {
        public double ratioToCentralized() {
            return fedavgAccuracy / centralizedAccuracy;
        }
    }

    private final ModelSpec spec;
    private final TrainConfig local;
    private final Settings settings;
    private final TrainListener listener;

    /** {@code local} is each client's training configuration (optimizer, batch, learning rate); epochs come from settings. */
    public FederatedTraining(ModelSpec spec, TrainConfig local, Settings settings, TrainListener listener) {
        this.spec = spec;
        this.local = local.withMinSteps(0);
        this.settings = settings;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    public Outcome run(Dataset train, Dataset test, java.util.function.Consumer<Round> onRound) {
        List<Dataset> parts = settings.split().split(train, settings.clients(), settings.seed());
        List<Integer> sizes = parts.stream().map(Dataset::size).toList();
        listener.onMessage(String.format("%d clients (%s): %s examples", parts.size(), settings.split(), sizes));
        long singleClass = parts.stream().filter(p -> p.examples().stream().map(e -> e.label().orElse("")).distinct().count() == 1).count();
        if (singleClass * 2 >= parts.size() && settings.serverOptimizer().equals(ServerOptimizer.AVG)) {
            listener.onMessage(String.format("%d of %d clients hold one class only: the plain average of their updates tends to swing "
                    + "between the classes; the adam server optimizer (FedAdam) with plain SGD on the clients copes better", singleClass, parts.size()));
        }
        Random rng = new Random(settings.seed());
        ModelWeights global;
        try (Classifier init = Classifier.create(spec, train.schema()).initializeWeights(settings.seed())) {
            global = ModelWeights.of(init);
        }
        List<Round> rounds = new ArrayList<>();
        ServerOptimizer server = new ServerOptimizer(settings.serverOptimizer(), settings.serverLr());
        double maxDiff = 0;
        long clientEpochs = 0;
        for (int r = 1; r <= settings.rounds(); r++) {
            List<Integer> chosen = choose(parts.size(), rng);
            List<Integer> dropped = new ArrayList<>();
            for (int c : chosen) {
                if (rng.nextDouble() < settings.dropout() && dropped.size() < chosen.size() - 1) {
                    dropped.add(c);
                }
            }
            Map<Integer, float[]> updates = new LinkedHashMap<>();
            Map<Integer, Double> weights = new LinkedHashMap<>();
            for (int c : chosen) {
                if (dropped.contains(c)) {
                    continue; // it trains and disappears before sending: nothing of it reaches the coordinator
                }
                float[] delta = localUpdate(global, parts.get(c), r, c);
                clientEpochs += settings.localEpochs();
                if (settings.privacy()) {
                    clip(delta, settings.clip());
                    addNoise(delta, settings.noise() * settings.clip() / Math.sqrt(chosen.size() - dropped.size()), new Random(settings.seed() * 7919 + r * 131L + c));
                }
                updates.put(c, delta);
                weights.put(c, settings.privacy() ? 1.0 : parts.get(c).size());
            }
            float[] plain = weightedMean(updates, weights);
            float[] step = plain;
            double diff = 0;
            if (settings.secure()) {
                float[] secure = secureMean(updates, weights, chosen, dropped, r);
                for (int i = 0; i < plain.length; i++) {
                    diff = Math.max(diff, Math.abs(secure[i] - plain[i]));
                }
                step = secure;
                maxDiff = Math.max(maxDiff, diff);
            }
            global = global.plus(server.step(step));
            double[] lossAcc = evaluate(spec, global, test);
            int size = global.size();
            int senders = chosen.size() - dropped.size();
            long up = (long) senders * (settings.secure() ? 8L * (size + 1) + 32 : 4L * size + 8);
            long down = (long) chosen.size() * (4L * size + (settings.secure() ? 44L * chosen.size() : 0));
            Round round = new Round(r, chosen, dropped, lossAcc[1], lossAcc[0], diff, up, down);
            rounds.add(round);
            onRound.accept(round);
        }
        double fedavg = rounds.get(rounds.size() - 1).testAccuracy();
        int centralizedEpochs = (int) Math.max(1, Math.round(clientEpochs / (double) parts.size()));
        double centralized = centralized(train, test, centralizedEpochs);
        List<Double> localOnly = new ArrayList<>();
        for (int c = 0; c < parts.size(); c++) {
            localOnly.add(alone(parts.get(c), test, settings.rounds() * settings.localEpochs(), c));
        }
        double bytesPerRound = rounds.stream().mapToLong(x -> x.bytesUp() + x.bytesDown()).average().orElse(0);
        double perClient = rounds.stream().mapToDouble(x -> (x.bytesUp() + x.bytesDown()) / (double) x.clients().size()).average().orElse(0);
        double epsilon = settings.privacy() ? PrivacyAccountant.epsilon(settings.noise(), settings.fraction(), settings.rounds(), settings.delta())
                : Double.POSITIVE_INFINITY;
        return new Outcome(rounds, sizes, fedavg, centralized, localOnly.stream().mapToDouble(d -> d).average().orElse(0), localOnly,
                maxDiff, bytesPerRound, perClient, epsilon, centralizedEpochs);
    }

    /** The clients of a round: a random {@code fraction} of them, at least one, in ascending order. */
    private List<Integer> choose(int n, Random rng) {
        int k = Math.max(1, (int) Math.round(settings.fraction() * n));
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        java.util.Collections.shuffle(all, rng);
        List<Integer> chosen = new ArrayList<>(all.subList(0, k));
        java.util.Collections.sort(chosen);
        return chosen;
    }

    /** One client's round: the global model trained on its part for the local epochs; the change it made. */
    private float[] localUpdate(ModelWeights global, Dataset part, int round, int client) {
        try (Classifier model = Classifier.create(spec, part.schema())) {
            global.into(model);
            ClassifierTrainer trainer = new ClassifierTrainer(local.withEpochs(settings.localEpochs()).withSeed(settings.seed() + 1000L * round + client),
                    TrainListener.NONE, null);
            if (settings.algorithm().equals("fedprox")) {
                // FedProx's proximal term mu/2 |w - w_global|^2, applied as its own gradient step after each optimizer step
                float[] anchor = global.flat();
                float pull = (float) (settings.mu() * local.learningRate());
                trainer = trainer.afterEachStep(() -> {
                    ModelWeights now = ModelWeights.of(model);
                    float[] w = now.flat();
                    for (int i = 0; i < w.length; i++) {
                        w[i] -= pull * (w[i] - anchor[i]);
                    }
                    now.unflat(w).into(model);
                });
            }
            trainer.train(model, part, null);
            return ModelWeights.of(model).minus(global);
        }
    }

    /** The mean of the clients' updates, weighted (by example counts, or equally under DP). */
    static float[] weightedMean(Map<Integer, float[]> updates, Map<Integer, Double> weights) {
        double total = weights.values().stream().mapToDouble(d -> d).sum();
        float[] mean = null;
        for (Map.Entry<Integer, float[]> e : updates.entrySet()) {
            float[] u = e.getValue();
            if (mean == null) {
                mean = new float[u.length];
            }
            double w = weights.get(e.getKey()) / total;
            for (int i = 0; i < u.length; i++) {
                mean[i] += (float) (w * u[i]);
            }
        }
        return mean;
    }

    /**
     * The same weighted mean through secure aggregation: each sender masks (weight * update, weight) in fixed point with
     * every chosen client; the coordinator sums, removes the masks of the ones who dropped out with the secrets the
     * survivors reveal for them, and divides by the summed weight, the only count it learns.
     */
    private float[] secureMean(Map<Integer, float[]> updates, Map<Integer, Double> weights, List<Integer> chosen, List<Integer> dropped,
            int round) {
        Map<Integer, SecureAggregation.Party> parties = new LinkedHashMap<>();
        Map<Integer, byte[]> publicKeys = new LinkedHashMap<>();
        for (int c : chosen) {
            SecureAggregation.Party p = new SecureAggregation.Party(c);
            parties.put(c, p);
            publicKeys.put(c, p.publicKey());
        }
        long[] sum = null;
        for (Map.Entry<Integer, float[]> e : updates.entrySet()) {
            float[] u = e.getValue();
            float[] weighted = Arrays.copyOf(u, u.length + 1);
            double w = weights.get(e.getKey());
            for (int i = 0; i < u.length; i++) {
                weighted[i] = (float) (u[i] * w);
            }
            weighted[u.length] = (float) w;
            long[] masked = parties.get(e.getKey()).mask(SecureAggregation.encode(weighted), publicKeys, round);
            if (sum == null) {
                sum = new long[masked.length];
            }
            SecureAggregation.addInto(sum, masked);
        }
        for (int d : dropped) {
            for (int s : updates.keySet()) {
                SecureAggregation.unmaskDropped(sum, s, d, parties.get(s).secretWith(publicKeys.get(d)), round);
            }
        }
        return meanOfMaskedSum(sum);
    }

    /** The unmasked sum of (weight * update, weight) vectors, decoded and divided by the summed weight. */
    static float[] meanOfMaskedSum(long[] sum) {
        float[] decoded = SecureAggregation.decode(sum);
        float total = decoded[decoded.length - 1];
        float[] mean = new float[decoded.length - 1];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = decoded[i] / total;
        }
        return mean;
    }

    private static void clip(float[] delta, double norm) {
        double n = 0;
        for (float v : delta) {
            n += v * (double) v;
        }
        n = Math.sqrt(n);
        if (n > norm) {
            float scale = (float) (norm / n);
            for (int i = 0; i < delta.length; i++) {
                delta[i] *= scale;
            }
        }
    }

    private static void addNoise(float[] delta, double sd, Random rng) {
        for (int i = 0; i < delta.length; i++) {
            delta[i] += (float) (rng.nextGaussian() * sd);
        }
    }

    /** Test loss and accuracy of the model {@code spec} with {@code weights}. */
    static double[] evaluate(ModelSpec spec, ModelWeights weights, Dataset test) {
        try (Classifier model = Classifier.create(spec, test.schema())) {
            weights.into(model);
            return ClassifierTrainer.evaluateLossAndAccuracy(model, test.examples());
        }
    }

    /** Centralized reference: the pooled data, {@code epochs} epochs, the same local training configuration. */
    private double centralized(Dataset train, Dataset test, int epochs) {
        listener.onMessage("centralized reference: " + epochs + " epochs on the pooled data");
        try (Classifier model = Classifier.create(spec, train.schema())) {
            new ClassifierTrainer(local.withEpochs(epochs).withSeed(settings.seed()), listener, null).train(model, train, null);
            return ClassifierTrainer.evaluateLossAndAccuracy(model, test.examples())[1];
        }
    }

    /** Local-only reference: one client alone, as many epochs as the federated run's rounds times local epochs. */
    private double alone(Dataset part, Dataset test, int epochs, int client) {
        try (Classifier model = Classifier.create(spec, part.schema())) {
            new ClassifierTrainer(local.withEpochs(epochs).withSeed(settings.seed() + client), TrainListener.NONE, null).train(model, part, null);
            double acc = ClassifierTrainer.evaluateLossAndAccuracy(model, test.examples())[1];
            listener.onMessage(String.format("local-only client %d (%,d examples): test accuracy %.4f", client, part.size(), acc));
            return acc;
        }
    }
}
