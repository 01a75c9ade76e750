package dev.distillery.train;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.transform.ImageTransforms;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Out-of-sample predicted probabilities by k-fold cross-validation: every example is scored by a
 * model that never saw it, which is what confident learning needs (a model scoring its own training
 * labels agrees with them, noise included).
 */
public final class CrossValidation {
    private CrossValidation() {}

    /** Fold index of every example: stratified (each class spread evenly over the folds) and seeded. */
    public static int[] folds(Dataset data, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("need at least 2 folds, got: " + k);
        }
        int[] fold = new int[data.size()];
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < data.schema().numClasses(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < data.size(); i++) {
            byClass.get(data.schema().indexOf(data.get(i).label().orElseThrow(() -> new IllegalArgumentException(
                    "cross-validation needs every example labeled; " + data.name() + " has an unlabeled one")))).add(i);
        }
        Random rng = new Random(seed);
        int next = 0;
        for (List<Integer> members : byClass) {
            Collections.shuffle(members, rng);
            for (int i : members) {
                fold[i] = next++ % k;
            }
        }
        return fold;
    }

    /** One fold's parts: the examples to train on, the held-out ones and their positions in the data. */
    public record Fold(List<Example> train, List<Example> held, List<Integer> heldIndex) {
        /** Fold {@code f} of {@code data} under the fold assignment {@code fold} (from {@link #folds}). */
        public static Fold of(Dataset data, int[] fold, int f) {
            List<Example> train = new ArrayList<>();
            List<Example> held = new ArrayList<>();
            List<Integer> heldIndex = new ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                if (fold[i] == f) {
                    held.add(data.get(i));
                    heldIndex.add(i);
                } else {
                    train.add(data.get(i));
                }
            }
            return new Fold(train, held, heldIndex);
        }
    }

    /** Class probabilities of each example of {@code data} (in its order) from the model trained without its fold. */
    public static float[][] outOfSample(Dataset data, ModelSpec spec, TrainConfig config, int k, TrainListener listener) {
        int[] fold = folds(data, k, config.seed());
        float[][] out = new float[data.size()][];
        for (int f = 0; f < k; f++) {
            Fold parts = Fold.of(data, fold, f);
            List<Example> train = parts.train();
            List<Example> held = parts.held();
            List<Integer> heldIndex = parts.heldIndex();
            if (listener != null) {
                listener.onMessage(String.format("fold %d/%d: training on %,d, scoring %,d", f + 1, k, train.size(), held.size()));
            }
            try (Classifier model = Classifier.create(spec, data.schema())) {
                new ClassifierTrainer(config.withSeed(config.seed() + f), listener, null)
                        .train(model, data.subset(data.name() + "-fold" + f, train), null);
                float[][] probs = scoreHeldOut(model, spec, held);
                for (int j = 0; j < probs.length; j++) {
                    out[heldIndex.get(j)] = probs[j];
                }
            }
        }
        return out;
    }

    /**
     * A model trained on random mirror images (a CNN with {@code augment}) was taught that an image and its mirror
     * are the same item, so each held-out image is scored as the mean of both views' probabilities: a steadier
     * estimate than either alone, at the cost of one more forward pass.
     */
    public static float[][] scoreHeldOut(Classifier model, ModelSpec spec, List<Example> held) {
        float[][] probs = model.probabilities(held, 512);
        if (!(spec instanceof CnnSpec cnn && cnn.augment() && ImageTransforms.handles(model.schema()))) {
            return probs;
        }
        ImageTransforms views = ImageTransforms.forSchema(model.schema());
        List<Example> mirrored = new ArrayList<>(held.size());
        for (Example e : held) {
            mirrored.add(Example.dense(e.id(), views.flip(e.features()), e.label().orElse(null), e.source()));
        }
        float[][] mirror = model.probabilities(mirrored, 512);
        for (int i = 0; i < probs.length; i++) {
            for (int c = 0; c < probs[i].length; c++) {
                probs[i][c] = (probs[i][c] + mirror[i][c]) / 2;
            }
        }
        return probs;
    }

    /**
     * {@code task} for 0..n-1 on the engine's threads ({@code DISTILLERY_THREADS}), results in index order: independent
     * fits of folds or settings.
     */
    public static <T> T[] inParallel(int n, java.util.function.IntFunction<T> task, java.util.function.IntFunction<T[]> array) {
        T[] out = array.apply(n);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(1, Math.min(dev.distillery.model.TorchRuntime.threads(), n)));
        try {
            List<java.util.concurrent.Future<T>> jobs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                jobs.add(pool.submit(() -> task.apply(index)));
            }
            for (int i = 0; i < n; i++) {
                out[i] = jobs.get(i).get();
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
