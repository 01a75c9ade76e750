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
            // At least stepsPerRound steps in the configured epochs, made of several passes over a small set: one epoch
            // per step would have checkpointed a 131,072-row n-gram table and its moments after each of 4,267 one-step
            // epochs (12 labels, batch 128: 400 GB written a round).
            TrainConfig c = new TrainConfig(config.epochs(), config.batchSize(), config.learningRate(), config.optimizer(),
                    config.schedule(), config.weightDecay(), 0, config.seed() + round,
                    Math.max(config.minSteps(), settings.stepsPerRound()));
            Path phase = checkpoints == null ? null : checkpoints.resolve(strategy.label() + "-round-" + round);
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
                    return curve;
                }
                int n = Math.min(settings.batch(), settings.budget() - bought.size());
                float[][] probs = strategy.needsProbabilities() ? model.probabilities(rest, 1024) : new float[rest.size()][];
                float[][] embeddings = strategy.needsEmbeddings() ? model.embeddings(rest, 1024) : null;
                float[][] labeled = strategy.needsLabeledEmbeddings() ? model.embeddings(bought, 1024) : null;
                int[] picked = strategy.select(probs, embeddings, labeled, n, rng);
                Set<Integer> chosen = new HashSet<>();
                for (int i : picked) {
                    chosen.add(i);
                    bought.add(rest.get(i));
                }
                List<Example> remaining = new ArrayList<>(rest.size() - picked.length);
                for (int i = 0; i < rest.size(); i++) {
                    if (!chosen.contains(i)) {
                        remaining.add(rest.get(i));
                    }
                }
                rest = remaining;
            }
        }
    }

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
