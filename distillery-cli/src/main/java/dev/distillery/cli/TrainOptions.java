package dev.distillery.cli;

import dev.distillery.model.CnnSpec;
import dev.distillery.model.MiniLmSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.NgramBagSpec;
import dev.distillery.train.TrainConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The model options of {@code train}, plus the optimizer options every training command shares. */
final class TrainOptions {
    enum ModelType { auto, cnn, mlp, ngram, minilm, linear, svm }

    @Option(names = "--model", paramLabel = "TYPE", defaultValue = "auto",
            description = "Model: cnn (images), mlp (dense features), ngram (text), minilm (frozen MiniLM encoder + head, text), "
                    + "linear (logistic regression or linear SVM by LIBLINEAR, loss and C by cross-validation, dense or text), "
                    + "svm (RBF-kernel SVM by LIBSVM, dense features or small images), auto (compares them by cross-validation on "
                    + "up to 2,000 labels; beyond them the linear model against the data kind's network on a validation split, or"
                    + " for the label commands a 10%% hold-out, the network kept only if it wins beyond chance). Default:"
                    + " ${DEFAULT-VALUE}.")
    ModelType model;

    @Option(names = "--width", paramLabel = "N",
            description = "Size knob: CNN base channels (default 32), MLP hidden units (256), n-gram embedding size (32), "
                    + "minilm head hidden units (0 = linear), linear: text hash buckets (1048576).")
    Integer width;

    @Option(names = "--no-augment", description = "Turn off the CNN's random horizontal flips in training.")
    boolean noAugment;

    @Option(names = "--shift-pixels", paramLabel = "N",
            description = "Also move each CNN training image by up to N pixels each way at random (0 to "
                    + CnnSpec.MAX_SHIFT + "). Can help small labeled sets; with many labels the default CNN underfits. "
                    + "Default: 0.")
    Integer shift;

    @Option(names = "--dropout", paramLabel = "RATE",
            description = "Dropout rate of the hidden layer(s), cnn and mlp only. Default: the model's own (cnn 0.3, mlp 0.2).")
    Float dropout;

    @Mixin
    OptimizerOptions optimizer;

    /** The chosen model spec, or null for auto (resolved from the data). */
    ModelSpec modelSpec() {
        ModelSpec spec = switch (model) {
            case auto -> null;
            case cnn -> CnnSpec.DEFAULT;
            case mlp -> MlpSpec.DEFAULT;
            case ngram -> NgramBagSpec.DEFAULT;
            case minilm -> MiniLmSpec.DEFAULT;
            case linear -> dev.distillery.model.LinearSpec.DEFAULT;
            case svm -> dev.distillery.model.SvmSpec.DEFAULT;
        };
        if (noAugment) {
            if (!(spec instanceof CnnSpec cnn)) {
                throw new IllegalArgumentException("--no-augment applies to --model cnn only");
            }
            spec = cnn.withAugment(false);
        }
        if (width != null) {
            if (spec == null) {
                throw new IllegalArgumentException("--width needs an explicit --model (cnn, mlp or ngram)");
            }
            spec = spec.withWidth(width);
        }
        if (shift != null) {
            if (!(spec instanceof CnnSpec cnn)) {
                throw new IllegalArgumentException("--shift-pixels applies to --model cnn only");
            }
            spec = cnn.withShift(shift);
        }
        return withDropout(spec, dropout, "--model");
    }

    /** {@code spec} with its dropout rate replaced, or as it is when {@code rate} is null. */
    static ModelSpec withDropout(ModelSpec spec, Float rate, String modelOption) {
        if (rate == null) {
            return spec;
        }
        if (spec instanceof CnnSpec cnn) {
            return cnn.withDropout(rate);
        }
        if (spec instanceof MlpSpec mlp) {
            return mlp.withDropout(rate);
        }
        throw new IllegalArgumentException("--dropout applies to " + modelOption + " cnn or mlp only");
    }

    TrainConfig trainConfig() {
        return optimizer.trainConfig();
    }
}
