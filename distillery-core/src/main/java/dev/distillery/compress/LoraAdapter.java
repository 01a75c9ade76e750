package dev.distillery.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.model.Classifier;
import dev.distillery.model.RowSparseTable;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters on a frozen base classifier: every dense layer gets a low-rank trainable update
 * ({@link LoraLinear}); batch-norm scales and shifts stay trainable too (a few hundred numbers that let
 * the frozen convolutions re-center on a new input distribution); everything else is frozen.
 *
 * <p>The adapter saves apart from the base: only the adapter matrices and the batch-norm parameters and
 * running statistics (which training on the new domain re-estimates), with the base model's SHA-256 so
 * it is never applied to another base. {@link #merge} folds the updates into the dense weights.
 */
public final class LoraAdapter {
    public static final String CONFIG_FILE = "adapter.json";
    public static final String WEIGHTS_FILE = "adapter.ndlist";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What an adapter needs to be rebuilt: its rank and scale, and the base it adapts. */
    public record Config(int rank, float alpha, long seed, String baseModel, String baseSha256) {}

    private final Classifier model;
    private final Block original;
    private final Config config;
    private final List<LoraLinear> adapters;

    private LoraAdapter(Classifier model, Block original, Config config, List<LoraLinear> adapters) {
        this.model = model;
        this.original = original;
        this.config = config;
        this.adapters = adapters;
    }

    /**
     * Wraps every dense layer of {@code base} (a sequential network: CNN or MLP) in a LoRA adapter and freezes
     * the rest but batch-norm scales and shifts. {@code base} then trains only the adapter.
     */
    public static LoraAdapter attach(Classifier base, int rank, float alpha, long seed, Path baseDir) {
        if (!(base.block() instanceof SequentialBlock original)) {
            throw new IllegalArgumentException("LoRA adapters need a sequential network (cnn or mlp); this model is " + base.spec());
        }
        SequentialBlock wrapped = new SequentialBlock();
        List<LoraLinear> adapters = new ArrayList<>();
        int i = 0;
        for (Block child : original.getChildren().values()) {
            if (child instanceof Linear linear) {
                LoraLinear lora = new LoraLinear(linear, rank, alpha, seed + 31L * i++);
                adapters.add(lora);
                wrapped.add(lora);
            } else {
                wrapped.add(child);
            }
        }
        if (adapters.isEmpty()) {
            throw new IllegalArgumentException("the model has no dense layer to adapt");
        }
        for (Pair<String, Parameter> p : original.getParameters()) {
            p.getValue().freeze(!(p.getValue().getType() == Parameter.Type.GAMMA || p.getValue().getType() == Parameter.Type.BETA));
        }
        freezeTables(original, true);
        base.replaceBlock(wrapped);
        wrapped.initialize(base.model().getNDManager(), DataType.FLOAT32, base.featurizer().inputShape(1));
        String sha = baseDir == null ? null : modelHash(baseDir);
        return new LoraAdapter(base, original, new Config(rank, alpha, seed, baseDir == null ? null : baseDir.toString(), sha),
                adapters);
    }

    /** Trainable parameters over all parameters of the base network. */
    public double trainableFraction() {
        return trainableParameters() / (double) baseParameters();
    }

    public long trainableParameters() {
        long n = 0;
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    public long baseParameters() {
        long n = 0;
        for (Pair<String, Parameter> p : original.getParameters()) {
            n += p.getValue().getArray().size();
        }
        return n;
    }

    public Config config() {
        return config;
    }

    /** The parameters the adapter owns: adapter matrices and every batch-norm parameter and statistic. */
    private Map<String, Parameter> owned() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            Parameter param = p.getValue();
            boolean lora = param.getName().startsWith("lora");
            boolean norm = switch (param.getType()) {
                case GAMMA, BETA, RUNNING_MEAN, RUNNING_VAR -> true;
                default -> false;
            };
            if (lora || norm) {
                out.put(p.getKey(), param);
            }
        }
        return out;
    }

    /** Writes the adapter (not the base) to {@code dir}, atomically. */
    public void save(Path dir) {
        AtomicFiles.writeDirectory(dir, tmp -> {
            Files.writeString(tmp.resolve(CONFIG_FILE), JSON.writeValueAsString(config));
            NDList arrays = new NDList();
            for (Map.Entry<String, Parameter> e : owned().entrySet()) {
                NDArray a = e.getValue().getArray().duplicate();
                a.setName(e.getKey());
                arrays.add(a);
            }
            Files.write(tmp.resolve(WEIGHTS_FILE), arrays.encode());
            arrays.close();
        });
    }

    /** Attaches the adapter saved in {@code dir} to {@code base}, loaded from {@code baseDir}; refuses another base. */
    public static LoraAdapter load(Classifier base, Path baseDir, Path dir) {
        try {
            Config c = JSON.readValue(dir.resolve(CONFIG_FILE).toFile(), Config.class);
            String sha = modelHash(baseDir);
            if (c.baseSha256() != null && !c.baseSha256().equals(sha)) {
                throw new IllegalArgumentException("the adapter in " + dir + " was trained on a base model with SHA-256 "
                        + c.baseSha256() + "; " + baseDir + " has " + sha);
            }
            LoraAdapter adapter = attach(base, c.rank(), c.alpha(), c.seed(), baseDir);
            Map<String, Parameter> owned = adapter.owned();
            try (NDList arrays = NDList.decode(base.model().getNDManager(), Files.readAllBytes(dir.resolve(WEIGHTS_FILE)))) {
                for (NDArray a : arrays) {
                    Parameter target = owned.get(a.getName());
                    if (target == null || !target.getArray().getShape().equals(a.getShape())) {
                        throw new IllegalArgumentException(dir.resolve(WEIGHTS_FILE) + ": adapter array " + a.getName() + " "
                                + a.getShape() + " does not fit the base model");
                    }
                    target.getArray().set(a.toFloatArray());
                }
            }
            return adapter;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the adapter in " + dir, e);
        }
    }

    /**
     * Folds every low-rank update into its dense layer's weights and puts the plain network back: the
     * classifier then computes the same function with no adapter overhead, and saves as a normal model.
     */
    public Classifier merge() {
        for (LoraLinear lora : adapters) {
            Parameter weight = lora.base().getParameters().get("weight");
            try (NDArray delta = lora.delta(); NDArray merged = weight.getArray().add(delta)) {
                weight.getArray().set(merged.toFloatArray());
            }
        }
        for (Pair<String, Parameter> p : original.getParameters()) {
            p.getValue().freeze(false);
        }
        freezeTables(original, false);
        model.restoreBlock(original);
        return model;
    }

    /** SHA-256 of the base model's weights file: what identifies the base an adapter belongs to. */
    static String modelHash(Path baseDir) {
        Path modelDir = Files.isRegularFile(baseDir.resolve(Classifier.SPEC_FILE)) ? baseDir : baseDir.resolve("model");
        Path weights = modelDir.resolve(Classifier.WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("LoRA needs a float base model; " + modelDir + " has no " + Classifier.WEIGHTS_FILE);
        }
        return Hashing.sha256(weights);
    }

    /** Row-trained tables (n-gram embeddings) are outside parameter freezing: they are frozen, or thawed, here. */
    private static void freezeTables(Block block, boolean frozen) {
        RowSparseTable.within(block).forEach(table -> table.freezeTable(frozen));
    }
}
