package dev.distillery.synth;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import dev.distillery.train.TrainingStep;
import dev.distillery.model.TorchRuntime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small class-conditional word language model trained with DJL, after Bengio et al. (2003): the
 * embeddings of the previous {@code context} words and of the class feed a hidden layer, then a softmax
 * over the vocabulary. Sampling a class draws texts word by word until the end mark; all texts of a
 * call are drawn together, one batched forward pass per position. Word draws use the caller's
 * {@link Random}, so a seeded run samples the same texts.
 */
public final class NeuralLanguageModel implements AutoCloseable {
    /** Id 0 pads the context before the first word; 1 is the end mark; 2 the unknown word; words follow. */
    static final int PAD = 0;
    static final int END = 1;
    static final int UNK = 2;

    public record Settings(int context, int embedding, int hidden, int maxWords, int minCount, int epochs, int batchSize, float learningRate) {
        /** Three words of context, 32-dimensional embeddings, 128 hidden units, the first 50 words of each text, 3 epochs. */
        public static final Settings DEFAULT = new Settings(3, 32, 128, 50, 2, 3, 256, 3e-3f);

        public Settings {
            if (context < 1 || embedding < 1 || hidden < 1 || maxWords < 1 || minCount < 1 || epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("every size, count and epoch number must be >= 1 and the learning rate > 0");
            }
        }
    }

    private final Model model;
    private final LmBlock block;
    private final List<String> words;
    private final Map<String, Integer> ids;
    private final int classes;
    private final Settings settings;

    private NeuralLanguageModel(Model model, LmBlock block, List<String> words, Map<String, Integer> ids, int classes, Settings settings) {
        this.model = model;
        this.block = block;
        this.words = words;
        this.ids = ids;
        this.classes = classes;
        this.settings = settings;
    }

    /** Fits the model to {@code texts}, the i-th of class {@code labels[i]}. */
    public static NeuralLanguageModel fit(List<String> texts, int[] labels, int classes, Settings settings, long seed) {
        if (texts.isEmpty() || texts.size() != labels.length) {
            throw new IllegalArgumentException("need one label per text and at least one text, got " + texts.size() + " texts and "
                    + labels.length + " labels");
        }
        Map<String, Integer> counts = new java.util.HashMap<>();
        texts.forEach(t -> BigramLanguageModel.tokens(t, settings.maxWords()).forEach(w -> counts.merge(w, 1, Integer::sum)));
        List<String> words = new ArrayList<>(List.of("<s>", BigramLanguageModel.END, BigramLanguageModel.UNK));
        counts.entrySet().stream().filter(e -> e.getValue() >= settings.minCount()).map(Map.Entry::getKey).sorted().forEach(words::add);
        Map<String, Integer> ids = new java.util.HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            ids.put(words.get(i), i);
        }
        // One training row per predicted word: the context ids, the class, and the word (the end mark last).
        List<long[]> rows = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            if (labels[t] < 0 || labels[t] >= classes) {
                throw new IllegalArgumentException("label " + labels[t] + " of text " + t + " is outside 0.." + (classes - 1));
            }
            int[] seq = encode(texts.get(t), ids, settings.maxWords());
            for (int pos = 0; pos < seq.length; pos++) {
                long[] row = new long[settings.context() + 2];
                for (int k = 0; k < settings.context(); k++) {
                    int from = pos - settings.context() + k;
                    row[k] = from < 0 ? PAD : seq[from];
                }
                row[settings.context()] = labels[t];
                row[settings.context() + 1] = seq[pos];
                rows.add(row);
            }
        }
        TorchRuntime.engine().setRandomSeed((int) seed);
        LmBlock block = new LmBlock(words.size(), classes, settings);
        Model model = Model.newInstance("class-conditional-lm");
        model.setBlock(block);
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(settings.learningRate())).build());
        Random rng = new Random(seed);
        try (Trainer trainer = model.newTrainer(config)) {
            int batch = Math.min(settings.batchSize(), rows.size());
            trainer.initialize(new Shape(batch, settings.context()), new Shape(batch, 1));
            for (int epoch = 0; epoch < settings.epochs(); epoch++) {
                java.util.Collections.shuffle(rows, rng);
                for (int start = 0; start < rows.size(); start += batch) {
                    List<long[]> part = rows.subList(start, Math.min(rows.size(), start + batch));
                    trainStep(trainer, part, settings.context(), epoch);
                }
            }
        }
        return new NeuralLanguageModel(model, block, List.copyOf(words), Map.copyOf(ids), classes, settings);
    }

    private static void trainStep(Trainer trainer, List<long[]> part, int context, int epoch) {
        int n = part.size();
        long[] ctx = new long[n * context];
        long[] cls = new long[n];
        long[] target = new long[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(part.get(i), 0, ctx, i * context, context);
            cls[i] = part.get(i)[context];
            target[i] = part.get(i)[context + 1];
        }
        TrainingStep.run(trainer, sub -> {
            NDList inputs = new NDList(sub.create(ctx, new Shape(n, context)), sub.create(cls, new Shape(n, 1)));
            NDArray logits = trainer.forward(inputs).singletonOrThrow();
            return trainer.getLoss().evaluate(new NDList(sub.create(target)), new NDList(logits));
        }, () -> "language model epoch " + (epoch + 1));
    }

    static int[] encode(String text, Map<String, Integer> ids, int maxWords) {
        List<String> toks = BigramLanguageModel.tokens(text, maxWords);
        int[] seq = new int[toks.size() + 1];
        for (int i = 0; i < toks.size(); i++) {
            seq[i] = ids.getOrDefault(toks.get(i), UNK);
        }
        seq[toks.size()] = END;
        return seq;
    }

    /** Words in the vocabulary, the three marks included. */
    public int vocabularySize() {
        return words.size();
    }

    /** Per-word perplexity of {@code texts} given their classes (end marks included, unknown words scored as such). */
    public double perplexity(List<String> texts, int[] labels) {
        double nll = 0;
        long count = 0;
        for (int t = 0; t < texts.size(); t++) {
            int[] seq = encode(texts.get(t), ids, settings.maxWords());
            float[][] probs = nextWordProbabilities(seq, labels[t]);
            for (int pos = 0; pos < seq.length; pos++) {
                nll -= Math.log(Math.max(probs[pos][seq[pos]], 1e-12f));
                count++;
            }
        }
        return Math.exp(nll / Math.max(1, count));
    }

    /** For each position of {@code seq}, the distribution of the word there given the words before it and the class. */
    private float[][] nextWordProbabilities(int[] seq, int label) {
        int c = settings.context();
        long[] ctx = new long[seq.length * c];
        long[] cls = new long[seq.length];
        for (int pos = 0; pos < seq.length; pos++) {
            for (int k = 0; k < c; k++) {
                int from = pos - c + k;
                ctx[pos * c + k] = from < 0 ? PAD : seq[from];
            }
            cls[pos] = label;
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray logits = block.forward(new ParameterStore(m, false),
                    new NDList(m.create(ctx, new Shape(seq.length, c)), m.create(cls, new Shape(seq.length, 1))), false).singletonOrThrow();
            float[] flat = logits.softmax(1).toFloatArray();
            float[][] out = new float[seq.length][];
            for (int pos = 0; pos < seq.length; pos++) {
                out[pos] = Arrays.copyOfRange(flat, pos * words.size(), (pos + 1) * words.size());
            }
            return out;
        }
    }

    /**
     * {@code labels.length} texts, the i-th of class {@code labels[i]}: words drawn from the model's distribution,
     * never the unknown word, until the end mark or {@code maxWords} words.
     */
    public List<String> sample(int[] labels, Random rng) {
        for (int label : labels) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("class " + label + " is outside 0.." + (classes - 1));
            }
        }
        int n = labels.length;
        int c = settings.context();
        List<List<String>> texts = new ArrayList<>();
        int[][] history = new int[n][c];
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            texts.add(new ArrayList<>());
        }
        long[] cls = Arrays.stream(labels).asLongStream().toArray();
        for (int pos = 0; pos < settings.maxWords(); pos++) {
            long[] ctx = new long[n * c];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < c; k++) {
                    ctx[i * c + k] = history[i][k];
                }
            }
            float[] flat;
            try (NDManager m = model.getNDManager().newSubManager()) {
                NDArray logits = block.forward(new ParameterStore(m, false),
                        new NDList(m.create(ctx, new Shape(n, c)), m.create(cls, new Shape(n, 1))), false).singletonOrThrow();
                flat = logits.softmax(1).toFloatArray();
            }
            boolean any = false;
            for (int i = 0; i < n; i++) {
                if (done[i]) {
                    continue;
                }
                int w = draw(flat, i * words.size(), words.size(), rng);
                if (w == END) {
                    done[i] = true;
                    continue;
                }
                texts.get(i).add(words.get(w));
                System.arraycopy(history[i], 1, history[i], 0, c - 1);
                history[i][c - 1] = w;
                any = true;
            }
            if (!any) {
                break;
            }
        }
        return texts.stream().map(ws -> String.join(" ", ws)).toList();
    }

    /** A draw from the distribution at {@code offset}, leaving out the padding and unknown ids. */
    private static int draw(float[] probs, int offset, int size, Random rng) {
        double total = 0;
        for (int w = 0; w < size; w++) {
            if (w != PAD && w != UNK) {
                total += probs[offset + w];
            }
        }
        double u = rng.nextDouble() * total;
        int last = END;
        for (int w = 0; w < size; w++) {
            if (w == PAD || w == UNK) {
                continue;
            }
            u -= probs[offset + w];
            last = w;
            if (u <= 0) {
                return w;
            }
        }
        return last;
    }

    @Override
    public void close() {
        model.close();
    }

    /** A generator that fits a fresh model to the texts it is given and samples {@code n}, classes in the texts' proportions. */
    public static Generator<String> generator(int classes, Settings settings) {
        return new Generator<>() {
            @Override
            public String name() {
                return "lm";
            }

            @Override
            public List<Candidate<String>> generate(List<String> examples, int[] labels, int n, Random rng) {
                try (NeuralLanguageModel lm = fit(examples, labels, classes, settings, rng.nextLong())) {
                    int[] wanted = new int[n];
                    for (int i = 0; i < n; i++) {
                        wanted[i] = labels[rng.nextInt(labels.length)];
                    }
                    List<String> texts = lm.sample(wanted, rng);
                    List<Candidate<String>> out = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        out.add(new Candidate<>(texts.get(i), wanted[i], "lm"));
                    }
                    return out;
                }
            }
        };
    }

    /** Context and class embeddings, concatenated, through one hidden layer to the vocabulary's logits. */
    static final class LmBlock extends AbstractBlock {
        private final Parameter wordTable;
        private final Parameter classTable;
        private final Linear hidden;
        private final Linear output;
        private final int context;
        private final int embedding;

        LmBlock(int vocabulary, int classes, Settings s) {
            super((byte) 1);
            this.context = s.context();
            this.embedding = s.embedding();
            this.wordTable = addParameter(Parameter.builder().setName("words").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(vocabulary, s.embedding())).optInitializer(new NormalInitializer(0.1f)).build());
            this.classTable = addParameter(Parameter.builder().setName("classes").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(classes, s.embedding())).optInitializer(new NormalInitializer(0.1f)).build());
            this.hidden = addChildBlock("hidden", Linear.builder().setUnits(s.hidden()).build());
            this.output = addChildBlock("output", Linear.builder().setUnits(vocabulary).build());
        }

        /** Inputs: context ids (B, context) and class ids (B, 1), int64. Output: logits (B, vocabulary). */
        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray ctx = inputs.get(0);
            NDArray cls = inputs.get(1);
            NDArray words = Embedding.embedding(ctx, store.getValue(wordTable, ctx.getDevice(), training), SparseFormat.DENSE).singletonOrThrow();
            NDArray klass = Embedding.embedding(cls, store.getValue(classTable, cls.getDevice(), training), SparseFormat.DENSE).singletonOrThrow();
            long b = ctx.getShape().get(0);
            NDArray x = words.reshape(b, (long) context * embedding).concat(klass.reshape(b, embedding), 1);
            NDArray h = Activation.relu(hidden.forward(store, new NDList(x), training).singletonOrThrow());
            return output.forward(store, new NDList(h), training);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return output.getOutputShapes(hidden.getOutputShapes(new Shape[] {new Shape(inputShapes[0].get(0), (long) (context + 1) * embedding)}));
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            long b = inputShapes[0].get(0);
            hidden.initialize(manager, dataType, new Shape(b, (long) (context + 1) * embedding));
            output.initialize(manager, dataType, hidden.getOutputShapes(new Shape[] {new Shape(b, (long) (context + 1) * embedding)}));
        }
    }
}
