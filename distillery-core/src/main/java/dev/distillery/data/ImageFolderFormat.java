package dev.distillery.data;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A directory of image files (PNG, JPEG, GIF, BMP, decoded by the JDK's ImageIO), labeled by the subdirectory each is in
 * ({@code photos/ok/a.png}, {@code photos/scratch/b.jpg}); images directly in the directory are unlabeled. Each becomes
 * a (channels, height, width) example of pixels in 0..1, as IDX images are read: one channel when every image is gray,
 * else three (red, green, blue). Images must share one size for a network; those of another size than the most common
 * one are scaled to it, and a common size of more than {@link #MAX_PIXELS} pixels is scaled down, keeping its aspect,
 * since a CNN's cost grows with its pixels (each counted in a warning). An image that does not decode is a bad record
 * named by its path.
 */
public final class ImageFolderFormat {
    /** Largest height x width read as is: 64 x 64, about five times Fashion-MNIST's 28 x 28. */
    static final int MAX_PIXELS = 64 * 64;
    /** Read through ImageIO: the JDK's readers, and TwelveMonkeys' for WebP and for JPEGs in CMYK (print and scans). */
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "jpe", "jfif", "gif", "bmp", "tif", "tiff", "webp");
    /**
     * Image files no reader here decodes (a phone's HEIC, AVIF, camera raw, a scanner's DICOM): part of the folder, so each is a bad
     * record said by its format (under --on-error skip, counted), not a photo silently left out.
     */
    private static final Set<String> UNREAD = Set.of("heic", "heif", "avif", "jxl", "svg", "psd", "ico", "raw",
            "dng", "cr2", "nef", "arw", "dcm");
    /** The image formats read, for a message that names them. */
    public static final String FORMATS = "PNG, JPEG, GIF, BMP, TIFF or WebP";
    /** What a readable image file is, for an error about one that is not. */
    public static final String READ = "a " + FORMATS + " file";

    private ImageFolderFormat() {}

    /** Whether {@code path} is an image file, or a directory with image files in it or in its subdirectories. */
    static boolean handles(Path path) {
        if (!Files.isDirectory(path)) {
            return isImage(path); // one image: what a user asks a model about first
        }
        try (Stream<Path> files = Files.walk(path, 2)) {
            return files.anyMatch(ImageFolderFormat::isImage);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path, e);
        }
    }

    private static boolean isImage(Path file) {
        String extension = extension(file);
        return (EXTENSIONS.contains(extension) || UNREAD.contains(extension)) && Files.isRegularFile(file);
    }

    private static String extension(Path file) {
        return extension(file.getFileName().toString());
    }

    /** The extension of a file's name or path, in lower case: after the last dot of its last part; "" for none. */
    private static String extension(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        int dot = lower.lastIndexOf('.');
        return dot > lower.lastIndexOf('/') + 1 ? lower.substring(dot + 1) : "";
    }

    /**
     * The image in {@code file} decoded, or null after reporting it as a bad record: by its format where ImageIO reads
     * none of that kind, with how to convert it, else as unreadable (a damaged file).
     */
    private static BufferedImage decodeOrReport(Path file, String where, RecordCollector collector) {
        String extension = extension(file);
        if (UNREAD.contains(extension)) {
            // "an AVIF image", "an SVG image" (said S-V-G), "a HEIC image"
            String article = Set.of("avif", "svg", "ico", "nef", "arw").contains(extension) ? "an " : "a ";
            String format = extension.equals("dcm") ? "DICOM" : extension.toUpperCase(Locale.ROOT); // a scanner's .dcm
            collector.bad(where, article + format + " image, which is not read", READ + "; convert it,"
                    + " e.g. with ImageMagick: mogrify -format png *." + extension);
            return null;
        }
        BufferedImage image = decode(file);
        if (image == null) {
            collector.bad(where, "not a readable image", READ);
        }
        return image;
    }

    /**
     * Says how many files of a folder were passed over as no image (a notes.txt among the photos), with the first few
     * names; hidden files and the systems' own (.DS_Store, Thumbs.db, desktop.ini) go unsaid.
     */
    private static void warnOfOtherFiles(Path path, RecordCollector collector) {
        if (!Files.isDirectory(path)) {
            return;
        }
        List<String> others;
        try (Stream<Path> files = Files.walk(path, 2)) {
            others = files.filter(f -> Files.isRegularFile(f) && !isImage(f)).map(f -> path.relativize(f).toString().replace('\\', '/'))
                    .filter(n -> !n.startsWith(".") && !n.contains("/.") && !SYSTEM_FILES.contains(n.substring(n.lastIndexOf('/') + 1)
                            .toLowerCase(Locale.ROOT))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path, e);
        }
        if (!others.isEmpty()) {
            collector.warn(String.format("%s: %,d file%s passed over as no image (%s%s)", path, others.size(), others.size() > 1 ? "s"
                    : "", String.join(", ", others.subList(0, Math.min(3, others.size()))), others.size() > 3 ? ", ..." : ""));
        }
    }

    /** Files a system leaves in folders, never data, and not worth a word when passed over. */
    static final Set<String> SYSTEM_FILES = Set.of("thumbs.db", "desktop.ini");

    /**
     * Reads the images in two passes, each decoding one image at a time: the first checks that each decodes and learns
     * their sizes and whether all are gray, the second reads each at the chosen size. A folder of photos held decoded
     * at once would not fit in memory (10,000 of 640x480 are 12 GB as images).
     */
    public static ReadResult read(Path path, OnError onError) {
        RecordCollector collector = new RecordCollector(path.toString(), onError);
        warnOfOtherFiles(path, collector);
        List<Entry> entries = entriesOf(path);
        entries.stream().filter(e -> e.label() == null && e.id().contains("/")).collect(java.util.stream.Collectors.groupingBy(
                e -> e.id().substring(0, e.id().indexOf('/')), java.util.TreeMap::new, java.util.stream.Collectors.counting()))
                .forEach((folder, n) -> collector.warn(LabelText.unlabeledFolderNote(path.toString(), folder, n.intValue())));
        return read(entries, collector, path.toString(), path.getFileName().toString());
    }

    /**
     * One image to read: its file, its id (its path under the folder, or the manifest's cell), its label or none, where a
     * problem with it is said (its id, or a manifest's line) and the manifest's line it is on (-1 in a folder).
     */
    record Entry(Path file, String id, String label, String where, long line) {}

    /**
     * Reads {@code entries} into {@code collector} in the two passes {@link #read(Path, OnError)} describes; their
     * examples' source is {@code source}, a scaling warning names {@code location}.
     */
    static ReadResult read(List<Entry> entries, RecordCollector collector, String location, String source) {
        List<Entry> found = new ArrayList<>();
        Map<String, Integer> sizes = new LinkedHashMap<>(); // in path order: the first seen wins a tie
        boolean gray = true;
        for (Entry entry : entries) {
            BufferedImage image = decodeOrReport(entry.file(), entry.where(), collector);
            if (image == null) {
                continue;
            }
            found.add(entry);
            sizes.merge(image.getWidth() + "x" + image.getHeight(), 1, Integer::sum);
            gray = gray && isGray(image);
        }
        if (found.isEmpty()) {
            return collector.finish(null); // names what was wrong: no records, or all bad
        }
        Target size = Target.of(sizes);
        int channels = gray ? 1 : 3;
        int resized = 0;
        for (Entry f : found) {
            BufferedImage image = decode(f.file());
            if (image == null) { // decoded in the first pass: the file changed in between
                throw new UncheckedIOException(new IOException(f.file() + " changed while it was being read"));
            }
            if (image.getWidth() != size.width() || image.getHeight() != size.height()) {
                image = scaled(image, size.width(), size.height(), gray);
                resized++;
            }
            collector.add(Example.denseOwned(f.id(), pixels(image, channels), f.label(), source), f.line());
        }
        if (resized > 0) {
            collector.warn(String.format("%s: %,d of %,d images scaled to %dx%d pixels (%s)", location, resized, found.size(),
                    size.width(), size.height(), size.scaledDown() ? "the most common size, " + size.common()
                            + ", scaled down to at most " + MAX_PIXELS + " pixels" : "the most common size"));
        }
        return collector.finish(List.of((long) channels, (long) size.height(), (long) size.width()));
    }

    /**
     * The images of {@code path} (a folder as {@link #read(Path, OnError)} reads one, or one image file) as a model of
     * input {@code shape} reads them ({@link #asModelInput}): each scaled to the model's size and read in its channels,
     * as {@code serve} reads an image sent to it, so a photo of another size than the training images, or in color for a
     * gray model, is predicted rather than refused. How many were scaled or changed channels is one warning.
     */
    public static ReadResult readFor(Path path, OnError onError, List<Long> shape) {
        RecordCollector collector = new RecordCollector(path.toString(), onError);
        warnOfOtherFiles(path, collector);
        return readFor(entriesOf(path), collector, shape, path.toString(), path.getFileName().toString());
    }

    /** {@link #readFor(Path, OnError, List)} of {@code entries}, into {@code collector}. */
    static ReadResult readFor(List<Entry> entries, RecordCollector collector, List<Long> shape, String location, String source) {
        int channels = Math.toIntExact(shape.get(0));
        int scaled = 0;
        int recolored = 0;
        int read = 0;
        for (Entry entry : entries) {
            BufferedImage image = decodeOrReport(entry.file(), entry.where(), collector);
            if (image == null) {
                continue;
            }
            read++;
            scaled += image.getWidth() != shape.get(2) || image.getHeight() != shape.get(1) ? 1 : 0;
            recolored += isGray(image) == (channels == 1) ? 0 : 1;
            collector.add(Example.denseOwned(entry.id(), asModelInput(image, shape), entry.label(), source), entry.line());
        }
        List<String> changed = new ArrayList<>();
        if (scaled > 0) {
            changed.add(String.format("%,d of %,d images scaled", scaled, read));
        }
        if (recolored > 0) {
            changed.add(String.format("%,d of %,d read %s", recolored, read, channels == 1 ? "as gray (their luminance)"
                    : "as color (three equal planes)"));
        }
        if (!changed.isEmpty()) {
            collector.warn(String.format("%s: read as the model reads images, %dx%d pixels in %s: %s", location, shape.get(2),
                    shape.get(1), channels == 1 ? "gray" : "color", String.join(", ", changed)));
        }
        return collector.finish(shape);
    }

    /** Whether {@code shape} is an image input this format can read for: (1 or 3 channels, height, width). */
    public static boolean isImageShape(List<Long> shape) {
        return shape.size() == 3 && (shape.get(0) == 1 || shape.get(0) == 3);
    }

    /** The folder ids are relative to: {@code path} itself, or for one image file the folder it is in. */
    private static Path baseOf(Path path) {
        return Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    }

    /**
     * The images {@code path} names: a folder's, in path order, each labeled by its subdirectory, or the one file, which
     * is read as an unlabeled folder of one.
     */
    private static List<Entry> entriesOf(Path path) {
        Path dir = baseOf(path);
        List<Path> files = Files.isDirectory(path) ? imageFiles(path) : List.of(path.toAbsolutePath());
        return files.stream().map(file -> {
            Path relative = dir.relativize(file);
            String id = relative.toString().replace('\\', '/');
            return new Entry(file, id, labelOf(relative), id, -1);
        }).toList();
    }

    /** Whether {@code name} (a file's name or path) ends as an image file's does, one read or one said unread. */
    static boolean isImageName(String name) {
        String extension = extension(name);
        return EXTENSIONS.contains(extension) || UNREAD.contains(extension);
    }

    /** The label of an image at {@code relative} under the folder: its subdirectory, or none directly in the folder. */
    private static String labelOf(Path relative) {
        return relative.getNameCount() == 2 ? LabelText.ofFolder(relative.getName(0).toString()) : null;
    }

    private static List<Path> imageFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir, 2)) {
            return files.filter(ImageFolderFormat::isImage).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + dir, e);
        }
    }

    /** The decoded image ({@link #decode(byte[])}), or null where ImageIO cannot read the file. */
    private static BufferedImage decode(Path file) {
        try {
            return decode(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The image in an image file's {@code bytes}, as it is shown ({@link #opaque}, and turned as its EXIF orientation
     * says: a phone stores a photo taken upright as the sensor saw it, sideways, with a tag that every viewer obeys), or
     * null where ImageIO cannot read it. The one way a file's image is decoded, for a folder and for {@code serve} alike.
     */
    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            return image == null ? null : opaque(upright(image, exifOrientation(bytes)));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The EXIF orientation tag of an image file (1 to 8), 1 (as stored) where it has none or it cannot be read. */
    static int exifOrientation(byte[] bytes) {
        try {
            com.drew.metadata.Metadata metadata = com.drew.imaging.ImageMetadataReader.readMetadata(
                    new java.io.ByteArrayInputStream(bytes), bytes.length);
            var exif = metadata.getFirstDirectoryOfType(com.drew.metadata.exif.ExifIFD0Directory.class);
            int tag = com.drew.metadata.exif.ExifIFD0Directory.TAG_ORIENTATION;
            int orientation = exif != null && exif.containsTag(tag) ? exif.getInt(tag) : 1;
            return orientation >= 1 && orientation <= 8 ? orientation : 1;
        } catch (com.drew.imaging.ImageProcessingException | com.drew.metadata.MetadataException | IOException | RuntimeException e) {
            return 1; // no metadata it knows: the pixels as stored
        }
    }

    /**
     * {@code image} turned to EXIF {@code orientation} 1: 2 mirrored, 3 turned half round, 4 flipped, 5 transposed, 6
     * turned a quarter clockwise, 7 transposed the other way, 8 a quarter counter-clockwise. Pixels are copied with
     * their color model, so a gray photo stays gray.
     */
    static BufferedImage upright(BufferedImage image, int orientation) {
        if (orientation == 1) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean turned = orientation >= 5;
        java.awt.image.WritableRaster from = image.getRaster();
        java.awt.image.WritableRaster to = from.createCompatibleWritableRaster(turned ? h : w, turned ? w : h);
        int[] pixel = new int[from.getNumBands()];
        for (int y = 0; y < to.getHeight(); y++) {
            for (int x = 0; x < to.getWidth(); x++) {
                int sx = switch (orientation) {
                    case 2, 3 -> w - 1 - x;
                    case 5, 6 -> y;
                    case 7, 8 -> w - 1 - y;
                    default -> x; // 4
                };
                int sy = switch (orientation) {
                    case 3, 4 -> h - 1 - y;
                    case 5, 8 -> x;
                    case 6, 7 -> h - 1 - x;
                    default -> y; // 2
                };
                to.setPixel(x, y, from.getPixel(sx, sy, pixel));
            }
        }
        return new BufferedImage(image.getColorModel(), to, image.isAlphaPremultiplied(), null);
    }

    /**
     * {@code image} with its transparency laid over black (each channel times its alpha), or itself where it has none.
     * A transparent pixel's color is not part of the picture: icons keep leftover colors there (a tenth of Tango's
     * transparent pixels hold one), and scaling an image drew it over black while an image read at its own size kept
     * those colors, so two copies of one icon at different sizes read differently.
     */
    static BufferedImage opaque(BufferedImage image) {
        if (image == null || !image.getColorModel().hasAlpha()) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        java.awt.image.ColorModel model = image.getColorModel();
        if (model.getNumColorComponents() == 1) {
            // gray and alpha as the raster holds them: getRGB would pass the gray through a linear color space
            float grayMax = (1 << model.getComponentSize(0)) - 1;
            float alphaMax = (1 << model.getComponentSize(1)) - 1;
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = image.getRaster().getSample(x, y, 0) / grayMax * (image.getRaster().getSample(x, y, 1) / alphaMax);
                    out.getRaster().setSample(x, y, 0, Math.round(v * 255));
                }
            }
            return out;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                int alpha = argb >>> 24;
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    rgb |= Math.round(((argb >> shift) & 0xff) * alpha / 255f) << shift;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    /**
     * The size every image is read at: the most common size (the first in path order on a tie), scaled down to at most
     * {@link #MAX_PIXELS} pixels keeping its aspect.
     */
    private record Target(int width, int height, String common, boolean scaledDown) {
        /** From the count of images of each size ("WxH"), in the order the sizes were first seen. */
        static Target of(Map<String, Integer> sizes) {
            String common = null;
            for (Map.Entry<String, Integer> e : sizes.entrySet()) {
                if (common == null || e.getValue() > sizes.get(common)) {
                    common = e.getKey();
                }
            }
            int width = Integer.parseInt(common.substring(0, common.indexOf('x')));
            int height = Integer.parseInt(common.substring(common.indexOf('x') + 1));
            double scale = Math.min(1, Math.sqrt(MAX_PIXELS / ((double) width * height)));
            return new Target(Math.max(1, (int) Math.floor(width * scale)), Math.max(1, (int) Math.floor(height * scale)), common,
                    scale < 1);
        }
    }

    private static boolean isGray(BufferedImage image) {
        if (image.getColorModel().getNumColorComponents() == 1) {
            return true;
        }
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (r != g || g != b) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * {@code image} drawn at {@code width} x {@code height} with bilinear interpolation, gray into gray (drawing a gray
     * image into an RGB one goes through the JDK's linear gray color space and brightens it).
     */
    private static BufferedImage scaled(BufferedImage image, int width, int height, boolean gray) {
        BufferedImage source = gray && image.getType() != BufferedImage.TYPE_BYTE_GRAY ? grayCopy(image) : image;
        BufferedImage out = new BufferedImage(width, height, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    /** A gray image's 8-bit values as a TYPE_BYTE_GRAY image, sample by sample. */
    private static BufferedImage grayCopy(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                out.getRaster().setSample(x, y, 0, Math.round(grayValue(image, x, y) * 255));
            }
        }
        return out;
    }

    /** A gray image's value at (x, y) in 0..1: its own sample where it has one channel (8 or 16 bits), else red. */
    private static float grayValue(BufferedImage image, int x, int y) {
        if (image.getColorModel().getNumColorComponents() == 1) {
            int bits = image.getColorModel().getComponentSize(0);
            return image.getRaster().getSample(x, y, 0) / (float) ((1 << bits) - 1);
        }
        return ((image.getRGB(x, y) >> 16) & 0xff) / 255f;
    }

    /**
     * An image as a model of input {@code shape} (channels, height, width) reads it, as this format reads a folder:
     * scaled to its size, pixels in 0..1; a color image given to a one-channel model is read as its luminance (ITU-R
     * BT.601 weights), a gray one given to a three-channel model as three equal planes. {@code distillery serve} reads
     * images sent to it this way.
     */
    public static float[] asModelInput(BufferedImage image, List<Long> shape) {
        if (shape.size() != 3 || (shape.get(0) != 1 && shape.get(0) != 3)) {
            throw new IllegalArgumentException("the model does not read images: its input is shaped " + shape
                    + ", not (1 or 3 channels, height, width)");
        }
        int channels = Math.toIntExact(shape.get(0));
        int height = Math.toIntExact(shape.get(1));
        int width = Math.toIntExact(shape.get(2));
        image = opaque(image);
        boolean gray = isGray(image);
        if (image.getWidth() != width || image.getHeight() != height) {
            image = scaled(image, width, height, gray);
        }
        return pixels(image, channels);
    }

    /**
     * Channel-major pixels in 0..1 in {@code channels} planes: a gray image's own values (in every plane), else red, green
     * and blue, or for one plane their luminance.
     */
    private static float[] pixels(BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        boolean gray = isGray(image);
        float[] out = new float[channels * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (gray) {
                    float v = grayValue(image, x, y);
                    for (int c = 0; c < channels; c++) {
                        out[c * w * h + y * w + x] = v;
                    }
                    continue;
                }
                int rgb = image.getRGB(x, y);
                float r = ((rgb >> 16) & 0xff) / 255f;
                float g = ((rgb >> 8) & 0xff) / 255f;
                float b = (rgb & 0xff) / 255f;
                if (channels == 1) {
                    out[y * w + x] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    out[y * w + x] = r;
                    out[w * h + y * w + x] = g;
                    out[2 * w * h + y * w + x] = b;
                }
            }
        }
        return out;
    }
}
