package dev.distillery.synth;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import dev.distillery.model.Scalars;
import dev.distillery.train.TrainingStep;
import dev.distillery.model.TorchRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A class-conditional variational autoencoder for images with pixels in [0, 1] (Kingma and Welling,
 * 2014; Sohn et al., 2015), small enough to train in seconds on a CPU: the encoder maps an image and
 * its one-hot class to a Gaussian over a latent code, the decoder maps a code and a class back to
 * per-pixel Bernoulli logits. Sampling draws a code from the prior and decodes it with the wanted
 * class, so every sample carries the label it was generated for.
 *
 * <p>Codes for sampling come from the caller's {@link Random}, so a seeded run samples the same images.
 */
public final class ConditionalVae implements AutoCloseable {
    /** Architecture and training budget. A fixed number of steps keeps the cost independent of the data size. */
    public record Settings(int hidden, int latent, int steps, int batchSize, float learningRate) {
        public static final Settings DEFAULT = new Settings(400, 16, 2_000, 64, 1e-3f);

        public Settings {
            if (hidden < 1 || latent < 1 || steps < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("hidden, latent, steps and batchSize must be >= 1 and the learning rate > 0, got: "
                        + hidden + ", " + latent + ", " + steps + ", " + batchSize + ", " + learningRate);
            }
        }

        public Settings withSteps(int n) {
            return new Settings(hidden, latent, n, batchSize, learningRate);
        }
    }

    private final Model model;
    private final CvaeBlock block;
    private final int pixels;
    private final int classes;
    private final Settings settings;
    private final double finalLoss;

    private ConditionalVae(Model model, CvaeBlock block, int pixels, int classes, Settings settings, double finalLoss) {
        this.model = model;
        this.block = block;
        this.pixels = pixels;
        this.classes = classes;
        this.settings = settings;
        this.finalLoss = finalLoss;
    }

    /** Fits a model to {@code images} (rows of equal length, values in [0, 1]) with their class indices. */
    public static ConditionalVae fit(List<float[]> images, int[] labels, int classes, Settings settings, long seed) {
        if (images.isEmpty() || images.size() != labels.length) {
            throw new IllegalArgumentException("need one label per image and at least one image, got " + images.size() + " images and "
                    + labels.length + " labels");
        }
        int pixels = images.get(0).length;
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i).length != pixels) {
                throw new IllegalArgumentException("image " + i + " has " + images.get(i).length + " values, expected " + pixels);
            }
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside 0.." + (classes - 1));
            }
        }
        TorchRuntime.engine().setRandomSeed((int) seed);
        CvaeBlock block = new CvaeBlock(pixels, settings.hidden(), settings.latent());
        Model model = Model.newInstance("cvae");
        model.setBlock(block);
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(settings.learningRate())).build());
        Random rng = new Random(seed);
        int batch = Math.min(settings.batchSize(), images.size());
        double lossSum = 0;
        int lossCount = 0;
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(new Shape(batch, pixels), new Shape(batch, classes));
            float[] x = new float[batch * pixels];
            float[] y = new float[batch * classes];
            for (int step = 0; step < settings.steps(); step++) {
                java.util.Arrays.fill(y, 0f);
                for (int b = 0; b < batch; b++) {
                    int i = rng.nextInt(images.size());
                    System.arraycopy(images.get(i), 0, x, b * pixels, pixels);
                    y[b * classes + labels[i]] = 1f;
                }
                int at = step;
                float value = TrainingStep.run(trainer, sub -> {
                    NDArray xs = sub.create(x, new Shape(batch, pixels));
                    NDArray ys = sub.create(y, new Shape(batch, classes));
                    NDList out = trainer.forward(new NDList(xs, ys));
                    return negativeElbo(xs, out.get(0), out.get(1), out.get(2));
                }, () -> "VAE step " + (at + 1) + " (learning rate " + settings.learningRate() + ")");
                // The loss of the last tenth of training, where it has settled, is what the model reports.
                if (step >= settings.steps() * 9 / 10) {
                    lossSum += value;
                    lossCount++;
                }
            }
        }
        return new ConditionalVae(model, block, pixels, classes, settings, lossSum / Math.max(1, lossCount));
    }

    /**
     * The negative evidence lower bound per image: Bernoulli reconstruction loss summed over pixels
     * plus the KL divergence of the encoder's Gaussian from the standard normal prior.
     */
    static NDArray negativeElbo(NDArray x, NDArray logits, NDArray mu, NDArray logVar) {
        // softplus(l) - x * l is -log Bernoulli(x | sigmoid(l)), stable for large |l|.
        NDArray reconstruction = Activation.softPlus(logits).sub(x.mul(logits)).sum(new int[] {1});
        NDArray kl = logVar.add(1).sub(mu.square()).sub(logVar.exp()).sum(new int[] {1});
        kl = kl.mul(Scalars.like(kl, -0.5f));
        return reconstruction.add(kl).mean();
    }

    /** The mean negative ELBO per image over the last tenth of training steps (lower is better). */
    public double finalLoss() {
        return finalLoss;
    }

    public int pixels() {
        return pixels;
    }

    /** {@code labels.length} images, the i-th generated for class {@code labels[i]}, pixel means in [0, 1]. */
    public List<float[]> sample(int[] labels, Random rng) {
        List<float[]> out = new ArrayList<>(labels.length);
        int chunk = 1_024;
        for (int start = 0; start < labels.length; start += chunk) {
            int n = Math.min(chunk, labels.length - start);
            float[] z = new float[n * settings.latent()];
            float[] y = new float[n * classes];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < settings.latent(); k++) {
                    z[i * settings.latent() + k] = (float) rng.nextGaussian();
                }
                y[i * classes + labels[start + i]] = 1f;
            }
            try (NDManager manager = model.getNDManager().newSubManager()) {
                NDArray zs = manager.create(z, new Shape(n, settings.latent()));
                NDArray ys = manager.create(y, new Shape(n, classes));
                float[] flat = Activation.sigmoid(block.decode(new ParameterStore(manager, false), zs, ys, false)).toFloatArray();
                for (int i = 0; i < n; i++) {
                    out.add(java.util.Arrays.copyOfRange(flat, i * pixels, (i + 1) * pixels));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }

    /**
     * A generator that fits a fresh model to the examples it is given and samples {@code n} images, their classes drawn
     * in the examples' class proportions.
     */
    public static Generator<float[]> generator(int classes, Settings settings) {
        return new Generator<>() {
            @Override
            public String name() {
                return "cvae";
            }

            @Override
            public List<Candidate<float[]>> generate(List<float[]> examples, int[] labels, int n, Random rng) {
                try (ConditionalVae vae = fit(examples, labels, classes, settings, rng.nextLong())) {
                    int[] wanted = new int[n];
                    for (int i = 0; i < n; i++) {
                        wanted[i] = labels[rng.nextInt(labels.length)];
                    }
                    List<float[]> images = vae.sample(wanted, rng);
                    List<Candidate<float[]>> out = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        out.add(new Candidate<>(images.get(i), wanted[i], "cvae"));
                    }
                    return out;
                }
            }
        };
    }

    /** Encoder and decoder as one block, so one DJL trainer updates both. */
    static final class CvaeBlock extends AbstractBlock {
        private final SequentialBlock encoder;
        private final SequentialBlock decoder;
        private final int pixels;
        private final int latent;

        CvaeBlock(int pixels, int hidden, int latent) {
            super((byte) 1);
            this.pixels = pixels;
            this.latent = latent;
            this.encoder = addChildBlock("encoder", new SequentialBlock()
                    .add(Linear.builder().setUnits(hidden).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(2L * latent).build()));
            this.decoder = addChildBlock("decoder", new SequentialBlock()
                    .add(Linear.builder().setUnits(hidden).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(pixels).build()));
        }

        /** Inputs: images (B, pixels) and one-hot classes (B, C). Outputs: pixel logits, latent mean, latent log-variance. */
        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.get(0);
            NDArray y = inputs.get(1);
            NDArray h = encoder.forward(store, new NDList(x.concat(y, 1)), training).singletonOrThrow();
            NDArray mu = h.get(":, 0:" + latent);
            NDArray logVar = h.get(":, " + latent + ":");
            // The reparameterization trick: z = mu + sigma * eps keeps z differentiable in mu and sigma.
            NDArray z = training ? mu.add(logVar.mul(0.5).exp().mul(x.getManager().randomNormal(mu.getShape()))) : mu;
            return new NDList(decode(store, z, y, training), mu, logVar);
        }

        NDArray decode(ParameterStore store, NDArray z, NDArray y, boolean training) {
            return decoder.forward(store, new NDList(z.concat(y, 1)), training).singletonOrThrow();
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            long b = inputShapes[0].get(0);
            return new Shape[] {new Shape(b, pixels), new Shape(b, latent), new Shape(b, latent)};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            long b = inputShapes[0].get(0);
            long classes = inputShapes[1].get(1);
            encoder.initialize(manager, dataType, new Shape(b, pixels + classes));
            decoder.initialize(manager, dataType, new Shape(b, latent + classes));
        }
    }
}
