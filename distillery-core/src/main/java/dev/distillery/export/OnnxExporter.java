package dev.distillery.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import dev.distillery.export.onnx.OnnxProto.ModelProto;
import dev.distillery.export.onnx.OnnxProto.TensorProto;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.NgramBagSpec;
import dev.distillery.data.Schema;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a trained classifier as an ONNX graph in inference form: dropout gone, batch normalization folded into the
 * convolution or dense layer next to it, one input ({@link #INPUT}) and two outputs, {@link #LOGITS} and
 * {@link #PROBABILITIES}. The graph is built from the model's spec, which says the exact order of layers, with the
 * weights read from the network's own parameters; any mismatch between the two fails here rather than in a runtime.
 *
 * <p>Families: MLP, CNN, the hashed n-gram bag and the linear model on dense features. Text featurization (words,
 * n-grams, hashing) stays outside the graph: the n-gram graph takes the bucket ids ({@link FeaturizerCard} says how to
 * compute them). Weights quantized to int8 or int4 are written dequantized, as float32: the values the model computes
 * with in Distillery, so parity holds exactly as for float models.
 */
public final class OnnxExporter {
    public static final String INPUT = "input";
    public static final String LOGITS = "logits";
    public static final String PROBABILITIES = "probabilities";
    /** DJL's BatchNorm epsilon, which every spec uses (the builder's default). */
    static final double BN_EPSILON = 1e-5;

    private OnnxExporter() {}

    /** Whether {@code spec} can be exported, and if not, why. Null means it can. */
    public static String unsupportedReason(ModelSpec spec, Schema schema) {
        if (spec instanceof MlpSpec || spec instanceof CnnSpec || spec instanceof NgramBagSpec) {
            return null;
        }
        if (spec instanceof LinearSpec) {
            return null;
        }
        if (spec instanceof dev.distillery.model.SvmSpec) {
            return null;
        }
        return "a " + spec.getClass().getSimpleName() + " model (a pretrained encoder with a head) cannot be exported; "
                + "distill it into an mlp, cnn or ngram student and export that";
    }

    /** The ONNX model of {@code classifier}; fails with the reason when its family cannot be exported. */
    public static ModelProto export(Classifier classifier, String producerVersion) {
        ModelSpec spec = classifier.spec();
        Schema schema = classifier.schema();
        String reason = unsupportedReason(spec, schema);
        if (reason != null) {
            throw new IllegalArgumentException(reason);
        }
        if (spec instanceof dev.distillery.model.SvmSpec) {
            OnnxGraph g = new OnnxGraph("distillery_svm");
            return finish(g, null, svm(g, classifier.block(), schema), schema, producerVersion, spec);
        }
        if (spec instanceof LinearSpec && schema.kind() == Schema.Kind.TEXT) {
            OnnxGraph g = new OnnxGraph("distillery_tfidf_linear");
            return finish(g, null, tfidf(g, classifier.block()), schema, producerVersion, spec);
        }
        if (!(classifier.block() instanceof SequentialBlock seq)) {
            throw new IllegalStateException("expected a sequential network for " + spec + ", got " + classifier.block().getClass());
        }
        Layers layers = new Layers(seq);
        OnnxGraph g = new OnnxGraph("distillery_" + spec.getClass().getSimpleName().replace("Spec", "").toLowerCase(java.util.Locale.ROOT));
        String logits;
        if (spec instanceof NgramBagSpec) {
            logits = ngram(g, layers);
        } else {
            long[] shape = schema.featureShape().stream().mapToLong(Long::longValue).toArray();
            g.input(INPUT, TensorProto.DataType.FLOAT, shape);
            String x = INPUT;
            if (spec instanceof CnnSpec cnn) {
                for (int stage = 0; stage < cnn.stages(); stage++) {
                    x = convBnRelu(g, x, layers.next(Conv2d.class), layers.next(BatchNorm.class));
                    x = g.node("MaxPool", new String[] {x}, OnnxGraph.ints("kernel_shape", 2, 2), OnnxGraph.ints("strides", 2, 2));
                }
                x = flatten(g, x);
                if (cnn.hiddenRank() != null) {
                    x = gemm(g, x, layers.next(Linear.class), null);
                }
                x = relu(g, gemm(g, x, layers.next(Linear.class), null));
            } else if (spec instanceof MlpSpec mlp) {
                x = flatten(g, x);
                BatchNorm inputNorm = Boolean.TRUE.equals(mlp.inputNorm()) ? layers.next(BatchNorm.class) : null;
                for (int i = 0; i < mlp.layers(); i++) {
                    x = relu(g, gemm(g, x, layers.next(Linear.class), inputNorm));
                    inputNorm = null;
                }
                logits = gemm(g, x, layers.next(Linear.class), inputNorm);
                return finish(g, layers, logits, schema, producerVersion, spec);
            } else {
                x = flatten(g, x); // the linear model on dense features
            }
            logits = gemm(g, x, layers.next(Linear.class), null);
        }
        return finish(g, layers, logits, schema, producerVersion, spec);
    }

    private static ModelProto finish(OnnxGraph g, Layers layers, String logits, Schema schema, String producerVersion,
            ModelSpec spec) {
        if (layers != null) {
            layers.checkAllUsed();
        }
        g.node("Identity", LOGITS, new String[] {logits});
        g.node("Softmax", PROBABILITIES, new String[] {logits}, OnnxGraph.integer("axis", 1));
        g.output(LOGITS, schema.numClasses());
        g.output(PROBABILITIES, schema.numClasses());
        return g.model(producerVersion, "Distillery " + spec + "; labels in output order: " + schema.labels());
    }

    /**
     * The n-gram bag: the mean of the embedding rows of the nonzero ids of each text (id 0 pads), then the classifier.
     * Input: int64 ids (batch, length).
     */
    private static String ngram(OnnxGraph g, Layers layers) {
        g.input(INPUT, TensorProto.DataType.INT64, "length");
        Block bag = layers.nextBag();
        NDArray table = param(bag, "table");
        String weights = g.floats("table", table.toFloatArray(), table.getShape().getShape());
        String vectors = g.node("Gather", new String[] {weights, INPUT}, OnnxGraph.integer("axis", 0));
        String isPad = g.node("Equal", new String[] {INPUT, g.longs("zero", new long[] {0})});
        String mask = g.node("Cast", new String[] {g.node("Not", new String[] {isPad})},
                OnnxGraph.integer("to", TensorProto.DataType.FLOAT.getNumber()));
        String mask3 = g.node("Unsqueeze", new String[] {mask, g.longs("axis2", new long[] {2}, 1)});
        String sum = g.node("ReduceSum", new String[] {g.node("Mul", new String[] {vectors, mask3}), g.longs("axis1", new long[] {1}, 1)},
                OnnxGraph.integer("keepdims", 0));
        String count = g.node("ReduceSum", new String[] {mask, g.longs("axis1", new long[] {1}, 1)}, OnnxGraph.integer("keepdims", 1));
        String atLeastOne = g.node("Max", new String[] {count, g.floats("one", new float[] {1f})});
        String mean = g.node("Div", new String[] {sum, atLeastOne});
        return gemm(g, mean, layers.next(Linear.class), null);
    }

    /**
     * The linear model on TF-IDF features ({@code TfidfLinearBlock}), op for op: each feature's term frequency times its
     * IDF, divided by the length of its view (words, or characters: ids from the table's middle up), then the weights
     * of the features present and the biases. Input: float32 (batch, 2, length), the featurizer's ids (exact as
     * floats below 2^24) and term frequencies; id 0 with frequency 0 pads.
     *
     * <p>The tables hold only the buckets with an IDF or a weight (those the training texts have), row 0 all zeros,
     * and an int32 table maps each bucket to its row: the 2^20-row tables are mostly zeros, and a model of 77 classes
     * was a 312 MB file.
     */
    private static String tfidf(OnnxGraph g, Block block) {
        g.input(INPUT, TensorProto.DataType.FLOAT, new long[] {2}, "length");
        float[] idfs = param(block, "idf").toFloatArray();
        NDArray weightArray = param(block, "weight");
        int buckets = Math.toIntExact(weightArray.getShape().get(0));
        int classes = Math.toIntExact(weightArray.getShape().get(1));
        float[] table = weightArray.toFloatArray();
        int[] rowOf = new int[buckets];
        int used = 0;
        for (int b = 0; b < buckets; b++) {
            boolean nonzero = idfs[b] != 0f;
            for (int k = 0; !nonzero && k < classes; k++) {
                nonzero = table[b * classes + k] != 0f;
            }
            rowOf[b] = nonzero ? ++used : 0;
        }
        float[] keptIdf = new float[used + 1];
        float[] keptWeights = new float[(used + 1) * classes];
        for (int b = 0; b < buckets; b++) {
            if (rowOf[b] > 0) {
                keptIdf[rowOf[b]] = idfs[b];
                System.arraycopy(table, b * classes, keptWeights, rowOf[b] * classes, classes);
            }
        }
        String idf = g.floats("idf", keptIdf, used + 1);
        String weights = g.floats("weight", keptWeights, used + 1, classes);
        String bias = g.floats("bias", param(block, "bias").toFloatArray(), classes);
        String ids = g.node("Cast", new String[] {g.node("Gather", new String[] {INPUT, g.longs("row0", new long[] {0})},
                OnnxGraph.integer("axis", 1))}, OnnxGraph.integer("to", TensorProto.DataType.INT64.getNumber()));
        String rowIds = g.node("Gather", new String[] {g.ints("row_of_bucket", rowOf, buckets), ids}, OnnxGraph.integer("axis", 0));
        String tf = g.node("Gather", new String[] {INPUT, g.longs("row1", new long[] {1})}, OnnxGraph.integer("axis", 1));
        String x = g.node("Mul", new String[] {tf, g.node("Gather", new String[] {idf, rowIds}, OnnxGraph.integer("axis", 0))});
        String isChar = g.node("Cast", new String[] {g.node("GreaterOrEqual", new String[] {ids,
                g.longs("char_start", new long[] {buckets / 2L})})}, OnnxGraph.integer("to", TensorProto.DataType.FLOAT.getNumber()));
        String isWord = g.node("Sub", new String[] {g.floats("one", new float[] {1f}), isChar});
        String squares = g.node("Mul", new String[] {x, x});
        String axis1 = g.longs("axis1", new long[] {1}, 1);
        String tiny = g.floats("tiny", new float[] {1e-12f});
        String charNorm = g.node("Max", new String[] {g.node("Sqrt", new String[] {g.node("ReduceSum",
                new String[] {g.node("Mul", new String[] {squares, isChar}), axis1}, OnnxGraph.integer("keepdims", 1))}), tiny});
        String wordNorm = g.node("Max", new String[] {g.node("Sqrt", new String[] {g.node("ReduceSum",
                new String[] {g.node("Mul", new String[] {squares, isWord}), axis1}, OnnxGraph.integer("keepdims", 1))}), tiny});
        String norm = g.node("Add", new String[] {g.node("Mul", new String[] {isChar, charNorm}),
                g.node("Mul", new String[] {isWord, wordNorm})});
        String scaled = g.node("Unsqueeze", new String[] {g.node("Div", new String[] {x, norm}), g.longs("axis2", new long[] {2}, 1)});
        String rows = g.node("Gather", new String[] {weights, rowIds}, OnnxGraph.integer("axis", 0));
        String logits = g.node("ReduceSum", new String[] {g.node("Mul", new String[] {rows, scaled}), axis1},
                OnnxGraph.integer("keepdims", 0));
        return g.node("Add", new String[] {logits, bias});
    }

    /**
     * The RBF-kernel SVM: standardize, squared distances to the support vectors as |z|^2 - 2 z.sv + |sv|^2 (one Gemm
     * with the support vectors' squared norms as its C), exp(-gamma d), then the coefficients and biases. Rows of the
     * network that hold no support vector (all coefficients zero) are left out. From the distances on it computes in
     * double precision, as the network does ({@code RbfKernelBlock}); the support vectors and coefficients are stored
     * as floats and cast.
     */
    private static String svm(OnnxGraph g, Block block, Schema schema) {
        long[] shape = schema.featureShape().stream().mapToLong(Long::longValue).toArray();
        g.input(INPUT, TensorProto.DataType.FLOAT, shape);
        float[] mean = param(block, "mean").toFloatArray();
        float[] scale = param(block, "scale").toFloatArray();
        NDArray svArray = param(block, "support_vectors");
        float[] sv = svArray.toFloatArray();
        float[] coef = param(block, "coefficients").toFloatArray();
        float[] bias = param(block, "bias").toFloatArray();
        float gamma = param(block, "gamma").toFloatArray()[0];
        int d = mean.length;
        int classes = bias.length;
        int rows = (int) svArray.getShape().get(0);
        List<Integer> used = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < classes; k++) {
                if (coef[r * classes + k] != 0f) {
                    used.add(r);
                    break;
                }
            }
        }
        int n = Math.max(1, used.size()); // one zero row keeps the shapes valid for a model without support vectors
        float[] keptSv = new float[n * d];
        float[] keptCoef = new float[n * classes];
        double[] norms = new double[n];
        for (int i = 0; i < used.size(); i++) {
            int r = used.get(i);
            System.arraycopy(sv, r * d, keptSv, i * d, d);
            System.arraycopy(coef, r * classes, keptCoef, i * classes, classes);
            double squares = 0;
            for (int j = 0; j < d; j++) {
                squares += (double) sv[r * d + j] * sv[r * d + j];
            }
            norms[i] = squares;
        }
        TensorProto.DataType f64 = TensorProto.DataType.DOUBLE;
        String z = g.cast(g.node("Div", new String[] {g.node("Sub", new String[] {flatten(g, INPUT), g.floats("mean", mean, 1, d)}),
                g.floats("scale", scale, 1, d)}), f64);
        String zNorms = g.node("ReduceSum", new String[] {g.node("Mul", new String[] {z, z}), g.longs("axis1", new long[] {1}, 1)},
                OnnxGraph.integer("keepdims", 1));
        String cross = g.node("Gemm", new String[] {z, g.cast(g.floats("support_vectors", keptSv, n, d), f64),
                g.doubles("sv_norms", norms, 1, n)}, OnnxGraph.integer("transB", 1), OnnxGraph.real("alpha", -2f));
        String distances = g.node("Max", new String[] {g.node("Add", new String[] {cross, zNorms}), g.doubles("zero", new double[] {0})});
        String kernel = g.node("Exp", new String[] {g.node("Mul", new String[] {distances,
                g.doubles("minus_gamma", new double[] {-gamma})})});
        return g.cast(g.node("Gemm", new String[] {kernel, g.cast(g.floats("coefficients", keptCoef, n, classes), f64),
                g.cast(g.floats("bias", bias, 1, classes), f64)}), TensorProto.DataType.FLOAT);
    }

    /** A bias-free 3x3 convolution with its batch norm folded in (per output channel scale and shift), then ReLU. */
    private static String convBnRelu(OnnxGraph g, String x, Conv2d conv, BatchNorm bn) {
        NDArray w = param(conv, "weight");
        long[] shape = w.getShape().getShape(); // (out, in, kh, kw)
        float[] weights = w.toFloatArray();
        float[] bias = conv.getParameters().contains("bias") && conv.getParameters().get("bias").isInitialized()
                ? param(conv, "bias").toFloatArray() : new float[(int) shape[0]];
        double[][] fold = fold(bn);
        int perChannel = weights.length / (int) shape[0];
        float[] foldedW = new float[weights.length];
        float[] foldedB = new float[(int) shape[0]];
        for (int o = 0; o < shape[0]; o++) {
            for (int k = 0; k < perChannel; k++) {
                foldedW[o * perChannel + k] = (float) (weights[o * perChannel + k] * fold[0][o]);
            }
            foldedB[o] = (float) (bias[o] * fold[0][o] + fold[1][o]);
        }
        String out = g.node("Conv", new String[] {x, g.floats("conv_w", foldedW, shape), g.floats("conv_b", foldedB, shape[0])},
                OnnxGraph.ints("kernel_shape", shape[2], shape[3]),
                OnnxGraph.ints("pads", shape[2] / 2, shape[3] / 2, shape[2] / 2, shape[3] / 2),
                OnnxGraph.ints("strides", 1, 1));
        return relu(g, out);
    }

    /**
     * A dense layer as Gemm(x, W^T) + b. With {@code inputNorm}, the batch norm that precedes it on its input features
     * is folded in: W' = W diag(s), b' = b + W (beta - s mean), where s = gamma / sqrt(var + eps).
     */
    private static String gemm(OnnxGraph g, String x, Linear linear, BatchNorm inputNorm) {
        NDArray w = param(linear, "weight");
        long[] shape = w.getShape().getShape(); // (units, in)
        int units = (int) shape[0];
        int in = (int) shape[1];
        float[] weights = w.toFloatArray();
        boolean hasBias = linear.getParameters().contains("bias");
        float[] bias = hasBias ? param(linear, "bias").toFloatArray() : null;
        if (inputNorm != null) {
            double[][] fold = fold(inputNorm);
            float[] newBias = new float[units];
            for (int o = 0; o < units; o++) {
                double b = hasBias ? bias[o] : 0;
                for (int i = 0; i < in; i++) {
                    b += weights[o * in + i] * fold[1][i];
                    weights[o * in + i] = (float) (weights[o * in + i] * fold[0][i]);
                }
                newBias[o] = (float) b;
            }
            bias = newBias;
        }
        List<String> inputs = new ArrayList<>(List.of(x, g.floats("dense_w", weights, units, in)));
        if (bias != null) {
            inputs.add(g.floats("dense_b", bias, units));
        }
        return g.node("Gemm", inputs.toArray(String[]::new), OnnxGraph.integer("transB", 1));
    }

    /** Per-channel scale s = gamma / sqrt(var + eps) and shift beta - s * mean of a batch norm in inference. */
    private static double[][] fold(BatchNorm bn) {
        float[] gamma = param(bn, "gamma").toFloatArray();
        float[] beta = param(bn, "beta").toFloatArray();
        float[] mean = param(bn, "runningMean").toFloatArray();
        float[] var = param(bn, "runningVar").toFloatArray();
        double[] scale = new double[gamma.length];
        double[] shift = new double[gamma.length];
        for (int c = 0; c < gamma.length; c++) {
            scale[c] = gamma[c] / Math.sqrt(var[c] + BN_EPSILON);
            shift[c] = beta[c] - scale[c] * mean[c];
        }
        return new double[][] {scale, shift};
    }

    private static String flatten(OnnxGraph g, String x) {
        return g.node("Flatten", new String[] {x}, OnnxGraph.integer("axis", 1));
    }

    private static String relu(OnnxGraph g, String x) {
        return g.node("Relu", new String[] {x});
    }

    private static NDArray param(Block block, String name) {
        Parameter p = block.getParameters().get(name);
        if (p == null || !p.isInitialized()) {
            throw new IllegalStateException(block.getClass().getSimpleName() + " has no initialized parameter '" + name + "'");
        }
        return p.getArray();
    }

    /** The network's layers that carry parameters, taken in order; what the spec expects next must come next. */
    private static final class Layers {
        private final List<Block> withParameters = new ArrayList<>();
        private int position;

        Layers(SequentialBlock seq) {
            for (Block child : seq.getChildren().values()) {
                if (!child.getParameters().isEmpty()) {
                    withParameters.add(child);
                }
            }
        }

        <T extends Block> T next(Class<T> type) {
            if (position >= withParameters.size() || !type.isInstance(withParameters.get(position))) {
                throw new IllegalStateException("the network does not match its spec: expected a " + type.getSimpleName()
                        + " as layer " + position + " with parameters, found "
                        + (position < withParameters.size() ? withParameters.get(position).getClass().getSimpleName() : "none"));
            }
            return type.cast(withParameters.get(position++));
        }

        Block nextBag() {
            Block b = withParameters.get(position);
            if (!b.getParameters().contains("table")) {
                throw new IllegalStateException("the n-gram network does not start with its embedding table");
            }
            position++;
            return b;
        }

        void checkAllUsed() {
            if (position != withParameters.size()) {
                throw new IllegalStateException("the network has " + (withParameters.size() - position)
                        + " layers with parameters its spec does not describe");
            }
        }
    }
}
