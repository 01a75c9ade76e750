package dev.distillery.train;

import dev.distillery.curate.DuplicateGroups;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.transform.ImageTransforms;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Out-of-sample predicted probabilities by k-fold cross-validation: every example is scored by a
 * model that never saw it, which is what confident learning needs (a model scoring its own training
 * labels agrees with them, noise included).
 */
public final class CrossValidation {
    private CrossValidation() {}

    /**
     * Fold index of every example: stratified (each class spread evenly over the folds), seeded, and with exact and
     * near duplicates ({@link DuplicateGroups}) in one fold. A held-out message whose copy trained the model is scored
     * from memory: with copies across folds the estimate rises (to 1.0 on a set of duplicated texts with random
     * labels) and the choices made from it, a family or C, are the ones that memorize best.
     */
    public static int[] folds(Dataset data, int k, long seed) {
        return folds(data, DuplicateGroups.of(data), k, seed);
    }

    /**
     * The assignment of {@link #folds(Dataset, int, long)} for given groups ({@code groups[i] >= 0} for example i;
     * equal numbers share a fold, unless there are more of them than a fold's share of the data). A group belongs to
     * the class of its first example; each class's groups are shuffled, and each goes to the fold that has the fewest
     * examples of its class, then the fewest examples, then the lowest number. Where every group is a single example
     * this deals each shuffled class round the folds in turn.
     */
    static int[] folds(Dataset data, int[] groups, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("need at least 2 folds, got: " + k);
        }
        if (groups.length != data.size()) {
            throw new IllegalArgumentException("groups has " + groups.length + " entries for " + data.size() + " examples");
        }
        int classes = data.schema().numClasses();
        Map<Integer, Integer> groupSize = new HashMap<>();
        for (int g : groups) {
            groupSize.merge(g, 1, Integer::sum);
        }
        // A group larger than a fold would leave other folds empty (many equal rows of a table with few distinct
        // values, say): its examples are dealt one by one, as if distinct.
        Map<Integer, List<Integer>> members = new LinkedHashMap<>(); // key -> its examples, first example first
        for (int i = 0; i < data.size(); i++) {
            int key = (long) groupSize.get(groups[i]) * k > data.size() ? -1 - i : groups[i];
            members.computeIfAbsent(key, g -> new ArrayList<>()).add(i);
        }
        List<List<List<Integer>>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (List<Integer> group : members.values()) {
            byClass.get(classOf(data, group.get(0))).add(group);
        }
        int[] fold = new int[data.size()];
        int[] size = new int[k];
        Random rng = new Random(seed);
        for (List<List<Integer>> classGroups : byClass) {
            Collections.shuffle(classGroups, rng);
            int[] ofClass = new int[k];
            for (List<Integer> group : classGroups) {
                int to = 0;
                for (int f = 1; f < k; f++) {
                    if (ofClass[f] < ofClass[to] || ofClass[f] == ofClass[to] && size[f] < size[to]) {
                        to = f;
                    }
                }
                for (int i : group) {
                    fold[i] = to;
                }
                ofClass[to] += group.size();
                size[to] += group.size();
            }
        }
        return fold;
    }

    private static int classOf(Dataset data, int i) {
        return data.schema().indexOf(data.get(i).label().orElseThrow(() -> new IllegalArgumentException(
                "cross-validation needs every example labeled; " + data.name() + " has an unlabeled one")));
    }

    /**
     * The examples settings are cross-validated on: {@code data} without those of a class that has one labeled example,
     * which no fold could both hold out and learn from (it would count as a certain mistake, and its class would leave
     * every other setting unvalidated: a support-ticket category seen once switched cross-validation off for all). They
     * join the final fit; where any is left out, {@code listener} is told which.
     */
    public static Dataset withoutSingletons(Dataset data, String who, TrainListener listener) {
        Map<String, Integer> counts = data.labelCounts();
        List<String> once = counts.entrySet().stream().filter(e -> e.getValue() == 1).map(Map.Entry::getKey).sorted().toList();
        long rest = counts.values().stream().filter(n -> n >= 2).count();
        if (once.isEmpty() || rest < 2) {
            return data; // nothing to leave out, or too little left to compare settings on
        }
        if (listener != null) {
            listener.onMessage(String.format("%s: cross-validation leaves out the one example of %s (a class seen once cannot be"
                    + " held out and learned); it joins the final fit", who, dev.distillery.util.Listing.firstQuoted(once, 5)));
        }
        java.util.Set<String> left = java.util.Set.copyOf(once);
        return data.filter(data.name(), e -> e.hasLabel() && !left.contains(e.label().get()));
    }

    /**
     * The fewest labeled examples of a class present in {@code data}, which bounds the folds; a class of the schema with
     * none (one {@link #withoutSingletons} left out) is not counted.
     */
    public static int smallestClass(Dataset data) {
        return data.labelCounts().values().stream().mapToInt(Integer::intValue).filter(n -> n > 0).min().orElse(0);
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
            if (held.isEmpty()) {
                // Fewer examples of each class than folds (2 a class, 5 folds) leave a fold with none to score: a model
                // trained on all of them would score nothing.
                if (listener != null) {
                    listener.onMessage(String.format("fold %d/%d: nothing to score (fewer examples a class than folds), skipped", f + 1, k));
                }
                continue;
            }
            if (listener != null) {
                listener.onMessage(String.format("fold %d/%d: training on %,d, scoring %,d", f + 1, k, train.size(), held.size()));
            }
            // fitted as train fits it: by gradient steps a linear model on a table's raw columns scored 0.21 out of sample
            // where its solver scores 0.52, and the svm, built without its size, failed
            try (Classifier model = TrainJob.fitted(spec, data.subset(data.name() + "-fold" + f, train), config.withSeed(config.seed() + f),
                    listener)) {
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
