package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.model.Scalars;
import dev.distillery.transform.ImageTransforms;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * FixMatch (Sohn et al., 2020) for one-channel images, continuing from a model trained on the labels: a
 * {@link ClassifierTrainer.Method}, so it runs in the one training loop with its checkpoints.
 * Each step takes a batch of labeled images and {@link #UNLABELED_RATIO} times as many unlabeled ones;
 * the model's own prediction on a weak view (flip, small shift) of an unlabeled image is its pseudo-label
 * when the top probability reaches the threshold, and the model learns to predict that label on a strong
 * view (rotation, shear, elastic, contrast, cutout) of the same image, both as far as {@link ImageTransforms.ViewStrength} says:
 * <pre>{@code loss = CE(labels, weak labeled views) + mean over unlabeled of [max p >= threshold] * CE(pseudo-label, strong view)}</pre>
 * All three parts go through the network in one forward pass, so batch normalization sees them together,
 * as in the paper. The pseudo-labels are recomputed at every step and carry no gradient. With a weight-average
 * decay, the model is scored and ends with the moving average of its weights, as the paper evaluates.
 *
 * <p>Unlike the paper's 2^20 steps from scratch, this starts from the labeled round's model: on two cores a
 * few passes over the unlabeled set are affordable, and a warm start gives confident pseudo-labels at once.
 */
final class FixMatch implements ClassifierTrainer.Method, AutoCloseable {
    static final int UNLABELED_RATIO = 3;
    static final float UNLABELED_WEIGHT = 1f;
    private static final String AVERAGE_FILE = "average.params";

    private final Classifier model;
    private final List<Example> labeled;
    private final List<Example> unlabeled;
    private final long seed;
    private final double threshold;
    private final ImageTransforms.ViewStrength strength;
    private final ImageTransforms views;
    private final WeightAverage average;
    private final int epochOffset;
    private final int labeledBatch;
    private final int unlabeledBatch;
    /** The labeled examples' order (indices), reshuffled whenever a pass over them ends; it runs across epochs. */
    private List<Integer> labeledOrder;
    private int nextLabeled;
    private Random rng;
    private List<Example> unlabeledOrder;
    private long confident;
    private long seen;

    /**
     * @param averageDecay the decay of the weight average the model ends with ({@link WeightAverage}); 0 for the last weights
     * @param epochOffset  epochs of the run before this round, for the progress notes
     */
    FixMatch(Classifier model, Dataset labeled, Dataset unlabeled, TrainConfig config, double threshold,
            ImageTransforms.ViewStrength strength, float averageDecay, int epochOffset) {
        this.model = model;
        this.labeled = labeled.examples();
        this.unlabeled = unlabeled.examples();
        this.seed = config.seed();
        this.threshold = threshold;
        this.strength = strength;
        this.views = ImageTransforms.forSchema(model.schema());
        this.average = new WeightAverage(model.block(), averageDecay);
        this.epochOffset = epochOffset;
        this.labeledBatch = Math.min(config.batchSize(), this.labeled.size());
        this.unlabeledBatch = labeledBatch * UNLABELED_RATIO;
        this.labeledOrder = new ArrayList<>();
        for (int i = 0; i < this.labeled.size(); i++) {
            labeledOrder.add(i);
        }
        this.nextLabeled = labeledOrder.size();
    }

    @Override
    public List<Example> inputs() {
        List<Example> all = new java.util.ArrayList<>(labeled);
        all.addAll(unlabeled);
        return all;
    }

    @Override
    public int steps() {
        return Math.max(1, (unlabeled.size() + unlabeledBatch - 1) / unlabeledBatch);
    }

    @Override
    public long examplesPerEpoch() {
        return (long) steps() * initialBatch();
    }

    @Override
    public int initialBatch() {
        return labeledBatch + 2 * unlabeledBatch;
    }

    @Override
    public void startEpoch(int epoch, Random ignored) {
        // FixMatch's own stream per epoch, as before the shared loop, so earlier runs keep their views.
        rng = new Random(seed * 1_000_003L + 7919L * epoch);
        unlabeledOrder = new ArrayList<>(unlabeled);
        Collections.shuffle(unlabeledOrder, rng);
        confident = 0;
        seen = 0;
    }

    @Override
    public ClassifierTrainer.StepStats forwardBackward(Trainer trainer, NDManager manager, int index) {
        List<Example> batchL = new ArrayList<>(labeledBatch);
        while (batchL.size() < labeledBatch) {
            if (nextLabeled == labeledOrder.size()) {
                Collections.shuffle(labeledOrder, rng);
                nextLabeled = 0;
            }
            batchL.add(labeled.get(labeledOrder.get(nextLabeled++)));
        }
        List<Example> batchU = unlabeledOrder.subList(index * unlabeledBatch,
                Math.min(unlabeledOrder.size(), (index + 1) * unlabeledBatch));
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
        NDList x = model.featurizer().batch(manager, inputs, false, rng);
        try (GradientCollector gc = trainer.newGradientCollector()) {
            NDArray logits = trainer.forward(x).singletonOrThrow();
            NDArray labeledLogits = logits.get("0:" + nl);
            NDArray labels = manager.create(ClassifierTrainer.labelIndices(schema, batchL));
            BatchLoss batchLoss = batchLoss(labeledLogits, logits.get(nl + ":" + (nl + nu)), logits.get((nl + nu) + ":"), labels,
                    threshold);
            NDArray loss = batchLoss.loss();
            gc.backward(loss);
            long[] predicted = labeledLogits.argMax(1).toLongArray();
            float[] truth = ClassifierTrainer.labelIndices(schema, batchL);
            int hits = 0;
            for (int i = 0; i < nl; i++) {
                hits += predicted[i] == (long) truth[i] ? 1 : 0;
            }
            confident += (long) batchLoss.confident().sum().getFloat();
            seen += nu;
            return new ClassifierTrainer.StepStats(loss.getFloat(), 1, hits, nl);
        }
    }

    /** One batch's loss, and 1 for each unlabeled example whose weak view was confident enough to teach (else 0). */
    record BatchLoss(NDArray loss, NDArray confident) {}

    /**
     * Cross-entropy of the labeled views with their labels, plus {@link #UNLABELED_WEIGHT} times the mean over the
     * unlabeled examples of the cross-entropy of the strong view with the weak view's predicted class, for weak views
     * whose top probability reaches {@code threshold} (the weak views teach and are not taught: no gradient).
     */
    static BatchLoss batchLoss(NDArray labeledLogits, NDArray weakLogits, NDArray strongLogits, NDArray labels, double threshold) {
        NDArray supervised = Objective.CROSS_ENTROPY.evaluate(new NDList(labels), new NDList(labeledLogits));
        NDArray probs = weakLogits.stopGradient().softmax(1);
        NDArray mask = probs.max(new int[] {1}).gte(threshold).toType(DataType.FLOAT32, false);
        NDArray oneHot = probs.argMax(1).oneHot(Math.toIntExact(probs.getShape().get(1))).toType(DataType.FLOAT32, false);
        NDArray unsupervised = strongLogits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mul(mask).mean();
        return new BatchLoss(NDArrays.add(supervised, unsupervised.mul(Scalars.like(unsupervised, UNLABELED_WEIGHT))), mask);
    }

    @Override
    public void afterStep() {
        average.update();
    }

    /** On the weights the model will end with. */
    @Override
    public double[] validate(Classifier classifier, Dataset validation) {
        return average.withAverage(() -> ClassifierTrainer.evaluateLossAndAccuracy(classifier, validation.examples()));
    }

    @Override
    public boolean keepsBestEpoch() {
        return false;
    }

    @Override
    public String epochNote(int epoch) {
        return String.format("fixmatch epoch %d: %.1f%% of unlabeled views above the %.2f threshold",
                epochOffset + epoch, 100.0 * confident / seen, threshold);
    }

    @Override
    public Map<String, Object> state() {
        return Map.of("labeled_order", List.copyOf(labeledOrder), "next_labeled", nextLabeled);
    }

    @Override
    public Map<String, byte[]> binaryState() {
        return average.isEmpty() ? Map.of() : Map.of(AVERAGE_FILE, average.save());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void restore(Map<String, Object> state, TrainingCheckpoint checkpoint) {
        labeledOrder = new ArrayList<>(((List<Number>) state.get("labeled_order")).stream().map(Number::intValue).toList());
        nextLabeled = ((Number) state.get("next_labeled")).intValue();
        if (!average.isEmpty()) {
            average.load(checkpoint.bytes(AVERAGE_FILE));
        }
    }

    @Override
    public void finish() {
        average.applyToBlock();
    }

    @Override
    public void close() {
        average.close();
    }
}
