package dev.distillery.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Image transforms for one-channel images (row-major, {@code height x width}): a shifted crop (zero padding), a
 * horizontal flip, a small affine map (rotation, scale, shear), an elastic distortion (Simard et al., 2003), and
 * mixup. Their own package because training (augmentation, FixMatch views), synthesis (augmentation candidates),
 * distillation (teacher views) and label-issue cross-validation all use them, and none of those should depend on
 * another for it.
 */
public final class ImageTransforms {
    private final int height;
    private final int width;

    public ImageTransforms(int height, int width) {
        this.height = height;
        this.width = width;
    }

    /**
     * One labeled augmentation of image {@code src}: a geometric transform, or a same-class mixup with another image
     * of its class (same-class mixup keeps the label hard; mixing classes would need soft labels).
     */
    public float[] augmentLabeled(List<float[]> examples, int[] labels, int src, Random rng) {
        checkSizes(examples);
        float[] img = examples.get(src);
        int kind = rng.nextInt(GEOMETRIC_KINDS + 1);
        return kind < GEOMETRIC_KINDS ? geometric(img, kind, rng)
                : mixup(img, sameClass(examples, labels, labels[src], rng), 0.3 + rng.nextDouble() * 0.4);
    }

    /**
     * Unlabeled views of {@code images} for a teacher to label (the distiller's transfer set): each is one
     * geometric transform of a random image and, half of the time, mixed with a transform of a second random
     * image of any class. Such mixtures have no hard label, but a teacher's soft output on them says how much
     * of each class it sees, which a student cannot learn from the labels alone.
     */
    public List<float[]> teacherViews(List<float[]> images, int n, Random rng) {
        checkSizes(images);
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] view = geometric(images.get(rng.nextInt(images.size())), rng.nextInt(GEOMETRIC_KINDS), rng);
            if (rng.nextBoolean()) {
                float[] other = geometric(images.get(rng.nextInt(images.size())), rng.nextInt(GEOMETRIC_KINDS), rng);
                view = mixup(view, other, 0.2 + rng.nextDouble() * 0.6);
            }
            out.add(view);
        }
        return out;
    }

    /**
     * How far FixMatch's views move an image. {@code PAPER}: the paper's weak view (flip, shift up to 3 pixels) and
     * strong distortions at full magnitude, a cutout a third of the side; right where the class does not depend on
     * position. {@code MILD}: shift up to 1 pixel, distortions at half magnitude, a cutout a quarter of the side; for
     * centred images a model with a position-specific dense layer was not trained to see shifted (Fashion-MNIST: a
     * CNN trained on mirrors scores 0.745 on the paper's weak views, against 0.929 on the images themselves).
     */
    public enum ViewStrength {
        PAPER(3, 1.0, 3), MILD(1, 0.5, 4);

        final int maxShift;
        final double magnitude;
        final int cutoutDivisor;

        ViewStrength(int maxShift, double magnitude, int cutoutDivisor) {
            this.maxShift = maxShift;
            this.magnitude = magnitude;
            this.cutoutDivisor = cutoutDivisor;
        }

        public static ViewStrength parse(String name) {
            return dev.distillery.util.EnumNames.parse(ViewStrength.class, name, "FixMatch view strength");
        }
    }

    /** FixMatch's weak view: a horizontal flip half of the time, then a shift of up to {@code strength}'s pixels each way. */
    public float[] weakView(float[] img, ViewStrength strength, Random rng) {
        float[] out = rng.nextBoolean() ? flip(img) : img;
        int r = strength.maxShift;
        return shift(out, rng.nextInt(2 * r + 1) - r, rng.nextInt(2 * r + 1) - r);
    }

    /**
     * FixMatch's strong view, RandAugment-like for one-channel images: the weak view, then two random distortions
     * (rotation and shear, elastic, contrast, brightness, a larger shift) scaled by {@code strength}'s magnitude, then
     * a cutout of a square zeroed at a random place.
     */
    public float[] strongView(float[] img, ViewStrength strength, Random rng) {
        float[] out = weakView(img, strength, rng);
        double m = strength.magnitude;
        for (int k = 0; k < 2; k++) {
            out = switch (rng.nextInt(5)) {
                case 0 -> affine(out, Math.toRadians((rng.nextDouble() * 60 - 30) * m), 1 + (rng.nextDouble() * 0.3 - 0.15) * m,
                        (rng.nextDouble() * 0.6 - 0.3) * m);
                case 1 -> elastic(out, 34 * m, 4, rng);
                case 2 -> scaled(out, 1 + (rng.nextDouble() - 0.5) * m, true);
                case 3 -> scaled(out, 1 + (rng.nextDouble() - 0.5) * m, false);
                default -> shift(out, (int) Math.round((rng.nextInt(11) - 5) * m), (int) Math.round((rng.nextInt(11) - 5) * m));
            };
        }
        return cutout(out, Math.max(1, Math.min(height, width) / strength.cutoutDivisor), rng);
    }

    /** Contrast about the image's mean ({@code aroundMean}) or brightness, clipped to [0, 1]. */
    private static float[] scaled(float[] img, double factor, boolean aroundMean) {
        double mean = 0;
        if (aroundMean) {
            for (float v : img) {
                mean += v;
            }
            mean /= img.length;
        }
        float[] out = new float[img.length];
        for (int i = 0; i < img.length; i++) {
            out[i] = (float) Math.min(1, Math.max(0, mean + factor * (img[i] - mean)));
        }
        return out;
    }

    private float[] cutout(float[] img, int side, Random rng) {
        float[] out = img.clone();
        int y0 = rng.nextInt(height) - side / 2;
        int x0 = rng.nextInt(width) - side / 2;
        for (int y = Math.max(0, y0); y < Math.min(height, y0 + side); y++) {
            for (int x = Math.max(0, x0); x < Math.min(width, x0 + side); x++) {
                out[y * width + x] = 0f;
            }
        }
        return out;
    }

    /** Whether {@code schema} holds one-channel images (shape [H, W] or [1, H, W]), the only kind augmented here. */
    public static boolean handles(dev.distillery.data.Schema schema) {
        if (schema.kind() != dev.distillery.data.Schema.Kind.DENSE) {
            return false;
        }
        List<Long> shape = schema.featureShape();
        return shape.size() == 2 || (shape.size() == 3 && shape.get(0) == 1);
    }

    /** The augmenter for a data set of one-channel images, shape [H, W] or [1, H, W]. */
    public static ImageTransforms forSchema(dev.distillery.data.Schema schema) {
        List<Long> shape = schema.featureShape();
        if (!handles(schema)) {
            throw new IllegalArgumentException("image augmentation needs one-channel images (shape [H, W] or [1, H, W]), got "
                    + (schema.kind() == dev.distillery.data.Schema.Kind.TEXT ? "text" : "shape " + shape));
        }
        return new ImageTransforms(Math.toIntExact(shape.get(shape.size() - 2)), Math.toIntExact(shape.get(shape.size() - 1)));
    }

    private static final int GEOMETRIC_KINDS = 4;

    /** Transform {@code kind} of {@link #GEOMETRIC_KINDS}: a shifted crop, a flip, a small affine map, an elastic distortion. */
    private float[] geometric(float[] img, int kind, Random rng) {
        return switch (kind) {
            case 0 -> shift(img, rng.nextInt(7) - 3, rng.nextInt(7) - 3);
            case 1 -> flip(img);
            case 2 -> affine(img, Math.toRadians(rng.nextDouble() * 30 - 15), 0.9 + rng.nextDouble() * 0.2, rng.nextDouble() * 0.3 - 0.15);
            case 3 -> elastic(img, 34, 4, rng);
            default -> throw new IllegalArgumentException("no geometric transform " + kind);
        };
    }

    private void checkSizes(List<float[]> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("image augmentation needs at least one image");
        }
        for (float[] x : images) {
            if (x.length != height * width) {
                throw new IllegalArgumentException("expected " + height + "x" + width + " = " + height * width + " pixels, got " + x.length);
            }
        }
    }

    private static float[] sameClass(List<float[]> examples, int[] labels, int label, Random rng) {
        for (int tries = 0; tries < 50; tries++) {
            int j = rng.nextInt(examples.size());
            if (labels[j] == label) {
                return examples.get(j);
            }
        }
        return examples.get(rng.nextInt(examples.size()));
    }

    float pixel(float[] img, double y, double x) {
        // Bilinear interpolation; outside the image is background (0).
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        double dy = y - y0;
        double dx = x - x0;
        return (float) ((1 - dy) * ((1 - dx) * at(img, y0, x0) + dx * at(img, y0, x0 + 1))
                + dy * ((1 - dx) * at(img, y0 + 1, x0) + dx * at(img, y0 + 1, x0 + 1)));
    }

    private float at(float[] img, int y, int x) {
        return y < 0 || x < 0 || y >= height || x >= width ? 0f : img[y * width + x];
    }

    float[] shift(float[] img, int dy, int dx) {
        float[] out = new float[img.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y * width + x] = at(img, y - dy, x - dx);
            }
        }
        return out;
    }

    /** The mirror image, left to right. */
    public float[] flip(float[] img) {
        float[] out = new float[img.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y * width + x] = img[y * width + (width - 1 - x)];
            }
        }
        return out;
    }

    /** Rotation by {@code angle}, scaling by {@code scale} and horizontal shear, about the image centre. */
    float[] affine(float[] img, double angle, double scale, double shear) {
        double cy = (height - 1) / 2.0;
        double cx = (width - 1) / 2.0;
        double cos = Math.cos(angle) / scale;
        double sin = Math.sin(angle) / scale;
        float[] out = new float[img.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                // Inverse map: where in the source does this output pixel come from.
                double u = x - cx - shear * (y - cy);
                double v = y - cy;
                out[y * width + x] = pixel(img, cy + sin * u + cos * v, cx + cos * u - sin * v);
            }
        }
        return out;
    }

    /** Elastic distortion: a random displacement field smoothed by a Gaussian of {@code sigma}, scaled by {@code strength}. */
    float[] elastic(float[] img, double strength, double sigma, Random rng) {
        double[] fy = smooth(noise(rng), sigma);
        double[] fx = smooth(noise(rng), sigma);
        float[] out = new float[img.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                out[i] = pixel(img, y + strength * fy[i], x + strength * fx[i]);
            }
        }
        return out;
    }

    private double[] noise(Random rng) {
        double[] f = new double[height * width];
        for (int i = 0; i < f.length; i++) {
            f[i] = rng.nextDouble() * 2 - 1;
        }
        return f;
    }

    private double[] smooth(double[] f, double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        double[] tmp = new double[f.length];
        double[] out = new double[f.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double s = 0;
                for (int d = -r; d <= r; d++) {
                    int xx = Math.min(width - 1, Math.max(0, x + d));
                    s += k[d + r] * f[y * width + xx];
                }
                tmp[y * width + x] = s;
            }
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double s = 0;
                for (int d = -r; d <= r; d++) {
                    int yy = Math.min(height - 1, Math.max(0, y + d));
                    s += k[d + r] * tmp[yy * width + x];
                }
                out[y * width + x] = s;
            }
        }
        return out;
    }

    static float[] mixup(float[] a, float[] b, double lambda) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) (lambda * a[i] + (1 - lambda) * b[i]);
        }
        return out;
    }

    /**
     * A square one-channel image as PNG bytes for a person to look at, or null when {@code px} is not square. Pixels
     * come as 0..1, 0..16 (scikit-learn's digits) or 0..255, so each image's own range is stretched to the grays.
     */
    public static byte[] png(float[] px) {
        int side = (int) Math.round(Math.sqrt(px.length));
        if (side * side != px.length) {
            return null;
        }
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : px) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float range = hi > lo ? hi - lo : 1;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(side, side, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < px.length; i++) {
            img.getRaster().setSample(i % side, i / side, 0, Math.round((px[i] - lo) / range * 255));
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(img, "png", out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
