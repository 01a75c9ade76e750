package dev.distillery.train;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.util.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Trains a {@link Classifier} on DJL with a lean loop: each batch is built and freed inside its own
 * child {@link NDManager}, and the only per-batch metrics are the loss and accuracy the progress
 * bar shows. Keeps the weights of the best validation epoch, stops early when validation stops
 * improving, and writes a checkpoint after every epoch so an interrupted run can resume.
 *
 * <p>A resumed run restores the weights, the epoch counter, the schedule position and the history;
 * Adam's moment estimates start fresh, so a resumed run is close to, not bit-identical with, an
 * uninterrupted one.
 */
public final class ClassifierTrainer {
    static final String CHECKPOINT_STATE = "state.json";
    static final String CHECKPOINT_LAST = "last.params";
    static final String CHECKPOINT_BEST = "best.params";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TrainConfig config;
    private final TrainListener listener;
    private final Path checkpointDir;
    private final Objective objective;
    private final Runnable afterStep;

    /**
     * @param checkpointDir where to write per-epoch checkpoints and read them back on resume, or null
     *     for none
     */
    public ClassifierTrainer(TrainConfig config, TrainListener listener, Path checkpointDir) {
        this(config, listener, checkpointDir, Objective.HARD_LABELS);
    }

    /** A trainer that minimizes {@code objective}, e.g. a distillation loss, instead of plain cross-entropy. */
    public ClassifierTrainer(TrainConfig config, TrainListener listener, Path checkpointDir, Objective objective) {
        this(config, listener, checkpointDir, objective, () -> {});
    }

    private ClassifierTrainer(TrainConfig config, TrainListener listener, Path checkpointDir, Objective objective,
            Runnable afterStep) {
        this.config = config;
        this.listener = listener == null ? TrainListener.NONE : listener;
        this.checkpointDir = checkpointDir;
        this.objective = objective;
        this.afterStep = afterStep;
    }

    /**
     * A trainer that runs {@code hook} after every optimizer step, e.g. to re-apply a pruning mask
     * so that weights set to zero stay zero while the rest are fine-tuned.
     */
    public ClassifierTrainer afterEachStep(Runnable hook) {
        return new ClassifierTrainer(config, listener, checkpointDir, objective, hook);
    }

    /** The state saved after each epoch. */
    record CheckpointState(int epoch, int bestEpoch, double bestValAccuracy, int epochsWithoutImprovement,
            List<EpochStats> history) {}

    public TrainResult train(Classifier classifier, Dataset train, Dataset validation) {
        TrainConfig config = this.config.hasLearningRate() ? this.config
                : this.config.withLearningRate(classifier.spec().defaultLearningRate());
        return new ClassifierTrainer(config, listener, checkpointDir, objective, afterStep)
                .trainResolved(classifier, train, validation);
    }

    private TrainResult trainResolved(Classifier classifier, Dataset train, Dataset validation) {
        checkData(classifier.schema(), train, "training", objective.requiresLabels());
        if (validation != null) {
            checkData(classifier.schema(), validation, "validation", true);
        }
        List<Example> examples = train.examples();
        int batchesPerEpoch = (examples.size() + config.batchSize() - 1) / config.batchSize();
        long totalSteps = (long) batchesPerEpoch * config.epochs();
        AtomicLong step = new AtomicLong();
        Tracker lr = ignoredNumUpdate -> config.learningRateAt(step.get(), totalSteps);

        Engine.getInstance().setRandomSeed((int) config.seed());
        // The objective computes the loss; DJL's Loss here only satisfies the trainer's constructor.
        DefaultTrainingConfig djlConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(optimizer(lr));
        Block block = classifier.block();
        try (Trainer trainer = classifier.model().newTrainer(djlConfig)) {
            trainer.initialize(classifier.featurizer().inputShape(Math.min(config.batchSize(), examples.size())));
            CheckpointState state = resume(block, classifier);
            int startEpoch = state.epoch() + 1;
            step.set((long) state.epoch() * batchesPerEpoch);
            if (state.epoch() > 0) {
                listener.onMessage("resuming after epoch " + state.epoch() + " from " + checkpointDir);
                Engine.getInstance().setRandomSeed((int) (config.seed() + state.epoch()));
            }
            List<EpochStats> history = new ArrayList<>(state.history());
            int bestEpoch = state.bestEpoch();
            double bestAcc = state.bestValAccuracy();
            int stale = state.epochsWithoutImprovement();
            byte[] bestWeights = state.bestEpoch() > 0 ? readCheckpoint(CHECKPOINT_BEST) : null;
            boolean stoppedEarly = false;

            for (int epoch = startEpoch; epoch <= config.epochs(); epoch++) {
                EpochStats stats = runEpoch(trainer, classifier, examples, validation, epoch, batchesPerEpoch, step, totalSteps);
                boolean improved = validation == null || stats.valAccuracy() > bestAcc;
                if (improved) {
                    bestAcc = validation == null ? Double.NaN : stats.valAccuracy();
                    bestEpoch = epoch;
                    bestWeights = weights(block);
                    stale = 0;
                } else {
                    stale++;
                }
                stats = new EpochStats(stats.epoch(), stats.trainLoss(), stats.trainAccuracy(), stats.valLoss(),
                        stats.valAccuracy(), stats.learningRate(), stats.seconds(), stats.examplesPerSecond(), improved);
                history.add(stats);
                listener.onEpochEnd(stats);
                writeCheckpoint(block, new CheckpointState(epoch, bestEpoch, bestAcc, stale, history), improved ? bestWeights : null);
                if (validation != null && config.patience() > 0 && stale >= config.patience() && epoch < config.epochs()) {
                    listener.onMessage("early stop: validation accuracy has not improved for " + stale
                            + " epochs; keeping epoch " + bestEpoch);
                    stoppedEarly = true;
                    break;
                }
            }
            if (bestWeights != null) {
                loadWeights(block, classifier, bestWeights);
            }
            return new TrainResult(history, bestEpoch, stoppedEarly, state.epoch());
        }
    }

    private EpochStats runEpoch(Trainer trainer, Classifier classifier, List<Example> examples, Dataset validation,
            int epoch, int batches, AtomicLong step, long totalSteps) {
        List<Example> order = new ArrayList<>(examples);
        // Per-epoch seeds make the data order of epoch e the same whether or not the run was resumed.
        Collections.shuffle(order, new Random(config.seed() * 1_000_003L + epoch));
        Random augmentRng = new Random(config.seed() * 7_919L + epoch);
        Schema schema = classifier.schema();
        listener.onEpochStart(epoch, config.epochs(), batches);
        double lossSum = 0;
        long correct = 0;
        long labeledSeen = 0;
        long start = System.nanoTime();
        float epochLr = config.learningRateAt(step.get(), totalSteps);
        for (int b = 0; b < batches; b++) {
            List<Example> batch = order.subList(b * config.batchSize(), Math.min(order.size(), (b + 1) * config.batchSize()));
            try (NDManager sub = trainer.getManager().newSubManager()) {
                NDList inputs = classifier.featurizer().batch(sub, batch, true, augmentRng);
                float loss;
                long[] predicted;
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(inputs).singletonOrThrow();
                    NDArray lossArray = objective.loss(logits, batch, schema);
                    gc.backward(lossArray);
                    loss = lossArray.getFloat();
                    predicted = logits.argMax(1).toLongArray();
                }
                if (!Float.isFinite(loss)) {
                    throw new TrainingDivergedException("loss became " + loss + " at epoch " + epoch + ", batch " + (b + 1)
                            + " (learning rate " + config.learningRateAt(step.get(), totalSteps)
                            + "); lower --lr or check the input features for extreme values");
                }
                trainer.step();
                afterStep.run();
                step.incrementAndGet();
                lossSum += loss * batch.size();
                int hits = 0;
                int labeled = 0;
                for (int i = 0; i < predicted.length; i++) {
                    if (batch.get(i).hasLabel()) {
                        labeled++;
                        hits += predicted[i] == schema.indexOf(batch.get(i).label().get()) ? 1 : 0;
                    }
                }
                correct += hits;
                labeledSeen += labeled;
                listener.onBatch(epoch, b + 1, loss, labeled == 0 ? Double.NaN : hits / (double) labeled);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double valLoss = Double.NaN;
        double valAcc = Double.NaN;
        if (validation != null) {
            double[] v = evaluateLossAndAccuracy(classifier, validation.examples());
            valLoss = v[0];
            valAcc = v[1];
        }
        double trainAcc = labeledSeen == 0 ? Double.NaN : correct / (double) labeledSeen;
        return new EpochStats(epoch, lossSum / examples.size(), trainAcc, valLoss, valAcc,
                epochLr, seconds, examples.size() / seconds, false);
    }

    /** Mean cross-entropy and accuracy in inference mode. */
    static double[] evaluateLossAndAccuracy(Classifier classifier, List<Example> examples) {
        float[][] probs = classifier.probabilities(examples, 512);
        double loss = 0;
        long correct = 0;
        for (int i = 0; i < probs.length; i++) {
            int truth = classifier.schema().indexOf(examples.get(i).label().orElseThrow());
            loss -= Math.log(Math.max(probs[i][truth], 1e-12f));
            if (Classifier.argmax(probs[i]) == truth) {
                correct++;
            }
        }
        return new double[] {loss / probs.length, correct / (double) probs.length};
    }

    /** Class indices of labeled examples; -1 marks an unlabeled one. */
    static float[] labelIndices(Schema schema, List<Example> batch) {
        float[] out = new float[batch.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = batch.get(i).hasLabel() ? schema.indexOf(batch.get(i).label().get()) : -1;
        }
        return out;
    }

    private Optimizer optimizer(Tracker lr) {
        return optimizer(config, lr);
    }

    static Optimizer optimizer(TrainConfig config, Tracker lr) {
        return switch (config.optimizer()) {
            case ADAM -> Adam.builder().optLearningRateTracker(lr).optWeightDecays(config.weightDecay()).build();
            case SGD -> Optimizer.sgd().setLearningRateTracker(lr).optMomentum(0.9f).optWeightDecays(config.weightDecay()).build();
        };
    }

    private static void checkData(Schema schema, Dataset data, String role, boolean labelsRequired) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("the " + role + " set " + data.name() + " is empty");
        }
        for (Example e : data.examples()) {
            if (!e.hasLabel() && !labelsRequired) {
                continue;
            }
            if (!e.hasLabel()) {
                throw new IllegalArgumentException("the " + role + " set " + data.name() + " has an unlabeled example: "
                        + e.id() + " (" + e.source() + "); every " + role + " example needs a label");
            }
            schema.indexOf(e.label().get());
        }
    }

    private CheckpointState resume(Block block, Classifier classifier) {
        CheckpointState fresh = new CheckpointState(0, 0, Double.NEGATIVE_INFINITY, 0, List.of());
        if (checkpointDir == null || !Files.isRegularFile(checkpointDir.resolve(CHECKPOINT_STATE))) {
            return fresh;
        }
        try {
            CheckpointState state = JSON.readValue(checkpointDir.resolve(CHECKPOINT_STATE).toFile(), CheckpointState.class);
            loadWeights(block, classifier, readCheckpoint(CHECKPOINT_LAST));
            return state;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint in " + checkpointDir, e);
        }
    }

    private void writeCheckpoint(Block block, CheckpointState state, byte[] newBest) {
        if (checkpointDir == null) {
            return;
        }
        byte[] last = weights(block);
        AtomicFiles.write(checkpointDir.resolve(CHECKPOINT_LAST), out -> out.write(last));
        if (newBest != null) {
            AtomicFiles.write(checkpointDir.resolve(CHECKPOINT_BEST), out -> out.write(newBest));
        }
        // The state goes last: it only ever points at weights that are already complete on disk.
        AtomicFiles.write(checkpointDir.resolve(CHECKPOINT_STATE), out -> JSON.writeValue(out, state));
    }

    private byte[] readCheckpoint(String name) {
        try {
            return Files.readAllBytes(checkpointDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read checkpoint " + checkpointDir.resolve(name), e);
        }
    }

    static byte[] weights(Block block) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                block.saveParameters(out);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void loadWeights(Block block, Classifier classifier, byte[] weights) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
            block.loadParameters(classifier.model().getNDManager(), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("checkpoint does not match the model: " + e.getMessage(), e);
        }
    }
}
