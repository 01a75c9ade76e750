package dev.distillery.model;

import ai.djl.nn.Block;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.distillery.data.Schema;

/**
 * A declarative model description: what to build, with a size knob ({@link #width()}), never the
 * weights. Specs are plain records that round-trip through JSON, so a saved model records exactly
 * how to rebuild its network.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MlpSpec.class, name = "mlp"),
    @JsonSubTypes.Type(value = CnnSpec.class, name = "cnn"),
    @JsonSubTypes.Type(value = NgramBagSpec.class, name = "ngram"),
    @JsonSubTypes.Type(value = MiniLmSpec.class, name = "minilm"),
    @JsonSubTypes.Type(value = LinearSpec.class, name = "linear"),
    @JsonSubTypes.Type(value = SvmSpec.class, name = "svm")
})
public sealed interface ModelSpec permits MlpSpec, CnnSpec, NgramBagSpec, MiniLmSpec, LinearSpec, SvmSpec {

    /** The main size knob: hidden units (MLP), base channels (CNN), embedding size (n-gram bag). */
    int width();

    /**
     * The Adam learning rate that suits this architecture, used when the user gives none. Chosen on
     * validation splits: 1e-3 for the CNN and MLP; 1e-2 for the n-gram bag, whose sparse embedding
     * rows see few updates each.
     */
    default float defaultLearningRate() {
        return 1e-3f;
    }

    /** Parameters that run at inference but are not trained or saved with the model (a frozen encoder). */
    default long frozenParameters() {
        return 0;
    }

    /** Bytes of frozen parts that must ship with the saved model to run it (a pretrained encoder's file). */
    default long frozenBytes() {
        return 0;
    }

    /** This spec as a person reads it for data of {@code schema}: the record's fields, less those the data ignores. */
    default String describe(Schema schema) {
        return toString();
    }

    /**
     * Called once training has settled on its weights, with the examples the network read ({@code inputs}): a spec
     * whose network keeps statistics of its inputs may correct them here. Most have nothing to do.
     */
    default void afterTraining(ai.djl.nn.Block block, java.util.List<dev.distillery.data.Example> inputs) {}

    /** The same architecture at another width. */
    ModelSpec withWidth(int width);

    /** Fails with a clear message if this spec cannot model data of {@code schema}. */
    void checkCompatible(Schema schema);

    Block build(Schema schema);

    Featurizer featurizer(Schema schema);

    /** A spec with default settings for a name the CLI accepts: mlp, cnn, ngram, minilm, linear or svm. */
    static ModelSpec defaults(String type) {
        return switch (type) {
            case "mlp" -> MlpSpec.DEFAULT;
            case "cnn" -> CnnSpec.DEFAULT;
            case "ngram" -> NgramBagSpec.DEFAULT;
            case "minilm" -> MiniLmSpec.DEFAULT;
            case "linear" -> LinearSpec.DEFAULT;
            case "svm" -> SvmSpec.DEFAULT;
            default -> throw new IllegalArgumentException("unknown model type '" + type + "'; use mlp, cnn, ngram, minilm, linear or svm");
        };
    }

    /** The default model for a data set: a CNN for images, the n-gram bag for text, else an MLP. */
    static ModelSpec defaultFor(Schema schema) {
        if (schema.kind() == Schema.Kind.TEXT) {
            return NgramBagSpec.DEFAULT;
        }
        return schema.featureShape().size() == 3 ? CnnSpec.DEFAULT : MlpSpec.DEFAULT;
    }
}
