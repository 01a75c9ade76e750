package dev.distillery.synth;

import dev.distillery.eval.Evaluation;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.InputCheck;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.OnError;
import dev.distillery.data.Schema;
import dev.distillery.data.Splits;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.run.Stage;
import dev.distillery.run.StageRunner;
import dev.distillery.train.ClassifierTrainer;
import dev.distillery.train.TrainConfig;
import dev.distillery.util.AtomicFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The collapse lab for images: a class-conditional VAE is fitted to real labeled images, samples the next
 * generation (class-balanced, as many as the real set), and is refitted under each {@link Policy}, for several
 * seeds. A fixed classifier trained once on the real images (the teacher) supplies the feature space for the
 * Frechet distance to real test images and the feature variance of the samples, and under {@code verify} keeps a
 * sample only if it gives the intended class at least the minimum confidence. Quality is the test accuracy of a
 * fresh classifier trained only on the generation's training images (what its VAE was fitted to: under
 * {@code replace} the previous generation's samples alone); beside it, that of a classifier trained only on the
 * generation's own samples (what the policy kept of them), which measures the generator by itself.
 */
public final class ImageCollapseJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAB = "Image collapse lab";
    /** Test images whose teacher features are the real side of every Frechet distance. */
    private static final int FRECHET_REFERENCE = 5_000;

    public record Spec(String data, String test, int realImages, int generations, List<Policy> policies, List<Long> seeds,
            ConditionalVae.Settings vae, double minConfidence, int teacherEpochs, int classifierEpochs, OnError onError) {
        public Spec {
            if (realImages < 10 || generations < 1 || seeds.isEmpty() || !(minConfidence >= 0 && minConfidence <= 1)
                    || teacherEpochs < 1 || classifierEpochs < 1) {
                throw new IllegalArgumentException("need >= 10 real images, >= 1 generation, a seed, a minimum confidence in [0, 1] and"
                        + " >= 1 epoch for each classifier");
            }
        }
    }

    public record Outcome(Run run, Spec spec, CollapseCurves curves, int realImages, int testImages, double teacherAccuracy) {}

    /** An image and its class index. */
    record Image(float[] pixels, int label) {}

    private final DataCatalog catalog;
    private final RunStore runs;
    private final Consumer<String> log;

    public ImageCollapseJob(DataCatalog catalog, RunStore runs, Consumer<String> log) {
        this.catalog = catalog;
        this.runs = runs;
        this.log = log == null ? s -> {} : log;
    }

    /** Runs the lab on {@code data} (already loaded by the caller, who checked it holds images). */
    public Outcome run(Spec spec, Dataset data, List<String> args) {
        Schema schema = data.schema();
        if (schema.kind() != Schema.Kind.DENSE || schema.featureShape().size() < 2) {
            throw new IllegalArgumentException(spec.data() + " does not hold images (shape [H, W] or [1, H, W]); the image collapse lab needs them");
        }
        Dataset labeled = data.filter("labeled", Example::hasLabel);
        Dataset real = spec.realImages() >= labeled.size() ? labeled : Splits.labeledSubset(labeled, spec.realImages(), 42).first();
        Dataset test = InputCheck.labeledOnly(InputCheck.conform(catalog.loadDatasetFor(spec.test(), schema, spec.onError(), log), schema,
                InputCheck.Labels.MUST_BE_KNOWN), "scored", log);
        List<Path> inputs = new ArrayList<>(catalog.inputFiles(spec.data(), log));
        inputs.addAll(catalog.inputFiles(spec.test(), log));
        return new StageRunner(runs).run(Stage.<Spec, Outcome>named("collapse", spec)
                .seeded(spec.seeds().get(0))
                .reads(inputs)
                .does(run -> execute(run, spec, real, test))
                .reports(ImageCollapseJob::results, ImageCollapseJob::summary), args);
    }

    private Outcome execute(Run run, Spec spec, Dataset realSet, Dataset test) {
        Schema schema = realSet.schema();
        int classes = schema.labels().size();
        List<Image> real = realSet.examples().stream().map(e -> new Image(e.features(), schema.indexOf(e.label().orElseThrow()))).toList();
        log.accept(String.format("%,d real training images, %,d test images; teacher: a CNN trained on the real images for %d epochs",
                real.size(), test.size(), spec.teacherEpochs()));
        try (Classifier teacher = train(CnnSpec.DEFAULT, schema, real, spec.teacherEpochs(), 42)) {
            double teacherAccuracy = Evaluation.of(teacher, test).accuracy();
            log.accept(String.format("teacher test accuracy %.4f", teacherAccuracy));
            double[][] reference = toDouble(teacher.embeddings(test.examples().subList(0, Math.min(FRECHET_REFERENCE, test.size())), 512));
            List<List<Image>> shown = new ArrayList<>();
            CollapseLoop<Image, ConditionalVae> loop = new CollapseLoop<>(new CollapseLoop.Family<>() {
                @Override
                public ConditionalVae fit(List<Image> data, Random rng) {
                    return ConditionalVae.fit(data.stream().map(Image::pixels).toList(), data.stream().mapToInt(Image::label).toArray(), classes,
                            spec.vae(), rng.nextLong());
                }

                @Override
                public List<Image> sample(ConditionalVae model, int n, Random rng) {
                    int[] wanted = new int[n];
                    for (int i = 0; i < n; i++) {
                        wanted[i] = i % classes;
                    }
                    List<float[]> pixels = model.sample(wanted, rng);
                    List<Image> out = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        out.add(new Image(pixels.get(i), wanted[i]));
                    }
                    shown.add(out.subList(0, Math.min(classes, n)));
                    return out;
                }

                @Override
                public Map<String, Double> measure(ConditionalVae model, List<Image> samples) {
                    return measure(model, samples, samples, samples);
                }

                @Override
                public Map<String, Double> measure(ConditionalVae model, List<Image> train, List<Image> samples, List<Image> kept) {
                    double[][] features = toDouble(teacher.embeddings(examples(samples, schema), 512));
                    Map<String, Double> m = new LinkedHashMap<>();
                    m.put("accuracy", testAccuracy(train));
                    m.put("synthetic_accuracy", testAccuracy(kept));
                    m.put("frechet", Frechet.distance(reference, features));
                    m.put("feature_variance", Diversity.featureVariance(features));
                    m.put("vae_loss", model.finalLoss());
                    return m;
                }

                private double testAccuracy(List<Image> images) {
                    if (images.isEmpty()) {
                        return 0.0; // nothing survived verification: a classifier with no data knows nothing
                    }
                    // The MLP this lab's figures were measured with: no input normalization (pixels share one scale).
                    try (Classifier c = train(new MlpSpec(256, 2, 0.2f), schema, images, spec.classifierEpochs(), 42)) {
                        return Evaluation.of(c, test).accuracy();
                    }
                }
            });
            Map<Policy, List<List<CollapseLoop.Generation>>> curves = new LinkedHashMap<>();
            for (Policy p : spec.policies()) {
                List<List<CollapseLoop.Generation>> perSeed = new ArrayList<>();
                for (long seed : spec.seeds()) {
                    shown.clear();
                    perSeed.add(loop.run(real, p, spec.generations(), real.size(), samples -> confident(teacher, samples, schema, spec.minConfidence()),
                            seed, g -> report(run, p, seed, g)));
                    if (seed == spec.seeds().get(0)) {
                        writeGrid(shown, schema, run.plotsDir().resolve("samples-" + p.label() + ".png"));
                    }
                }
                curves.put(p, perSeed);
            }
            Outcome o = new Outcome(run, spec, new CollapseCurves(curves), real.size(), test.size(), teacherAccuracy);
            o.curves().plot(LAB, "accuracy", "test accuracy, classifier trained on the generation's training images",
                    run.plotsDir().resolve("accuracy.png"));
            o.curves().plot(LAB, "synthetic_accuracy", "test accuracy, classifier trained on the generation's samples",
                    run.plotsDir().resolve("synthetic-accuracy.png"));
            o.curves().plot(LAB, "frechet", "Frechet distance to real test images", run.plotsDir().resolve("frechet.png"));
            return o;
        }
    }

    private void report(Run run, Policy p, long seed, CollapseLoop.Generation g) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("policy", p.label());
        line.put("seed", seed);
        line.put("generation", g.index());
        line.put("training_images", g.trainingSize());
        line.put("kept", g.kept());
        line.putAll(g.metrics());
        run.appendMetrics(line);
        log.accept(String.format("%-10s seed %d  gen %2d  accuracy %.4f (synthetic only %.4f)  Frechet %8.2f  feature variance %.4f  kept %,d of %,d", p.label(), seed,
                g.index(), g.metrics().get("accuracy"), g.metrics().get("synthetic_accuracy"), g.metrics().get("frechet"), g.metrics().get("feature_variance"), g.kept(), g.sampled()));
    }

    /** The samples the teacher assigns their intended class with at least {@code minConfidence}. */
    static List<Image> confident(Classifier teacher, List<Image> samples, Schema schema, double minConfidence) {
        float[][] probs = teacher.probabilities(examples(samples, schema), 512);
        List<Image> kept = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            if (probs[i][samples.get(i).label()] >= minConfidence) {
                kept.add(samples.get(i));
            }
        }
        return kept;
    }

    private static Classifier train(ModelSpec spec, Schema schema, List<Image> images, int epochs, long seed) {
        Classifier c = Classifier.create(spec, schema);
        TrainConfig config = new TrainConfig(epochs, 128, TrainConfig.MODEL_DEFAULT, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE,
                0f, 0, seed);
        new ClassifierTrainer(config, null, null).train(c, new Dataset("generation", schema, examples(images, schema)), null);
        return c;
    }

    private static List<Example> examples(List<Image> images, Schema schema) {
        List<Example> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            out.add(Example.dense("image-" + i, images.get(i).pixels(), schema.labels().get(images.get(i).label()), "synthetic"));
        }
        return out;
    }

    private static double[][] toDouble(float[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = new double[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) {
                out[i][j] = rows[i][j];
            }
        }
        return out;
    }

    /** One row per generation, one sample per class: the photocopy-of-a-photocopy effect, visible. */
    static void writeGrid(List<List<Image>> rows, Schema schema, Path png) {
        List<Long> shape = schema.featureShape();
        int h = Math.toIntExact(shape.get(shape.size() - 2));
        int w = Math.toIntExact(shape.get(shape.size() - 1));
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        if (cols == 0) {
            return;
        }
        int pad = 2;
        BufferedImage img = new BufferedImage(cols * (w + pad) + pad, rows.size() * (h + pad) + pad, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < rows.get(r).size(); c++) {
                float[] px = rows.get(r).get(c).pixels();
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int v = Math.round(Math.max(0f, Math.min(1f, px[y * w + x])) * 255f);
                        img.getRaster().setSample(pad + c * (w + pad) + x, pad + r * (h + pad) + y, 0, v);
                    }
                }
            }
        }
        AtomicFiles.write(png, out -> javax.imageio.ImageIO.write(img, "png", out));
    }

    static Map<String, Object> results(Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("real_images", o.realImages());
        r.put("test_images", o.testImages());
        r.put("teacher_accuracy", o.teacherAccuracy());
        Map<String, Object> perPolicy = new LinkedHashMap<>();
        o.curves().byPolicy().keySet().forEach(p -> perPolicy.put(p.label(), Map.of("accuracy", o.curves().mean(p, "accuracy"), "synthetic_accuracy", o.curves().mean(p, "synthetic_accuracy"),
                "frechet", o.curves().mean(p, "frechet"), "feature_variance", o.curves().mean(p, "feature_variance"))));
        r.put("mean_over_seeds", perPolicy);
        if (o.curves().has(Policy.REPLACE)) {
            double[] acc = o.curves().mean(Policy.REPLACE, "accuracy");
            r.put("replace_degradation", 100 * (acc[0] - acc[acc.length - 1]));
        }
        if (o.curves().has(Policy.ACCUMULATE) && o.curves().has(Policy.VERIFY)) {
            r.put("verify_vs_accumulate", 100 * (o.curves().last(Policy.VERIFY, "accuracy") - o.curves().last(Policy.ACCUMULATE, "accuracy")));
        }
        return r;
    }

    static String summary(Outcome o) {
        StringBuilder sb = new StringBuilder("# Image collapse lab " + o.run().id() + "\n\n");
        sb.append(String.format("Conditional VAE, %,d real training images, %,d test images; teacher accuracy %.4f; mean of %d seeds.%n%n",
                o.realImages(), o.testImages(), o.teacherAccuracy(), o.spec().seeds().size()));
        sb.append("| generation |");
        o.curves().byPolicy().keySet().forEach(p -> sb.append(' ').append(p.label()).append(" accuracy | ").append(p.label()).append(" samples-only accuracy | ")
                .append(p.label()).append(" Frechet |"));
        sb.append("\n|---|");
        o.curves().byPolicy().keySet().forEach(p -> sb.append("---|---|---|"));
        sb.append('\n');
        for (int g = 0; g <= o.spec().generations(); g++) {
            sb.append("| ").append(g).append(" |");
            for (Policy p : o.curves().byPolicy().keySet()) {
                sb.append(String.format(" %.4f | %.4f | %.2f |", o.curves().mean(p, "accuracy")[g], o.curves().mean(p, "synthetic_accuracy")[g],
                        o.curves().mean(p, "frechet")[g]));
            }
            sb.append('\n');
        }
        return sb.append("\nCurves: `plots/accuracy.png`, `plots/synthetic-accuracy.png`, `plots/frechet.png`; samples per generation (first seed): `plots/samples-*.png`;"
                + " every generation of every seed in `metrics.jsonl`.\n").toString();
    }
}
