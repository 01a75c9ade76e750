package dev.distillery.label;

import dev.distillery.eval.Evaluation;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import dev.distillery.model.Classifier;
import dev.distillery.model.ModelSpec;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Active learning simulated on a labeled pool whose labels stay hidden until "bought": every strategy
 * starts from the same seeded random labeled set, and each round trains a fresh model on what has been
 * bought, tests it, and buys the next batch the strategy picks. The learning curves (test accuracy
 * against labels bought) show how many labels each strategy needs to reach a target.
 *
 * <p>Each round trains for a fixed number of optimizer steps (at least {@code config.epochs()} epochs), so small
 * labeled sets are not under-trained merely for being small.
 */
public final class ActiveLearningSimulation {

    /** One point of a learning curve. */
    public record Point(int labels, double accuracy) {}

    /** Settings of a simulation. */
    public record Settings(int initial, int batch, int budget, int stepsPerRound, double target) {
        public Settings {
            if (initial < 1 || batch < 1 || budget < initial || stepsPerRound < 1) {
                throw new IllegalArgumentException("need initial >= 1, batch >= 1, budget >= initial, steps >= 1; got "
                        + initial + ", " + batch + ", " + budget + ", " + stepsPerRound);
            }
        }
    }

    private final ModelSpec spec;
    private final TrainConfig config;
    private final Settings settings;
    private final TrainListener listener;
    private final Path checkpoints;

    public ActiveLearningSimulation(ModelSpec spec, TrainConfig config, Settings settings, TrainListener listener) {
        this(spec, config, settings, listener, null);
    }

    /**
     * @param spec        the model every round fits; null for the one {@code --model auto} chooses on each round's labels
     * @param checkpoints where each round's training keeps its checkpoints ({@code <strategy>-round-N}), so an
     *     interrupted simulation continues where it was; null for none
     */
    public ActiveLearningSimulation(ModelSpec spec, TrainConfig config, Settings settings, TrainListener listener,
            Path checkpoints) {
        this.spec = spec;
        this.config = config;
        this.settings = settings;
        this.listener = listener == null ? TrainListener.NONE : listener;
        this.checkpoints = checkpoints;
    }

    /** The learning curve of each strategy, in the order given. */
    public Map<Strategy, List<Point>> run(Dataset pool, Dataset test, List<Strategy> strategies) {
        Set<String> initial = new HashSet<>();
        Splits.labeledSubset(pool, settings.initial(), config.seed()).first().examples().forEach(e -> initial.add(e.id()));
        Map<Strategy, List<Point>> curves = new LinkedHashMap<>();
        for (Strategy s : strategies) {
            curves.put(s, curve(pool, test, s, initial));
        }
        return curves;
    }

    private List<Point> curve(Dataset pool, Dataset test, Strategy strategy, Set<String> initial) {
        List<Example> bought = new ArrayList<>();
        List<Example> rest = new ArrayList<>();
        for (Example e : pool.examples()) {
            (initial.contains(e.id()) ? bought : rest).add(e);
        }
        Random rng = new Random(config.seed() * 31 + strategy.ordinal());
        List<Point> curve = new ArrayList<>();
        for (int round = 0; ; round++) {
            Path phase = checkpoints == null ? null : checkpoints.resolve(strategy.label() + "-round-" + round);
            RoundRecord done = RoundRecord.read(phase);
            if (done != null) { // finished before the run was stopped: its accuracy and picks, without its model
                curve.add(new Point(bought.size(), done.accuracy()));
                listener.onMessage(String.format("%-16s round %2d: %,6d labels, test accuracy %.4f (done before)", strategy.label(),
                        round, bought.size(), done.accuracy()));
                if (done.picked() == null) {
                    return curve;
                }
                rng = done.rng();
                rest = buy(done.picked(), rest, bought);
                continue;
            }
            // At least stepsPerRound steps in the configured epochs, made of several passes over a small set: one epoch
            // per step would have checkpointed a 131,072-row n-gram table and its moments after each of 4,267 one-step
            // epochs (12 labels, batch 128: 400 GB written a round).
            TrainConfig c = new TrainConfig(config.epochs(), config.batchSize(), config.learningRate(), config.optimizer(),
                    config.schedule(), config.weightDecay(), 0, config.seed() + round,
                    Math.max(config.minSteps(), settings.stepsPerRound()));
            // fitted as train fits it: a linear model by gradient steps lost accuracy as labels came (0.33 to 0.24 on a
            // wage table), and the svm, built without its size, failed
            Dataset boughtSet = pool.subset("bought", bought);
            // no model named: the one --model auto chooses on the labels bought so far, as label next chooses on its answers
            ModelSpec family = spec != null ? spec : dev.distillery.train.AutoSelect.chooseOrDefault(boughtSet, c, null);
            try (Classifier model = TrainJob.fitted(family, boughtSet, c, null, phase)) {
                double acc = Evaluation.of(model, test).accuracy();
                curve.add(new Point(bought.size(), acc));
                listener.onMessage(String.format("%-16s round %2d: %,6d labels, test accuracy %.4f%s", strategy.label(), round,
                        bought.size(), acc, spec != null ? "" : " (" + dev.distillery.train.AutoSelect.name(family) + ")"));
                if (bought.size() >= settings.budget() || rest.isEmpty()) {
                    RoundRecord.write(phase, new RoundRecord(acc, null, null));
                    return curve;
                }
                int n = Math.min(settings.batch(), settings.budget() - bought.size());
                float[][] probs = strategy.needsProbabilities() ? model.probabilities(rest, 1024) : new float[rest.size()][];
                float[][] embeddings = strategy.needsEmbeddings() ? model.embeddings(rest, 1024) : null;
                float[][] labeled = strategy.needsLabeledEmbeddings() ? model.embeddings(bought, 1024) : null;
                int[] picked = strategy.select(probs, embeddings, labeled, n, rng);
                List<String> ids = new ArrayList<>(picked.length);
                for (int i : picked) {
                    ids.add(rest.get(i).id());
                }
                rest = buy(ids, rest, bought);
                RoundRecord.write(phase, new RoundRecord(acc, ids, RoundRecord.state(rng)));
            }
        }
    }

    /** Moves the examples of {@code rest} named by {@code ids} to {@code bought}, in that order; the rest as it was. */
    private static List<Example> buy(List<String> ids, List<Example> rest, List<Example> bought) {
        Map<String, Example> byId = new java.util.HashMap<>();
        rest.forEach(e -> byId.put(e.id(), e));
        Set<String> chosen = new HashSet<>(ids);
        for (String id : ids) {
            bought.add(byId.get(id));
        }
        List<Example> remaining = new ArrayList<>(rest.size() - ids.size());
        for (Example e : rest) {
            if (!chosen.contains(e.id())) {
                remaining.add(e);
            }
        }
        return remaining;
    }

    /**
     * What a finished round leaves for a resumed simulation: its test accuracy, the ids it bought in order (null for the
     * last round) and the strategy's random state after its pick, in {@code round.json}. Its model's weights are deleted
     * then: every round kept them for a resumed run to pick again from (16 MB an n-gram model, 1.4 GB for a default
     * simulation of six strategies), where the picks themselves are a few kilobytes and give the same curves.
     */
    record RoundRecord(double accuracy, List<String> picked, String randomState) {
        static final String FILE = "round.json";

        static RoundRecord read(Path phase) {
            Path file = phase == null ? null : phase.resolve(FILE);
            if (file == null || !java.nio.file.Files.isRegularFile(file)) {
                return null;
            }
            try {
                return JSON.readValue(file.toFile(), RoundRecord.class);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("could not read " + file, e);
            }
        }

        static void write(Path phase, RoundRecord record) {
            if (phase == null) {
                return;
            }
            try {
                dev.distillery.util.AtomicFiles.write(phase.resolve(FILE), out -> JSON.writeValue(out, record));
                java.nio.file.Files.deleteIfExists(phase.resolve("final.params"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("could not clear " + phase, e);
            }
        }

        /** {@code rng}'s state as Java serializes it (its seed and cached Gaussian), in Base64. */
        static String state(Random rng) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
                out.writeObject(rng);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return java.util.Base64.getEncoder().encodeToString(bytes.toByteArray());
        }

        /** The strategy's random state after this round's pick ({@link #state}). */
        Random rng() {
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(
                    java.util.Base64.getDecoder().decode(randomState)))) {
                // a java.util.Random and nothing else: the file is read back, never trusted to name other classes
                in.setObjectInputFilter(java.io.ObjectInputFilter.Config.createFilter("java.util.Random;!*"));
                return (Random) in.readObject();
            } catch (java.io.IOException | ClassNotFoundException e) {
                throw new IllegalStateException("a round's saved random state could not be read", e);
            }
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Labels at the first round whose accuracy reaches {@code target}, or -1 if the curve never does. */
    public static int labelsToReach(List<Point> curve, double target) {
        for (Point p : curve) {
            if (p.accuracy() >= target) {
                return p.labels();
            }
        }
        return -1;
    }
}
