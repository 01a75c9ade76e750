package dev.distillery.train;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Runs {@link SelfTraining}: a labeled round, then student rounds on labeled plus confident pseudo-labeled data. */
final class SelfTrainer {
    private final TrainConfig config;
    private final SelfTraining ssl;
    private final TrainListener listener;
    private final Consumer<Classifier> afterLabeledRound;
    private final Path checkpoints;

    /**
     * @param afterLabeledRound sees the model when the labeled round ends, before any unlabeled data teaches it: the
     *                          supervised-only model of the same run, so what the unlabeled data adds is measured in one run
     * @param checkpoints       where each round keeps its checkpoints ({@code round-0}, {@code round-1}, ...), or null
     */
    SelfTrainer(TrainConfig config, SelfTraining ssl, TrainListener listener, Consumer<Classifier> afterLabeledRound,
            Path checkpoints) {
        this.config = config;
        this.ssl = ssl;
        this.listener = listener == null ? TrainListener.NONE : listener;
        this.afterLabeledRound = afterLabeledRound == null ? m -> { } : afterLabeledRound;
        this.checkpoints = checkpoints;
    }

    private Path round(int n) {
        return checkpoints == null ? null : checkpoints.resolve("round-" + n);
    }

    /** Trains {@code model} in place: it ends holding the last student's weights. History spans all rounds. */
    TrainResult train(Classifier model, Dataset labeled, Dataset unlabeled, Dataset validation) {
        listener.onMessage(String.format("self-training round 0: %,d labeled examples", labeled.size()));
        TrainResult first = new ClassifierTrainer(config, listener, round(0)).train(model, labeled, validation);
        afterLabeledRound.accept(model);
        List<EpochStats> history = new ArrayList<>(first.history());
        int bestEpoch = first.bestEpoch();
        float learningRate = ssl.learningRate() != null ? ssl.learningRate() : config.learningRate();
        TrainConfig studentConfig = new TrainConfig(ssl.epochs(), config.batchSize(), learningRate, config.optimizer(),
                config.schedule(), config.weightDecay(), config.patience(), config.seed());
        if (ssl.method() == SelfTraining.Method.FIXMATCH) {
            for (int round = 1; round <= ssl.rounds(); round++) {
                listener.onMessage(String.format("FixMatch round %d: %,d labeled and %,d unlabeled examples, %d epochs", round,
                        labeled.size(), unlabeled.size(), ssl.epochs()));
                TrainConfig roundConfig = studentConfig.withSeed(config.seed() + round);
                try (FixMatch fixMatch = new FixMatch(model, labeled, unlabeled, roundConfig, ssl.threshold(), ssl.views(),
                        ssl.averageDecay(), history.size())) {
                    TrainResult r = new ClassifierTrainer(roundConfig, new EpochOffset(listener, history.size()), round(round))
                            .run(model, fixMatch, validation);
                    history.addAll(renumbered(r.history(), history.size()));
                }
            }
            return new TrainResult(history, history.size(), false, 0);
        }
        for (int round = 1; round <= ssl.rounds(); round++) {
            List<Example> mixed = new ArrayList<>(labeled.examples());
            float[][] probs = model.probabilities(unlabeled.examples(), 1024);
            int confident = 0;
            for (int i = 0; i < probs.length; i++) {
                int top = Classifier.argmax(probs[i]);
                if (probs[i][top] >= ssl.threshold()) {
                    mixed.add(unlabeled.get(i).withLabel(model.schema().labels().get(top)));
                    confident++;
                }
            }
            listener.onMessage(String.format("self-training round %d: %,d of %,d unlabeled examples pseudo-labeled at >= %.2f",
                    round, confident, probs.length, ssl.threshold()));
            if (confident == 0) {
                // A student taught nothing new would only be a worse-trained copy of the labeled round.
                listener.onMessage("no prediction reached the threshold; keeping the current model and stopping");
                break;
            }
            try (Classifier student = Classifier.create(model.spec(), model.schema())) {
                int offset = history.size();
                TrainResult r = new ClassifierTrainer(studentConfig.withSeed(config.seed() + round),
                        new EpochOffset(listener, offset), round(round))
                        .train(student, labeled.subset("labeled+pseudo", mixed), validation);
                BlockWeights.copy(student.block(), model.block());
                history.addAll(renumbered(r.history(), offset));
                bestEpoch = offset + r.bestEpoch();
            }
        }
        return new TrainResult(history, bestEpoch, false, 0);
    }

    private static List<EpochStats> renumbered(List<EpochStats> history, int offset) {
        return history.stream().map(e -> new EpochStats(offset + e.epoch(), e.trainLoss(), e.trainAccuracy(), e.valLoss(),
                e.valAccuracy(), e.learningRate(), e.seconds(), e.examplesPerSecond(), e.best())).toList();
    }

    /** Numbers a later round's epochs after the rounds before it, so the run's metrics have one line per epoch. */
    private record EpochOffset(TrainListener inner, int offset) implements TrainListener {
        @Override
        public void onEpochStart(int epoch, int totalEpochs, int batches) {
            inner.onEpochStart(offset + epoch, offset + totalEpochs, batches);
        }

        @Override
        public void onBatch(int epoch, int batch, double loss, double accuracy) {
            inner.onBatch(offset + epoch, batch, loss, accuracy);
        }

        @Override
        public void onEpochEnd(EpochStats e) {
            inner.onEpochEnd(renumbered(List.of(e), offset).get(0));
        }

        @Override
        public void onMessage(String message) {
            inner.onMessage(message);
        }
    }
}
