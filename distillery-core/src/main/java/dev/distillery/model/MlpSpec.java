package dev.distillery.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.distillery.data.Schema;

/**
 * A multilayer perceptron over dense features: {@code layers} hidden layers of {@code width} units
 * with ReLU and dropout, then a linear layer to the classes. With {@code inputNorm}, the features first pass a batch
 * normalization, so measurements on very different scales (a wine's proline in the hundreds beside its hue near 1) each
 * count: without it the default MLP scored 0.54 in 3-fold cross-validation on 13 wine labels, below the 0.92 of a linear
 * model on standardized features. Models saved before it existed read back without it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MlpSpec(int width, int layers, float dropout, Boolean inputNorm) implements ModelSpec {
    public static final MlpSpec DEFAULT = new MlpSpec(256, 2, 0.2f, true);

    /** An MLP without input normalization. */
    public MlpSpec(int width, int layers, float dropout) {
        this(width, layers, dropout, null);
    }

    @JsonCreator
    public MlpSpec {
        if (width <= 0) {
            throw new IllegalArgumentException("width must be > 0, got: " + width);
        }
        if (layers < 0) {
            throw new IllegalArgumentException("layers must be >= 0, got: " + layers);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got: " + dropout);
        }
        inputNorm = Boolean.TRUE.equals(inputNorm) ? Boolean.TRUE : null;
    }

    @Override
    public ModelSpec withWidth(int newWidth) {
        return new MlpSpec(newWidth, layers, dropout, inputNorm);
    }

    public MlpSpec withDropout(float rate) {
        return new MlpSpec(width, layers, rate, inputNorm);
    }

    @Override
    public void checkCompatible(Schema schema) {
        if (schema.kind() != Schema.Kind.DENSE) {
            throw new IllegalArgumentException("an mlp needs dense features; this data is text (use ngram)");
        }
    }

    @Override
    public Block build(Schema schema) {
        SequentialBlock net = new SequentialBlock().add(Blocks.batchFlattenBlock());
        if (Boolean.TRUE.equals(inputNorm)) {
            net.add(BatchNorm.builder().build());
        }
        for (int i = 0; i < layers; i++) {
            net.add(Linear.builder().setUnits(width).build()).add(Activation::relu);
            if (dropout > 0) {
                net.add(Dropout.builder().optRate(dropout).build());
            }
        }
        return net.add(Linear.builder().setUnits(schema.numClasses()).build());
    }

    @Override
    public Featurizer featurizer(Schema schema) {
        return new DenseFeaturizer(schema, false);
    }
}
