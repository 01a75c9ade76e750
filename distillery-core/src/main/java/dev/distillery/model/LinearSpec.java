package dev.distillery.model;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.data.Schema;

/**
 * The classic strong baseline as a model of the toolkit: an L2-regularized linear classifier, logistic regression or a
 * linear SVM (squared hinge loss), fitted by LIBLINEAR (one-vs-rest) rather than by gradient steps. On dense features it
 * sees each feature standardized (folded into the weights, so the network is one linear layer over the raw features); on
 * text it sees TF-IDF features, word 1-2-grams and character 2-5-grams hashed into {@code width} buckets
 * ({@link TfidfFeaturizer}; 2^20 by default, 4 MiB a class in memory, on disk only the buckets the training texts have:
 * at 2^18 collisions cost about a point, sotu-party
 * with all labels 0.8276 against 0.8377 at 2^20, sotu-era 100 labels 0.7699 against 0.7765). It trains in seconds, predicts
 * through the same network interface as every other model, and serves as teacher, student and an {@code auto}
 * candidate.
 *
 * @param width hash buckets of the text features (both views together); ignored for dense features
 * @param c     the inverse regularization strength, or null to choose it by stratified cross-validation on the labels
 * @param loss  the loss, or null to choose it by the same cross-validation as {@code c}
 * @param logitScale what the decision values are multiplied by to be the model's logits, chosen by the least held-out
 *              log loss of the cross-validation that chose {@code c}; null to choose it with {@code c} (1 where a fixed C
 *              and the logistic loss leave nothing to cross-validate)
 * @param minCharGram the shortest character gram of the text features ({@link TfidfFeaturizer#MIN_CHAR_GRAM}); null in
 *              the specs saved before it was recorded, whose models read 3-5-grams
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LinearSpec(int width, Double c, Loss loss, Double logitScale, Integer minCharGram) implements ModelSpec {
    public static final LinearSpec DEFAULT = new LinearSpec(1 << 20, null, null);

    /** What the solver minimizes beside the L2 penalty. */
    public enum Loss {
        /** Logistic regression: its decision values are log-odds. */
        @JsonProperty("logistic") LOGISTIC,
        /** The linear SVM's squared hinge loss (scikit-learn's LinearSVC): wider margins, often better on text. */
        @JsonProperty("squared_hinge") SQUARED_HINGE;

        @Override
        public String toString() {
            return this == LOGISTIC ? "logistic" : "squared hinge";
        }
    }

    /** A spec without a loss: with C open both are chosen by cross-validation, with C fixed the loss is logistic. */
    public LinearSpec(int width, Double c) {
        this(width, c, null);
    }

    /** A spec whose logit scale is chosen with its C (see {@link #logitScale}). */
    public LinearSpec(int width, Double c, Loss loss) {
        this(width, c, loss, null);
    }

    /** A spec of today's text features ({@link TfidfFeaturizer#MIN_CHAR_GRAM}). */
    public LinearSpec(int width, Double c, Loss loss, Double logitScale) {
        this(width, c, loss, logitScale, TfidfFeaturizer.MIN_CHAR_GRAM);
    }

    public LinearSpec {
        if (width < 4) {
            throw new IllegalArgumentException("width (hash buckets) must be >= 4, got: " + width);
        }
        if (c != null && !(c > 0 && Double.isFinite(c))) {
            throw new IllegalArgumentException("c must be a positive number, got: " + c);
        }
        if (logitScale != null && !(logitScale > 0 && Double.isFinite(logitScale))) {
            throw new IllegalArgumentException("logitScale must be a positive number, got: " + logitScale);
        }
    }

    @Override
    public ModelSpec withWidth(int newWidth) {
        return new LinearSpec(newWidth, c, loss, logitScale, minCharGram);
    }

    /** This spec with both settings fixed, as cross-validation chose them (the logit scale left to be chosen with them). */
    public LinearSpec withSettings(Loss newLoss, double newC) {
        return new LinearSpec(width, newC, newLoss, null, minCharGram);
    }

    /** This spec with its logit scale fixed (null: chosen with C). */
    public LinearSpec withLogitScale(Double scale) {
        return new LinearSpec(width, c, loss, scale, minCharGram);
    }

    /** On dense features without the hash width, which only text uses (a 3-feature model is not 1,048,576 wide). */
    @Override
    public String describe(Schema schema) {
        String scale = logitScale == null ? "" : ", logit scale " + logitScale;
        return schema.kind() == Schema.Kind.TEXT ? "LinearSpec[width=" + width + ", c=" + c + ", loss=" + loss + scale + "]"
                : "LinearSpec[c=" + c + ", loss=" + loss + scale + "]";
    }

    @Override
    public void checkCompatible(Schema schema) {
        // text and dense features both work
    }

    @Override
    public Block build(Schema schema) {
        if (schema.kind() == Schema.Kind.TEXT) {
            return new TfidfLinearBlock(width, schema.numClasses());
        }
        return new DenseLinearBlock(schema.numClasses());
    }

    /**
     * Flatten, then one linear layer over the raw features. The solver's standardization is folded into its weights, so
     * a column carries its feature's scale (1/standard deviation: 1e-5 for an income in the tens of thousands, 1 for a
     * ratio); one scale per class row quantized the small columns to zero and int8 lost 28 points on such a table, so it
     * is quantized with one scale per column, per feature.
     */
    static final class DenseLinearBlock extends SequentialBlock implements QuantizedWeights.Tables {
        DenseLinearBlock(int classes) {
            add(Blocks.batchFlattenBlock());
            add(Linear.builder().setUnits(classes).build());
        }

        @Override
        public java.util.Map<ai.djl.nn.Parameter, QuantizedWeights.Axis> quantizedTables() {
            ai.djl.nn.Parameter weight = getChildren().get(1).getValue().getParameters().get("weight");
            return java.util.Map.of(weight, QuantizedWeights.Axis.COLUMNS);
        }
    }

    @Override
    public Featurizer featurizer(Schema schema) {
        return schema.kind() == Schema.Kind.TEXT
                ? new TfidfFeaturizer(width, minCharGram == null ? TfidfFeaturizer.LEGACY_MIN_CHAR_GRAM : minCharGram)
                : new DenseFeaturizer(schema, false);
    }
}
