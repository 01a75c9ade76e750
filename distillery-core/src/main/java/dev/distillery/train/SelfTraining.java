package dev.distillery.train;

import dev.distillery.transform.ImageTransforms;

/**
 * Semi-supervised self-training: after a model learns from the labels, it labels the unlabeled data;
 * its confident predictions (top probability at least {@code threshold}) become training labels for a
 * fresh model of the same architecture, trained with augmentation and dropout on the labeled and
 * pseudo-labeled examples together (the student sees noisy inputs the teacher labeled clean, a
 * consistency pressure in the spirit of Noisy Student and FixMatch); the student then teaches the next round.
 *
 * @param unlabeled  "rest" (the training examples whose labels {@code --labeled} set aside, labels removed) or a data reference
 * @param rounds     student rounds after the labeled one (at least 1)
 * @param threshold  minimum top probability for a pseudo-label, in (0, 1]
 * @param epochs     epochs of each student round (the labeled round uses the run's own epochs: a few hundred labels
 *                   need many more passes than tens of thousands of pseudo-labeled examples)
 * @param method     {@code SELF_TRAINING}: each round a fresh student on labels + confident pseudo-labels;
 *                   {@code FIXMATCH} (images): each round {@code epochs} passes of FixMatch over the unlabeled data,
 *                   continuing the current model (weak-view pseudo-labels taught on strong views, {@link FixMatch});
 *                   {@code SPREADING} (dense features or text): {@link LabelSpreading} on a nearest-neighbour graph of
 *                   labeled and unlabeled examples, checked by cross-validation, then one model trained on labels + spread labels
 *                   (rounds, threshold and epochs do not apply); {@code AUTO}: resolved by {@link #methodFor}
 * @param learningRate the peak learning rate of the rounds after the labeled one; null: the run's own
 * @param views      with {@code FIXMATCH}, how far its weak and strong views move an image; null: {@code PAPER}
 * @param averageDecay with {@code FIXMATCH}, the decay of the moving average of the weights the model is scored
 *                   and ends with ({@link WeightAverage}), in [0, 1); null or 0: the last step's weights
 */
public record SelfTraining(String unlabeled, int rounds, double threshold, int epochs, Method method, Float learningRate,
        ImageTransforms.ViewStrength views, Float averageDecay) {
    public static final String REST = "rest";

    /** How the unlabeled data teaches. */
    public enum Method {
        SELF_TRAINING, FIXMATCH, SPREADING,
        /** Spreading, except self-training for text with a network named by {@code --model} ({@link #methodFor}). */
        AUTO;

        public String cliName() {
            return dev.distillery.util.EnumNames.of(this);
        }

        public static Method parse(String name) {
            return dev.distillery.util.EnumNames.parse(Method.class, name, "semi-supervised method");
        }
    }

    /**
     * The method that runs on data of {@code schema}, {@code AUTO} resolved: spreading for dense features (images,
     * numbers), and for text when the model is left to {@code auto} (whose candidates include the linear model, which
     * self-training, made for networks trained by steps, cannot train); self-training for text with a named model.
     */
    public Method methodFor(dev.distillery.data.Schema schema, boolean modelLeftToAuto) {
        if (method != Method.AUTO) {
            return method;
        }
        return schema.kind() == dev.distillery.data.Schema.Kind.DENSE || modelLeftToAuto ? Method.SPREADING : Method.SELF_TRAINING;
    }

    /** Self-training (fresh students on pseudo-labels). */
    public SelfTraining(String unlabeled, int rounds, double threshold, int epochs) {
        this(unlabeled, rounds, threshold, epochs, Method.SELF_TRAINING);
    }

    /** The rounds after the labeled one at the run's learning rate. */
    public SelfTraining(String unlabeled, int rounds, double threshold, int epochs, Method method) {
        this(unlabeled, rounds, threshold, epochs, method, null);
    }

    /** FixMatch, if that is the method, with the paper's views. */
    public SelfTraining(String unlabeled, int rounds, double threshold, int epochs, Method method, Float learningRate) {
        this(unlabeled, rounds, threshold, epochs, method, learningRate, null);
    }

    /** FixMatch, if that is the method, ending with its last step's weights. */
    public SelfTraining(String unlabeled, int rounds, double threshold, int epochs, Method method, Float learningRate,
            ImageTransforms.ViewStrength views) {
        this(unlabeled, rounds, threshold, epochs, method, learningRate, views, null);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public SelfTraining {
        method = method == null ? Method.SELF_TRAINING : method;
        views = views == null ? ImageTransforms.ViewStrength.PAPER : views;
        averageDecay = averageDecay == null ? 0f : averageDecay;
        if (!(averageDecay >= 0 && averageDecay < 1)) {
            throw new IllegalArgumentException("the weight-average decay must be in [0, 1), got: " + averageDecay);
        }
        if (unlabeled == null || unlabeled.isBlank()) {
            throw new IllegalArgumentException("unlabeled must be 'rest' or name a data set or file");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("self-training needs at least 1 round, got: " + rounds);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("student epochs must be >= 1, got: " + epochs);
        }
        if (learningRate != null && !(learningRate > 0 && Float.isFinite(learningRate))) {
            throw new IllegalArgumentException("the unlabeled rounds' learning rate must be > 0, got: " + learningRate);
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got: " + threshold);
        }
    }
}
