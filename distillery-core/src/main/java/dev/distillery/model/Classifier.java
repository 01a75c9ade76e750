package dev.distillery.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.util.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A network with its spec, its label schema and its featurizer: everything needed to predict, and
 * to save as one directory ({@code model.json} + {@code weights.params}) and load back.
 *
 * <p>Owns native memory through a DJL {@link Model}; close it when done.
 */
public final class Classifier implements AutoCloseable {
    public static final String SPEC_FILE = "model.json";
    public static final String WEIGHTS_FILE = "weights.params";
    static final int FORMAT_VERSION = 1;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelSpec spec;
    private final Schema schema;
    private final Model model;
    private final Featurizer featurizer;
    private boolean rewired;

    private Classifier(ModelSpec spec, Schema schema) {
        spec.checkCompatible(schema);
        if (schema.numClasses() < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, the data has " + schema.labels());
        }
        this.spec = spec;
        this.schema = schema;
        this.featurizer = spec.featurizer(schema);
        TorchRuntime.engine(); // the native runtime is configured before the first model exists
        this.model = Model.newInstance("distillery-" + spec.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
        this.model.setBlock(spec.build(schema));
    }

    /** A new, uninitialized classifier; a trainer initializes its weights. */
    public static Classifier create(ModelSpec spec, Schema schema) {
        return new Classifier(spec, schema);
    }

    /**
     * Initializes the weights now, as a trainer would with {@code seed}, unless they are already; for a starting point
     * that several copies share (federated clients). A trainer keeps weights it finds.
     */
    public Classifier initializeWeights(long seed) {
        if (!block().isInitialized()) {
            TorchRuntime.engine().setRandomSeed((int) seed);
            block().initialize(model.getNDManager(), DataType.FLOAT32, featurizer.inputShape(1));
        }
        return this;
    }

    public ModelSpec spec() {
        return spec;
    }

    /**
     * Records the settings a solver chose where the spec left them open (a linear model's loss and C, an SVM's C and
     * gamma, chosen by cross-validation): {@code fitted} is saved and reported in its place, so a model shows what it
     * is ("c=0.1", not "c=null"). The settings shape no layer, so the network and its weights stay as they are.
     */
    public void recordFittedSettings(ModelSpec fitted) {
        if (fitted.getClass() != spec.getClass()) {
            throw new IllegalArgumentException(fitted + " is not a setting of " + spec);
        }
        this.spec = fitted;
    }

    public Schema schema() {
        return schema;
    }

    public Model model() {
        return model;
    }

    public Block block() {
        return model.getBlock();
    }

    public Featurizer featurizer() {
        return featurizer;
    }

    /**
     * Swaps in a network that reuses this one's layers with additions (e.g. LoRA adapters around the dense
     * layers). Such a network is no longer what the spec describes, so {@link #save} refuses it until
     * {@link #restoreBlock} puts back a network the spec does describe.
     */
    public void replaceBlock(Block rewiredBlock) {
        model.setBlock(rewiredBlock);
        rewired = true;
    }

    /** Puts back a network of the spec's own shape, e.g. the original after adapters were merged into it. */
    public void restoreBlock(Block original) {
        model.setBlock(original);
        rewired = false;
    }

    /** Number of scalar parameters, including batch-norm running statistics. */
    public long parameterCount() {
        long total = 0;
        for (Pair<String, Parameter> p : block().getParameters()) {
            if (p.getValue().isInitialized()) {
                total += p.getValue().getArray().getShape().size();
            } else {
                throw new IllegalStateException("parameter " + p.getKey() + " is not initialized yet");
            }
        }
        return total;
    }

    /** Class probabilities, one row per example, in schema label order. */
    public float[][] probabilities(List<Example> examples, int batchSize) {
        float[][] out = new float[examples.size()][];
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<Example> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
            try (NDManager sub = model.getNDManager().newSubManager()) {
                NDArray probs = logits(sub, batch).softmax(1);
                float[] flat = probs.toFloatArray();
                int k = schema.numClasses();
                for (int i = 0; i < batch.size(); i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(flat, i * k, (i + 1) * k);
                }
            }
        }
        return out;
    }

    /**
     * The input to the last layer, one row per example: the network's own embedding of each example
     * (inference mode). For a network that is not a plain sequence of layers, the class probabilities.
     */
    public float[][] embeddings(List<Example> examples, int batchSize) {
        if (!(block() instanceof ai.djl.nn.SequentialBlock seq)) {
            return probabilities(examples, batchSize);
        }
        List<Block> layers = seq.getChildren().values();
        float[][] out = new float[examples.size()][];
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<Example> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
            try (NDManager sub = model.getNDManager().newSubManager()) {
                NDList x = featurizer.batch(sub, batch, false, new Random(0));
                ParameterStore ps = new ParameterStore(sub, false);
                try (TorchRuntime.Scope kernels = TorchRuntime.convolutions(block())) {
                    for (Block layer : layers.subList(0, layers.size() - 1)) {
                        x = layer.forward(ps, x, false);
                    }
                }
                NDArray e = x.singletonOrThrow().reshape(batch.size(), -1);
                int width = (int) e.getShape().get(1);
                float[] flat = e.toFloatArray();
                for (int i = 0; i < batch.size(); i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
                }
            }
        }
        return out;
    }

    /** Raw scores for a batch, allocated in {@code manager}; inference mode (no dropout, running BN stats). */
    public NDArray logits(NDManager manager, List<Example> batch) {
        return forward(featurizer, manager, batch);
    }

    /** Like {@link #logits} but computing every feature afresh (no embedding cache): what timing should measure. */
    public NDArray logitsUncached(NDManager manager, List<Example> batch) {
        return forward(featurizer.uncached(), manager, batch);
    }

    private NDArray forward(Featurizer features, NDManager manager, List<Example> batch) {
        NDList inputs = features.batch(manager, batch, false, new Random(0));
        ParameterStore ps = new ParameterStore(manager, false);
        try (TorchRuntime.Scope kernels = TorchRuntime.convolutions(block())) {
            return block().forward(ps, inputs, false).singletonOrThrow();
        }
    }

    /** Trainable plus frozen parameters: everything that runs at inference. */
    public long totalParameterCount() {
        return parameterCount() + spec.frozenParameters();
    }

    /** Index of the most probable class for each example. */
    public int[] predict(List<Example> examples, int batchSize) {
        float[][] probs = probabilities(examples, batchSize);
        int[] out = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            out[i] = argmax(probs[i]);
        }
        return out;
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

    /** Saves spec, schema, {@code extra} metadata and weights into {@code dir}, atomically. */
    public void save(Path dir, Map<String, Object> extra) {
        save(dir, extra, 32);
    }

    /**
     * Saves like {@link #save(Path, Map)} with weight tensors stored at {@code bits} (32: float, as
     * trained; 8 or 4: per-channel integers, see {@link QuantizedWeights}).
     */
    public void save(Path dir, Map<String, Object> extra, int bits) {
        if (rewired) {
            throw new IllegalStateException("this model carries adapters its spec does not describe; merge them (or save the "
                    + "adapter on its own) before saving it as a model");
        }
        AtomicFiles.writeDirectory(dir, tmp -> {
            ObjectNode doc = JSON.createObjectNode();
            doc.put("format", FORMAT_VERSION);
            doc.set("spec", JSON.valueToTree(spec));
            doc.set("schema", JSON.valueToTree(schema));
            doc.put("parameters", parameterCount());
            doc.put("weight_bits", bits);
            doc.set("metadata", JSON.valueToTree(extra));
            Files.writeString(tmp.resolve(SPEC_FILE), JSON.writeValueAsString(doc));
            String file = bits == 32 ? WEIGHTS_FILE : QuantizedWeights.FILE;
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(tmp.resolve(file)), 1 << 16))) {
                if (bits == 32) {
                    block().saveParameters(out);
                } else {
                    QuantizedWeights.write(block(), out, bits);
                }
            }
        });
    }

    /** Loads a classifier saved by {@link #save}; {@code dir} may also be a run directory holding {@code model/}. */
    public static Classifier load(Path dir) {
        Path modelDir = Files.isRegularFile(dir.resolve(SPEC_FILE)) ? dir : dir.resolve("model");
        Path specFile = modelDir.resolve(SPEC_FILE);
        if (!Files.isRegularFile(specFile)) {
            throw new IllegalArgumentException(dir + " holds no saved model (no " + SPEC_FILE + " in it or in model/)");
        }
        try {
            JsonNode doc = JSON.readTree(specFile.toFile());
            int format = doc.path("format").asInt(-1);
            if (format != FORMAT_VERSION) {
                throw new IllegalArgumentException(specFile + " has format " + format + "; this Distillery reads format "
                        + FORMAT_VERSION);
            }
            ModelSpec spec = JSON.treeToValue(doc.get("spec"), ModelSpec.class);
            Schema schema = JSON.treeToValue(doc.get("schema"), Schema.class);
            Classifier c = new Classifier(spec, schema);
            try {
                c.block().initialize(c.model.getNDManager(), DataType.FLOAT32, c.featurizer.inputShape(1));
                Path quantized = modelDir.resolve(QuantizedWeights.FILE);
                boolean isQuantized = !Files.isRegularFile(modelDir.resolve(WEIGHTS_FILE)) && Files.isRegularFile(quantized);
                Path weights = isQuantized ? quantized : modelDir.resolve(WEIGHTS_FILE);
                try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(weights), 1 << 16))) {
                    if (isQuantized) {
                        QuantizedWeights.read(c.block(), in, weights.toString());
                    } else {
                        c.block().loadParameters(c.model.getNDManager(), in);
                    }
                }
                return c;
            } catch (IOException | MalformedModelException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (MalformedModelException e) {
            throw new IllegalArgumentException(modelDir.resolve(WEIGHTS_FILE) + " does not match " + SPEC_FILE + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the model in " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /** Bytes this model would need on disk if saved now: saved to a temporary directory, measured, deleted. */
    public long sizeIfSaved() {
        try {
            Path tmp = Files.createTempDirectory("distillery-size");
            try {
                save(tmp.resolve("m"), Map.of());
                return sizeOnDisk(tmp.resolve("m"));
            } finally {
                AtomicFiles.deleteRecursively(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Bytes the saved model needs on disk to run: its directory plus any frozen part it depends on
     * but does not store (the MiniLM encoder's ONNX file).
     */
    public static long sizeOnDisk(Path modelDir) {
        long frozen = 0;
        try {
            JsonNode spec = JSON.readTree(modelDir.resolve(SPEC_FILE).toFile()).get("spec");
            frozen = JSON.treeToValue(spec, ModelSpec.class).frozenBytes();
        } catch (IOException | RuntimeException e) {
            frozen = 0; // not a readable saved model: count the files alone
        }
        try (var files = Files.list(modelDir)) {
            return frozen + files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
