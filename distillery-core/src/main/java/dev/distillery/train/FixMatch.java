package dev.distillery.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.synth.ImageAugmenter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * FixMatch (Sohn et al., 2020) for one-channel images, continuing from a model trained on the labels.
 * Each step takes a batch of labeled images and {@link #UNLABELED_RATIO} times as many unlabeled ones;
 * the model's own prediction on a weak view (flip, small shift) of an unlabeled image is its pseudo-label
 * when the top probability reaches the threshold, and the model learns to predict that label on a strong
 * view (rotation, shear, elastic, contrast, cutout) of the same image, both as far as {@link ImageAugmenter.ViewStrength} says:
 * <pre>{@code loss = CE(labels, weak labeled views) + mean over unlabeled of [max p >= threshold] * CE(pseudo-label, strong view)}</pre>
 * All three parts go through the network in one forward pass, so batch normalization sees them together,
 * as in the paper. The pseudo-labels are recomputed at every step and carry no gradient. With a weight-average
 * decay, the model is scored and ends with the moving average of its weights, as the paper evaluates.
 *
 * <p>Unlike the paper's 2^20 steps from scratch, this starts from the labeled round's model: on two cores a
 * few passes over the unlabeled set are affordable, and a warm start gives confident pseudo-labels at once.
 */
final class FixMatch {
    static final int UNLABELED_RATIO = 3;
    static final float UNLABELED_WEIGHT = 1f;

    private final TrainConfig config;
    private final double threshold;
    private final ImageAugmenter.ViewStrength strength;
    private final float averageDecay;
    private final TrainListener listener;

    /** {@code averageDecay}: the decay of the weight average the model ends with ({@link WeightAverage}); 0 for the last weights. */
    FixMatch(TrainConfig config, double threshold, ImageAugmenter.ViewStrength strength, float averageDecay, TrainListener listener) {
        this.config = config;
        this.threshold = threshold;
        this.strength = strength;
        this.averageDecay = averageDecay;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /** Trains {@code model} in place for {@code config.epochs()} passes over {@code unlabeled}; numbers epochs after {@code offset}. */
    List<EpochStats> train(Classifier model, Dataset labeled, Dataset unlabeled, Dataset validation, int offset) {
        ImageAugmenter views = ImageAugmenter.forSchema(model.schema());
        int labeledBatch = Math.min(config.batchSize(), labeled.size());
        int unlabeledBatch = labeledBatch * UNLABELED_RATIO;
        int steps = Math.max(1, (unlabeled.size() + unlabeledBatch - 1) / unlabeledBatch);
        long totalSteps = (long) steps * config.epochs();
        AtomicLong step = new AtomicLong();
        TrainConfig resolved = config.hasLearningRate() ? config : config.withLearningRate(model.spec().defaultLearningRate());
        Tracker lr = ignored -> resolved.learningRateAt(step.get(), totalSteps);
        Engine.getInstance().setRandomSeed((int) config.seed());
        List<EpochStats> history = new ArrayList<>();
        DefaultTrainingConfig djlConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(ClassifierTrainer.optimizer(resolved, lr));
        try (Trainer trainer = model.model().newTrainer(djlConfig);
                WeightAverage average = new WeightAverage(model.model().getBlock(), averageDecay)) {
            trainer.initialize(model.featurizer().inputShape(labeledBatch + 2 * unlabeledBatch)); // keeps trained weights
            List<Example> labeledOrder = new ArrayList<>(labeled.examples());
            int nextLabeled = labeledOrder.size();
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                Random rng = new Random(config.seed() * 1_000_003L + 7919L * epoch);
                List<Example> order = new ArrayList<>(unlabeled.examples());
                Collections.shuffle(order, rng);
                listener.onEpochStart(offset + epoch, offset + config.epochs(), steps);
                long start = System.nanoTime();
                double lossSum = 0;
                long confident = 0;
                long seen = 0;
                long correct = 0;
                long labeledSeen = 0;
                for (int b = 0; b < steps; b++) {
                    List<Example> batchL = new ArrayList<>(labeledBatch);
                    while (batchL.size() < labeledBatch) {
                        if (nextLabeled == labeledOrder.size()) {
                            Collections.shuffle(labeledOrder, rng);
                            nextLabeled = 0;
                        }
                        batchL.add(labeledOrder.get(nextLabeled++));
                    }
                    List<Example> batchU = order.subList(b * unlabeledBatch, Math.min(order.size(), (b + 1) * unlabeledBatch));
                    float[] result = step(trainer, model, views, batchL, batchU, rng);
                    step.incrementAndGet();
                    average.update();
                    lossSum += result[0];
                    confident += (long) result[1];
                    seen += batchU.size();
                    correct += (long) result[2];
                    labeledSeen += batchL.size();
                    listener.onBatch(offset + epoch, b + 1, result[0], result[2] / batchL.size());
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double valLoss = Double.NaN;
                double valAcc = Double.NaN;
                if (validation != null) {
                    // On the weights the model will end with.
                    double[] v = average.withAverage(() -> ClassifierTrainer.evaluateLossAndAccuracy(model, validation.examples()));
                    valLoss = v[0];
                    valAcc = v[1];
                }
                listener.onMessage(String.format("fixmatch epoch %d: %.1f%% of unlabeled views above the %.2f threshold",
                        offset + epoch, 100.0 * confident / seen, threshold));
                EpochStats stats = new EpochStats(offset + epoch, lossSum / steps, correct / (double) labeledSeen, valLoss, valAcc,
                        resolved.learningRateAt(step.get(), totalSteps), seconds,
                        (double) steps * (labeledBatch + 2 * unlabeledBatch) / seconds, true);
                listener.onEpochEnd(stats);
                history.add(stats);
            }
            average.applyToBlock();
        }
        return history;
    }

    /** One optimizer step; returns the loss, how many unlabeled images passed the threshold, and labeled hits. */
    private float[] step(Trainer trainer, Classifier model, ImageAugmenter views, List<Example> batchL, List<Example> batchU,
            Random rng) {
        Schema schema = model.schema();
        List<Example> inputs = new ArrayList<>(batchL.size() + 2 * batchU.size());
        for (Example e : batchL) {
            inputs.add(Example.dense(e.id(), views.weakView(e.features(), strength, rng), e.label().orElseThrow(), e.source()));
        }
        for (Example e : batchU) {
            inputs.add(Example.dense(e.id(), views.weakView(e.features(), strength, rng), null, e.source()));
        }
        for (Example e : batchU) {
            inputs.add(Example.dense(e.id(), views.strongView(e.features(), strength, rng), null, e.source()));
        }
        int nl = batchL.size();
        int nu = batchU.size();
        float[] result;
        try (NDManager sub = trainer.getManager().newSubManager()) {
            NDList x = model.featurizer().batch(sub, inputs, false, rng);
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(x).singletonOrThrow();
                NDArray labeledLogits = logits.get("0:" + nl);
                NDArray weak = logits.get(nl + ":" + (nl + nu)).stopGradient();
                NDArray strong = logits.get((nl + nu) + ":");
                NDArray labels = sub.create(ClassifierTrainer.labelIndices(schema, batchL));
                NDArray supervised = Objective.CROSS_ENTROPY.evaluate(new NDList(labels), new NDList(labeledLogits));
                NDArray probs = weak.softmax(1);
                NDArray pseudo = probs.argMax(1);
                NDArray mask = probs.max(new int[] {1}).gte(threshold).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                NDArray oneHot = pseudo.oneHot(schema.numClasses()).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                NDArray unsupervisedPerExample = strong.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mul(mask);
                NDArray loss = NDArrays.add(supervised, unsupervisedPerExample.mean().mul(UNLABELED_WEIGHT));
                gc.backward(loss);
                long[] predicted = labeledLogits.argMax(1).toLongArray();
                float[] truth = ClassifierTrainer.labelIndices(schema, batchL);
                int hits = 0;
                for (int i = 0; i < nl; i++) {
                    hits += predicted[i] == (long) truth[i] ? 1 : 0;
                }
                result = new float[] {loss.getFloat(), mask.sum().getFloat(), hits};
            }
            if (!Float.isFinite(result[0])) {
                throw new TrainingDivergedException("FixMatch loss became " + result[0] + "; lower --lr");
            }
            trainer.step();
        }
        return result;
    }
}
