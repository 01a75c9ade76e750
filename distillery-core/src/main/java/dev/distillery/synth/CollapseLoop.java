package dev.distillery.synth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The model-collapse loop: fit a model to the current training set, measure it on held-out real data,
 * sample the next generation's data from it, and build the next training set under a {@link Policy}.
 * Under {@code VERIFY} each sample passes through {@code verify} (which keeps what it accepts) first.
 * The model kind is pluggable: a 1-D Gaussian in tests, a language model or an image generator in the lab.
 */
public final class CollapseLoop<D, M> {
    /** What the loop needs from a generative model. */
    public interface Family<D, M> {
        M fit(List<D> data, Random rng);

        List<D> sample(M model, int n, Random rng);

        /** Quality and distance figures of a fitted model and its samples, e.g. held-out perplexity, Frechet distance. */
        Map<String, Double> measure(M model, List<D> samples);

        /**
         * Like {@link #measure(Object, List)}, also given the data the model was fitted to and what the policy kept of the
         * samples (all of them unless it verifies).
         */
        default Map<String, Double> measure(M model, List<D> train, List<D> samples, List<D> kept) {
            return measure(model, samples);
        }
    }

    /** One generation's figures. */
    public record Generation(int index, int trainingSize, int sampled, int kept, Map<String, Double> metrics) {}

    private final Family<D, M> family;

    public CollapseLoop(Family<D, M> family) {
        this.family = family;
    }

    /**
     * Runs {@code generations} generations after generation 0 (which trains on {@code real}); each samples
     * {@code perGeneration} examples. {@code verify} is used only under {@code VERIFY}.
     */
    public List<Generation> run(List<D> real, Policy policy, int generations, int perGeneration, Function<List<D>, List<D>> verify,
            long seed, Consumer<Generation> progress) {
        Random rng = new Random(seed);
        List<List<D>> synthetic = new ArrayList<>();
        List<Generation> out = new ArrayList<>();
        for (int g = 0; g <= generations; g++) {
            List<D> train = policy.trainingSet(real, synthetic);
            M model = family.fit(train, rng);
            List<D> samples = family.sample(model, perGeneration, rng);
            List<D> kept = policy == Policy.VERIFY ? verify.apply(samples) : samples;
            Generation gen = new Generation(g, train.size(), samples.size(), kept.size(), new LinkedHashMap<>(family.measure(model, train, samples, kept)));
            out.add(gen);
            // Models that hold native memory (a DJL generator) are released once their generation is measured.
            if (model instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not release the generation-" + g + " model", e);
                }
            }
            if (progress != null) {
                progress.accept(gen);
            }
            synthetic.add(kept);
        }
        return out;
    }
}
