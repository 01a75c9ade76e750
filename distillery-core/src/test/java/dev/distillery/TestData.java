package dev.distillery;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small synthetic problems with a known answer, for fast tests. */
public final class TestData {
    private TestData() {}

    /** Three Gaussian blobs in 8 dimensions, well separated: a correct learner gets near 100%. */
    public static Dataset blobs(int perClass, long seed) {
        Random rng = new Random(seed);
        List<Example> ex = new ArrayList<>();
        String[] labels = {"left", "middle", "right"};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < perClass; i++) {
                float[] f = new float[8];
                for (int j = 0; j < 8; j++) {
                    f[j] = (float) (rng.nextGaussian() * 0.5 + (j % 3 == c ? 2.0 : 0.0));
                }
                ex.add(Example.dense(labels[c] + i, f, labels[c], "blobs"));
            }
        }
        return Dataset.infer("blobs", ex, List.of(8L));
    }

    /** Tiny 1x8x8 "images": a bright vertical bar (class v) or horizontal bar (class h) plus noise. */
    public static Dataset bars(int perClass, long seed) {
        Random rng = new Random(seed);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 2 * perClass; i++) {
            boolean vertical = i % 2 == 0;
            float[] px = new float[64];
            int pos = 1 + rng.nextInt(6);
            for (int k = 0; k < 64; k++) {
                int y = k / 8;
                int x = k % 8;
                px[k] = (float) (rng.nextFloat() * 0.3 + ((vertical ? x : y) == pos ? 0.7 : 0));
            }
            ex.add(Example.dense("bar" + i, px, vertical ? "v" : "h", "bars"));
        }
        return Dataset.infer("bars", ex, List.of(1L, 8L, 8L));
    }

    /** Short texts whose class is given by which vocabulary they draw from, with shared filler words. */
    public static Dataset texts(int perClass, long seed) {
        Random rng = new Random(seed);
        String[] spam = {"free", "money", "winner", "click", "offer", "cheap", "viagra", "prize"};
        String[] ham = {"meeting", "agenda", "patch", "review", "lunch", "kernel", "thanks", "schedule"};
        String[] filler = {"the", "a", "and", "to", "you", "we", "is", "of", "for", "this"};
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 2 * perClass; i++) {
            boolean isSpam = i % 2 == 0;
            String[] vocab = isSpam ? spam : ham;
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                sb.append(rng.nextInt(3) == 0 ? vocab[rng.nextInt(vocab.length)] : filler[rng.nextInt(filler.length)]).append(' ');
            }
            sb.append(vocab[rng.nextInt(vocab.length)]);
            ex.add(Example.text("t" + i, sb.toString(), isSpam ? "spam" : "ham", "synthetic"));
        }
        return Dataset.infer("texts", ex, null);
    }

    /** A listener that adds every message a job says to {@code messages}, for tests that check what was said. */
    public static dev.distillery.train.TrainListener collecting(List<String> messages) {
        return new dev.distillery.train.TrainListener() {
            @Override
            public void onMessage(String message) {
                messages.add(message);
            }
        };
    }

    /**
     * A CSV table (in {@code dir}) of {@code rows} records: a number column, a free-text column and a label; the label
     * follows the text's words when {@code textCarriesLabel}, else the number (the words then drawn alike for both
     * classes).
     */
    public static java.nio.file.Path tableWithFreeText(java.nio.file.Path dir, int rows, boolean textCarriesLabel) throws java.io.IOException {
        java.util.Random random = new java.util.Random(3);
        String[][] words = {"screen battery keyboard cable power fan".split(" "), "password login account badge locked reset".split(" ")};
        StringBuilder csv = new StringBuilder("size,description,label\n");
        for (int i = 0; i < rows; i++) {
            int label = i % 2;
            double size = textCarriesLabel ? random.nextGaussian() : 3 * label + random.nextGaussian();
            String[] vocabulary = words[textCarriesLabel ? label : random.nextInt(2)];
            StringBuilder text = new StringBuilder("my device is not working today");
            for (int w = 0; w < 6 + random.nextInt(6); w++) {
                text.append(' ').append(vocabulary[random.nextInt(vocabulary.length)]);
            }
            csv.append(String.format(java.util.Locale.ROOT, "%.3f,%s,%s%n", size, text, label == 0 ? "hardware" : "access"));
        }
        java.nio.file.Path file = dir.resolve(textCarriesLabel ? "tickets.csv" : "measurements.csv");
        java.nio.file.Files.writeString(file, csv);
        return file;
    }

    /**
     * A photo as a phone writes one: {@code image} as a JPEG file with an EXIF segment whose orientation tag is
     * {@code orientation} (6: the stored pixels are to be turned a quarter clockwise to be seen upright).
     */
    public static byte[] jpegWithOrientation(java.awt.image.BufferedImage image, int orientation) throws java.io.IOException {
        java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "jpg", jpeg);
        byte[] plain = jpeg.toByteArray();
        // APP1 "Exif": a big-endian TIFF header and one IFD holding the orientation (tag 0x0112, SHORT, count 1)
        byte[] exif = {(byte) 0xFF, (byte) 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
                0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, 0, 0, 0, 0};
        int afterApp0 = 2 + 2 + (((plain[4] & 0xff) << 8) | (plain[5] & 0xff)); // SOI, then JFIF's APP0 and its length
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(plain, 0, afterApp0);
        out.write(exif);
        out.write(plain, afterApp0, plain.length - afterApp0);
        return out.toByteArray();
    }
}
