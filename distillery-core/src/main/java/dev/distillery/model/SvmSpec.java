package dev.distillery.model;

import ai.djl.nn.Block;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.distillery.data.Schema;

/**
 * The kernel baseline for dense features (images: their pixels): a support vector machine with the RBF kernel, one-vs-rest, fitted by LIBSVM
 * on standardized features rather than by gradient steps ({@code SvmFit}); C and gamma chosen by stratified
 * cross-validation on the labels when left open. On small tabular data it is often the strongest classic model. The
 * network it becomes ({@link RbfKernelBlock}) stores up to {@code capacity} support vectors, at most the number of
 * training examples.
 *
 * @param capacity support-vector rows the network holds (0: the number of training examples, set when training starts)
 * @param c        the inverse regularization strength, or null to choose it by cross-validation
 * @param gamma    the kernel width on standardized features, or null to choose it by cross-validation
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SvmSpec(int capacity, Double c, Double gamma) implements ModelSpec {
    public static final SvmSpec DEFAULT = new SvmSpec(0, null, null);

    public SvmSpec {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got: " + capacity);
        }
        if (c != null && !(c > 0 && Double.isFinite(c))) {
            throw new IllegalArgumentException("c must be a positive number, got: " + c);
        }
        if (gamma != null && !(gamma > 0 && Double.isFinite(gamma))) {
            throw new IllegalArgumentException("gamma must be a positive number, got: " + gamma);
        }
    }

    /** The width knob is the support-vector capacity. */
    @Override
    public int width() {
        return capacity;
    }

    @Override
    public ModelSpec withWidth(int newWidth) {
        return new SvmSpec(newWidth, c, gamma);
    }

    public SvmSpec withCapacity(int newCapacity) {
        return new SvmSpec(newCapacity, c, gamma);
    }

    public SvmSpec withSettings(double newC, double newGamma) {
        return new SvmSpec(capacity, newC, newGamma);
    }

    /** Its settings as a person reads them: gamma to four figures, and without the capacity, which is a buffer size. */
    @Override
    public String describe(Schema schema) {
        return "SvmSpec[c=" + fourFigures(c) + ", gamma=" + fourFigures(gamma) + "]";
    }

    private static String fourFigures(Double v) {
        return v == null ? "auto" : new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    @Override
    public void checkCompatible(Schema schema) {
        if (schema.kind() != Schema.Kind.DENSE) {
            throw new IllegalArgumentException("an svm model needs dense features or images (their pixels as features); for text use linear or ngram");
        }
    }

    @Override
    public Block build(Schema schema) {
        if (capacity < 1) {
            throw new IllegalStateException("an svm network needs its support-vector capacity (the training size) before it is built");
        }
        return new RbfKernelBlock(capacity, (int) schema.featureSize(), schema.numClasses());
    }

    @Override
    public Featurizer featurizer(Schema schema) {
        return new DenseFeaturizer(schema, false);
    }
}
