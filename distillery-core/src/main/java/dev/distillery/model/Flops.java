package dev.distillery.model;

import dev.distillery.data.Schema;
import java.util.List;

/** Multiply-accumulate operations per example of a network's convolution and dense layers. */
public final class Flops {
    private Flops() {}

    /** MACs for one example, or -1 where the architecture's cost is not modeled (n-gram bag, encoder). */
    public static long of(ModelSpec spec, Schema schema) {
        if (spec instanceof CnnSpec cnn) {
            return cnn(cnn, schema);
        }
        if (spec instanceof MlpSpec mlp) {
            long in = schema.featureSize();
            long total = 0;
            for (int i = 0; i < mlp.layers(); i++) {
                total += in * mlp.width();
                in = mlp.width();
            }
            return total + in * schema.numClasses();
        }
        if (spec instanceof SvmSpec svm) {
            // distances to every stored support vector, then one coefficient per support vector and class
            return (long) svm.capacity() * (schema.featureSize() + schema.numClasses());
        }
        return -1;
    }

    /**
     * Floating-point operations to train on one example, or -1 where not modeled: 2 per multiply-accumulate for the
     * forward pass, the weight gradients and the input gradients, less the first layer's input gradient, which
     * nothing needs (the data takes no gradient).
     */
    public static long training(ModelSpec spec, Schema schema) {
        long macs = of(spec, schema);
        if (macs < 0 || spec instanceof SvmSpec) {
            return -1; // the svm is solved, not trained by gradient steps
        }
        long firstLayer;
        if (spec instanceof CnnSpec cnn) {
            List<Long> shape = schema.featureShape();
            firstLayer = shape.get(1) * shape.get(2) * cnn.stageChannels().get(0) * shape.get(0) * 9;
        } else {
            MlpSpec mlp = (MlpSpec) spec;
            firstLayer = (long) schema.featureSize() * (mlp.layers() > 0 ? mlp.width() : schema.numClasses());
        }
        return 2 * (3 * macs - firstLayer);
    }

    private static long cnn(CnnSpec cnn, Schema schema) {
        List<Long> shape = schema.featureShape();
        long inChannels = shape.get(0);
        long h = shape.get(1);
        long w = shape.get(2);
        long total = 0;
        for (int channels : cnn.stageChannels()) {
            total += h * w * channels * inChannels * 9; // 3x3 convolution, padded: same size out
            inChannels = channels;
            h /= 2;
            w /= 2;
        }
        long flat = inChannels * h * w;
        long hiddenLayer = cnn.hiddenRank() == null ? flat * cnn.hidden() : (flat + cnn.hidden()) * cnn.hiddenRank();
        return total + hiddenLayer + (long) cnn.hidden() * schema.numClasses();
    }
}
