package dev.distillery.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.model.RowSparseTable;
import dev.distillery.model.TorchRuntime;
import dev.distillery.util.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one training loop: epochs of optimizer steps over a {@link Classifier}, with validation, early stopping on
 * the best validation epoch, and a checkpoint after every epoch. What an epoch's steps are is a {@link Method}: plain
 * supervised batches by default (each batch built and freed inside its own child {@link NDManager}, the only
 * per-batch metrics being the loss and accuracy the progress bar shows), FixMatch's labeled, weak and strong views
 * in {@link FixMatch}.
 *
 * <p>Same seed, same numbers: every random stream is derived from the seed and the epoch (the data order, the
 * augmentation and the engine's generator, which dropout draws from), never carried over from the epoch before.
 * With the checkpoint restoring the weights, the optimizer's state ({@link ResumableOptimizer}) and the step
 * counter the schedule reads, a run killed after epoch {@code k} and resumed gives the same weights, bit for bit,
 * as a run never interrupted.
 */
public final class ClassifierTrainer {
    private final TrainConfig config;
    private final TrainListener listener;
    private final Path checkpointDir;
    private final Objective objective;
    private final Runnable afterStep;

    /**
     * @param checkpointDir this training's own directory for per-epoch checkpoints and, once it ends, its outcome;
     *     training again with the same directory resumes an unfinished run and returns a finished one as it was.
     *     Null for none.
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

    /** What one epoch's optimizer steps are made of; the loop around them is the trainer's. */
    interface Method {
        /** Optimizer steps per epoch. */
        int steps();

        /** Examples one epoch's steps put through the network, for the examples/s figure. */
        long examplesPerEpoch();

        /** The batch size the network is initialized with. */
        int initialBatch();

        /** Prepares epoch {@code epoch}, drawing only from {@code rng}, which is the same for the epoch in every run. */
        void startEpoch(int epoch, Random rng);

        /** Forward and backward pass of step {@code index} of the epoch, inside {@code manager}; the trainer steps. */
        StepStats forwardBackward(Trainer trainer, NDManager manager, int index);

        /** Called after every optimizer step. */
        default void afterStep() {}

        /** The examples whose features the network read in training, as read (before augmentation). */
        List<Example> inputs();

        /** Validation loss and accuracy of the model as it would be kept now. */
        default double[] validate(Classifier model, Dataset validation) {
            return evaluateLossAndAccuracy(model, validation.examples());
        }

        /** Whether the kept weights are the best validation epoch's (and early stopping applies), or the last ones. */
        default boolean keepsBestEpoch() {
            return true;
        }

        /** A line to print when an epoch ends, or null. */
        default String epochNote(int epoch) {
            return null;
        }

        /** State beyond weights and optimizer to carry across epochs, saved with every checkpoint as JSON. */
        default Map<String, Object> state() {
            return Map.of();
        }

        /** Binary state to carry across epochs (e.g. a weight average), saved with every checkpoint. */
        default Map<String, byte[]> binaryState() {
            return Map.of();
        }

        /** Puts back what {@link #state} and {@link #binaryState} saved. */
        default void restore(Map<String, Object> state, TrainingCheckpoint checkpoint) {}

        /** Called once the last epoch has run, before the outcome is saved. */
        default void finish() {}
    }

    /**
     * One step's figures: its loss, the weight of that loss in the epoch's mean (the batch's examples, or 1 for a mean
     * over steps) and, over its labeled examples, how many the model got right.
     */
    record StepStats(float loss, int weight, int labeledHits, int labeled) {}

    public TrainResult train(Classifier classifier, Dataset train, Dataset validation) {
        if (classifier.spec() instanceof dev.distillery.model.SvmSpec) {
            throw new IllegalArgumentException("the svm model is solved by LIBSVM, not trained by gradient steps: use it with train "
                    + "(--model svm or auto), and for distillation, self-training or federation take an mlp");
        }
        TrainConfig resolved = resolve(classifier);
        checkData(classifier.schema(), train, "training", objective.requiresLabels());
        int passes = SmallData.passesPerEpoch(train.size(), resolved);
        if (passes > 1) {
            listener.onMessage(String.format("small data: %d passes over the %,d examples an epoch (at least %d optimizer steps in all)",
                    passes, train.size(), resolved.minSteps()));
        }
        return new ClassifierTrainer(resolved, listener, checkpointDir, objective, afterStep)
                .run(classifier, new Supervised(classifier, train.examples(), resolved, objective, afterStep), validation);
    }

    TrainConfig resolve(Classifier classifier) {
        return config.hasLearningRate() ? config : config.withLearningRate(classifier.spec().defaultLearningRate());
    }

    /** Runs {@code method} for the configured epochs with checkpoints, validation and early stopping. */
    TrainResult run(Classifier classifier, Method method, Dataset validation) {
        if (!config.hasLearningRate()) {
            return new ClassifierTrainer(resolve(classifier), listener, checkpointDir, objective, afterStep)
                    .run(classifier, method, validation);
        }
        if (validation != null) {
            checkData(classifier.schema(), validation, "validation", true);
        }
        TrainingCheckpoint checkpoint = new TrainingCheckpoint(checkpointDir);
        Block block = classifier.block();
        TorchRuntime.engine().setRandomSeed((int) config.seed());
        if (!block.isInitialized()) {
            block.initialize(classifier.model().getNDManager(), DataType.FLOAT32,
                    classifier.featurizer().inputShape(method.initialBatch()));
        }
        List<RowSparseTable> tables = RowSparseTable.within(block); // the network is fixed for the run: found once
        if (checkpoint.finished()) {
            BlockWeights.read(checkpoint.bytes(TrainingCheckpoint.FINAL), block);
            TrainResult done = checkpoint.result();
            listener.onMessage("already trained in an earlier attempt (" + checkpoint.dir() + "); using its model");
            return new TrainResult(done.history(), done.bestEpoch(), done.stoppedEarly(), done.history().size());
        }
        TrainingCheckpoint.Progress progress = checkpoint.progress();
        // The best epoch's weights, when the method keeps them; closed with the trainer below.
        BlockWeights.Snapshot best = new BlockWeights.Snapshot(classifier.model().getNDManager());
        if (progress != null) {
            // Restored before the trainer exists: DJL's trainer holds on to the parameter arrays it sees first.
            BlockWeights.read(checkpoint.bytes(TrainingCheckpoint.LAST), block);
            if (progress.bestEpoch() > 0 && method.keepsBestEpoch()) {
                best.read(checkpoint.bytes(TrainingCheckpoint.BEST), block);
            }
            method.restore(progress.extra(), checkpoint);
            listener.onMessage("resuming after epoch " + progress.epoch() + " from " + checkpoint.dir());
        } else {
            progress = TrainingCheckpoint.Progress.fresh();
        }
        long totalSteps = (long) method.steps() * config.epochs();
        AtomicLong step = new AtomicLong(progress.steps());
        Tracker lr = ignoredNumUpdate -> config.learningRateAt(step.get(), totalSteps);
        ResumableOptimizer optimizer = new ResumableOptimizer(config, lr);
        if (progress.epoch() > 0) {
            optimizer.load(checkpoint.bytes(TrainingCheckpoint.OPTIMIZER), block, classifier.model().getNDManager());
        }
        // The objective computes the loss; DJL's Loss here only satisfies the trainer's constructor.
        DefaultTrainingConfig djlConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer);
        try (Trainer trainer = classifier.model().newTrainer(djlConfig);
                TorchRuntime.Scope kernels = TorchRuntime.convolutions(block);
                TorchRuntime.Scope threads = TorchRuntime.engineThreads(block);
                best) {
            trainer.initialize(classifier.featurizer().inputShape(method.initialBatch())); // keeps the weights it finds
            List<EpochStats> history = new ArrayList<>(progress.history());
            int bestEpoch = progress.bestEpoch();
            double bestAcc = progress.bestValAccuracy();
            int stale = progress.epochsWithoutImprovement();
            boolean stoppedEarly = false;
            for (int epoch = progress.epoch() + 1; epoch <= config.epochs(); epoch++) {
                TorchRuntime.engine().setRandomSeed(epochSeed(config.seed(), epoch));
                method.startEpoch(epoch, new Random(config.seed() * 1_000_003L + epoch));
                EpochStats stats = runEpoch(trainer, optimizer, tables, classifier, method, validation, epoch, step, totalSteps);
                boolean improved = !method.keepsBestEpoch() || validation == null || stats.valAccuracy() > bestAcc;
                if (improved) {
                    bestAcc = validation == null ? Double.NaN : stats.valAccuracy();
                    bestEpoch = epoch;
                    if (method.keepsBestEpoch()) {
                        best.take(block);
                    }
                    stale = 0;
                } else {
                    stale++;
                }
                stats = new EpochStats(stats.epoch(), stats.trainLoss(), stats.trainAccuracy(), stats.valLoss(),
                        stats.valAccuracy(), stats.learningRate(), stats.seconds(), stats.examplesPerSecond(), improved);
                history.add(stats);
                // Metrics first, checkpoint second: a kill between the two replays this epoch, whose metrics line the
                // run then already has (it keeps one line per epoch), rather than losing it.
                listener.onEpochEnd(stats);
                saveProgress(checkpoint, block, optimizer, method, improved && method.keepsBestEpoch(),
                        new TrainingCheckpoint.Progress(epoch, step.get(), bestEpoch, bestAcc, stale, history, method.state()));
                if (method.keepsBestEpoch() && validation != null && config.patience() > 0 && stale >= config.patience()
                        && epoch < config.epochs()) {
                    listener.onMessage("early stop: validation accuracy has not improved for " + stale
                            + " epochs; keeping epoch " + bestEpoch);
                    stoppedEarly = true;
                    break;
                }
            }
            method.finish();
            if (!best.isEmpty()) {
                best.restoreInto(block);
            }
            classifier.spec().afterTraining(block, method.inputs());
            TrainResult result = new TrainResult(history, bestEpoch, stoppedEarly, progress.epoch());
            checkpoint.saveFinished(out -> BlockWeights.write(block, out), result);
            return result;
        }
    }

    /** The optimizer's lazy update for the rows each of the network's {@code tables} read this step. */
    private static void updateReadRows(List<RowSparseTable> tables, ResumableOptimizer optimizer) {
        for (RowSparseTable sparse : tables) {
            RowSparseTable.Rows rows = sparse.takeRows();
            if (rows != null) {
                optimizer.updateRows(rows);
            }
        }
    }

    /** The engine's seed for one epoch: a function of the run's seed and the epoch alone. */
    static int epochSeed(long seed, int epoch) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        return (int) (h ^ (h >>> 32)) & Integer.MAX_VALUE;
    }

    private static void saveProgress(TrainingCheckpoint checkpoint, Block block, ResumableOptimizer optimizer, Method method,
            boolean newBest, TrainingCheckpoint.Progress progress) {
        if (!checkpoint.enabled()) {
            return;
        }
        // Streamed from the tensors' memory to the files (BlockWeights, TensorStreams): a 131,072-row n-gram table and
        // its moments are 50 MB an epoch.
        Map<String, AtomicFiles.StreamWriter> files = new LinkedHashMap<>();
        files.put(TrainingCheckpoint.LAST, out -> BlockWeights.write(block, out));
        files.put(TrainingCheckpoint.OPTIMIZER, out -> optimizer.save(block, out));
        if (newBest) {
            files.put(TrainingCheckpoint.BEST, out -> BlockWeights.write(block, out));
        }
        method.binaryState().forEach((name, bytes) -> files.put(name, out -> out.write(bytes)));
        checkpoint.saveProgress(progress, files);
    }

    private EpochStats runEpoch(Trainer trainer, ResumableOptimizer optimizer, List<RowSparseTable> tables, Classifier classifier,
            Method method, Dataset validation, int epoch, AtomicLong step, long totalSteps) {
        int steps = method.steps();
        listener.onEpochStart(epoch, config.epochs(), steps);
        double lossSum = 0;
        long lossWeight = 0;
        long correct = 0;
        long labeledSeen = 0;
        long start = System.nanoTime();
        float epochLr = config.learningRateAt(step.get(), totalSteps);
        for (int b = 0; b < steps; b++) {
            StepStats s;
            try (NDManager sub = trainer.getManager().newSubManager()) {
                s = method.forwardBackward(trainer, sub, b);
                int batch = b + 1;
                TrainingStep.checkFinite(s.loss(), () -> "epoch " + epoch + ", batch " + batch + " (learning rate "
                        + config.learningRateAt(step.get(), totalSteps) + ")");
                TrainingStep.updateParameters(trainer.getModel().getBlock(), optimizer);
                updateReadRows(tables, optimizer);
            }
            method.afterStep();
            step.incrementAndGet();
            lossSum += s.loss() * s.weight();
            lossWeight += s.weight();
            correct += s.labeledHits();
            labeledSeen += s.labeled();
            listener.onBatch(epoch, b + 1, s.loss(), s.labeled() == 0 ? Double.NaN : s.labeledHits() / (double) s.labeled());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double valLoss = Double.NaN;
        double valAcc = Double.NaN;
        if (validation != null) {
            double[] v = method.validate(classifier, validation);
            valLoss = v[0];
            valAcc = v[1];
        }
        String note = method.epochNote(epoch);
        if (note != null) {
            listener.onMessage(note);
        }
        double trainAcc = labeledSeen == 0 ? Double.NaN : correct / (double) labeledSeen;
        return new EpochStats(epoch, lossSum / lossWeight, trainAcc, valLoss, valAcc, epochLr, seconds,
                method.examplesPerEpoch() / seconds, false);
    }

    /** Plain supervised training: the examples in batches, minimizing the objective. */
    private static final class Supervised implements Method {
        private final Classifier classifier;
        private final List<Example> examples;
        private final TrainConfig config;
        private final Objective objective;
        private final Runnable afterStep;
        /** Shuffled passes over the examples an epoch: more than one only on small data (see {@link SmallData}). */
        private final int passes;
        private List<Example> order;
        private Random augmentRng;

        Supervised(Classifier classifier, List<Example> examples, TrainConfig config, Objective objective, Runnable afterStep) {
            this.classifier = classifier;
            this.examples = examples;
            this.config = config;
            this.objective = objective;
            this.afterStep = afterStep;
            this.passes = SmallData.passesPerEpoch(examples.size(), config);
        }

        @Override
        public List<Example> inputs() {
            return examples;
        }

        /**
         * Batches an epoch. A last batch of a single example joins the one before it: batch normalization cannot
         * compute a mean and variance from one example of a dense layer's input.
         */
        @Override
        public int steps() {
            long n = examplesPerEpoch();
            int steps = (int) ((n + config.batchSize() - 1) / config.batchSize());
            return steps > 1 && n % config.batchSize() == 1 ? steps - 1 : steps;
        }

        @Override
        public long examplesPerEpoch() {
            return (long) passes * examples.size();
        }

        @Override
        public int initialBatch() {
            return Math.min(config.batchSize(), examples.size());
        }

        @Override
        public void startEpoch(int epoch, Random rng) {
            order = new ArrayList<>(passes * examples.size());
            // These per-epoch seeds predate the shared stream; kept so earlier runs' data orders stay the same.
            Random shuffle = new Random(config.seed() * 1_000_003L + epoch);
            for (int pass = 0; pass < passes; pass++) {
                List<Example> one = new ArrayList<>(examples);
                Collections.shuffle(one, shuffle);
                order.addAll(one);
            }
            augmentRng = new Random(config.seed() * 7_919L + epoch);
        }

        @Override
        public StepStats forwardBackward(Trainer trainer, NDManager manager, int index) {
            int end = index == steps() - 1 ? order.size() : Math.min(order.size(), (index + 1) * config.batchSize());
            List<Example> batch = order.subList(index * config.batchSize(), end);
            Schema schema = classifier.schema();
            NDList inputs = classifier.featurizer().batch(manager, batch, true, augmentRng);
            float loss;
            long[] predicted;
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(inputs).singletonOrThrow();
                NDArray lossArray = objective.loss(logits, batch, schema);
                gc.backward(lossArray);
                loss = lossArray.getFloat();
                predicted = logits.argMax(1).toLongArray();
            }
            int hits = 0;
            int labeled = 0;
            for (int i = 0; i < predicted.length; i++) {
                if (batch.get(i).hasLabel()) {
                    labeled++;
                    hits += predicted[i] == schema.indexOf(batch.get(i).label().get()) ? 1 : 0;
                }
            }
            // The epoch's loss is the mean over examples: the batch weighs its size (the last one may be short).
            return new StepStats(loss, batch.size(), hits, labeled);
        }

        @Override
        public void afterStep() {
            afterStep.run();
        }
    }

    /** Mean cross-entropy and accuracy of {@code classifier} on labeled {@code examples}, in inference mode. */
    public static double[] evaluateLossAndAccuracy(Classifier classifier, List<Example> examples) {
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
}
