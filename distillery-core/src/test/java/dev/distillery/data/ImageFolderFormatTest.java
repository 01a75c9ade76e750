package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderFormatTest {
    @TempDir
    Path dir;

    /** A gray image whose pixel (x, y) is {@code base + x}. */
    private Path gray(String relative, int width, int height, int base, String format) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, base + x);
            }
        }
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        ImageIO.write(image, format, file.toFile());
        return file;
    }

    /** A black color image with one orange pixel in its top left corner. */
    private void orangeCorner(String relative, int width, int height) throws Exception {
        BufferedImage color = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        color.setRGB(0, 0, 0xff8000);
        Files.createDirectories(dir.resolve(relative).getParent());
        ImageIO.write(color, "png", dir.resolve(relative).toFile());
    }

    @Test
    void imagesInAFolderNamedUnlabeledHaveNoLabel() throws Exception {
        gray("cat/a.png", 8, 6, 200, "png");
        gray("dog/b.png", 8, 6, 100, "png");
        gray("Unlabeled/c.png", 8, 6, 0, "png");
        ReadResult r = DataFiles.read(dir, OnError.FAIL);
        assertThat(r.dataset().schema().labels()).containsExactly("cat", "dog");
        assertThat(r.dataset().examples()).filteredOn(e -> !e.hasLabel()).extracting(Example::id).containsExactly("Unlabeled/c.png");
        assertThat(r.warnings()).singleElement().asString().contains("the 1 file in Unlabeled/ is read without a label");
    }

    @Test
    void subdirectoriesNameTheLabelsAndGrayPixelsKeepTheirValues() throws Exception {
        gray("ok/a.png", 8, 6, 200, "png");
        gray("ok/b.bmp", 8, 6, 100, "bmp");
        gray("scratch/c.png", 8, 6, 0, "png");
        gray("scratch/big.png", 16, 12, 0, "png"); // another size: scaled to the common 8x6
        gray("unsorted.png", 8, 6, 50, "png"); // in the directory itself: unlabeled
        Files.writeString(dir.resolve("ok/notes.txt"), "not an image, not read");
        Files.writeString(dir.resolve("ok/.DS_Store"), "a system's own file: not said");
        Files.writeString(dir.resolve("Thumbs.db"), "nor this");

        ReadResult r = DataFiles.read(dir, OnError.FAIL);
        Dataset d = r.dataset();
        assertThat(d.schema().kind()).isEqualTo(Schema.Kind.DENSE);
        assertThat(d.schema().featureShape()).containsExactly(1L, 6L, 8L);
        assertThat(d.schema().labels()).containsExactly("ok", "scratch");
        assertThat(d.examples()).extracting(Example::id)
                .containsExactly("ok/a.png", "ok/b.bmp", "scratch/big.png", "scratch/c.png", "unsorted.png");
        assertThat(d.examples().get(4).hasLabel()).isFalse();
        float[] a = d.examples().get(0).features();
        assertThat(a[0]).isEqualTo(200 / 255f);
        assertThat(a[7]).isEqualTo(207 / 255f);
        assertThat(d.examples().get(1).features()[3]).isEqualTo(103 / 255f);
        assertThat(r.warnings()).hasSize(2).anySatisfy(w -> assertThat(w).contains("1 of 5 images scaled to 8x6", "the most common size"))
                .anySatisfy(w -> assertThat(w).contains("1 file passed over as no image (ok/notes.txt)"));
    }

    @Test
    void aTiffIsReadAndAPhoneOrWebImageIsABadRecordNamedByItsFormatNotLeftOut() throws Exception {
        gray("ok/a.png", 8, 6, 200, "png");
        gray("ok/scan.tif", 8, 6, 10, "tiff");
        Files.createDirectories(dir.resolve("bad"));
        Files.write(dir.resolve("bad/photo.heic"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'});
        Files.write(dir.resolve("bad/banner.avif"), new byte[] {0, 0, 0, 28, 'f', 't', 'y', 'p', 'a', 'v', 'i', 'f'});
        Files.write(dir.resolve("bad/xray.dcm"), new byte[132]); // a DICOM file: 128 bytes of preamble, then "DICM"
        gray("ok/saved.jfif", 8, 6, 90, "jpeg"); // a JPEG as Windows names some: read
        assertThatThrownBy(() -> DataFiles.read(dir, OnError.FAIL)).isInstanceOf(BadRecordException.class)
                .hasMessageContaining("bad/banner.avif: an AVIF image, which is not read")
                .hasMessageContaining("mogrify -format png *.avif");
        ReadResult r = DataFiles.read(dir, OnError.SKIP);
        assertThat(r.skipped()).isEqualTo(3);
        assertThat(r.skipReasons()).anySatisfy(reason -> assertThat(reason).contains("bad/photo.heic: a HEIC image"))
                .anySatisfy(reason -> assertThat(reason).contains("bad/xray.dcm: a DICOM image, which is not read"));
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("ok/a.png", "ok/saved.jfif", "ok/scan.tif");
        assertThat(r.dataset().examples().get(2).features()[0]).isEqualTo(10 / 255f);
    }

    @Test
    void colorMakesThreeChannelsLargeImagesAreScaledDownAndBrokenFilesAreNamed() throws Exception {
        orangeCorner("red/x.png", 100, 100);
        gray("gray/y.png", 100, 100, 0, "png");
        Files.writeString(dir.resolve("gray/broken.png"), "not a PNG");

        assertThatThrownBy(() -> DataFiles.read(dir, OnError.FAIL)).isInstanceOf(BadRecordException.class)
                .hasMessageContaining("gray/broken.png").hasMessageContaining("not a readable image");
        ReadResult r = DataFiles.read(dir, OnError.SKIP);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.dataset().schema().featureShape()).containsExactly(3L, 64L, 64L);
        assertThat(r.warnings()).singleElement().asString().contains("scaled down to at most 4096 pixels", "100x100");
        // the orange corner survives scaling in its channels' order: red high, green half, blue none
        float[] x = r.dataset().examples().stream().filter(e -> e.id().equals("red/x.png")).findFirst().orElseThrow().features();
        int plane = 64 * 64;
        assertThat(x[0]).isGreaterThan(x[plane]).isGreaterThan(0.3f);
        assertThat(x[2 * plane]).isEqualTo(0f);
    }

    @Test
    void transparencyIsLaidOverBlackSoAHiddenColorIsNoPartOfThePicture() throws Exception {
        // an icon: a transparent pixel that keeps a leftover red, a half-transparent white one, an opaque blue one
        BufferedImage icon = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        icon.setRGB(0, 0, 0x00ff0000);
        icon.setRGB(1, 0, 0x80ffffff);
        icon.setRGB(2, 0, 0xff0000ff);
        Files.createDirectories(dir.resolve("a"));
        ImageIO.write(icon, "png", dir.resolve("a/icon.png").toFile());
        // the same in a gray-and-alpha PNG: one channel, read from the raster's samples
        java.awt.image.ComponentColorModel ga = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_BYTE);
        BufferedImage grayAlpha = new BufferedImage(ga, ga.createCompatibleWritableRaster(4, 4), false, null);
        grayAlpha.getRaster().setPixel(0, 0, new int[] {255, 0});
        grayAlpha.getRaster().setPixel(1, 0, new int[] {255, 128});
        grayAlpha.getRaster().setPixel(2, 0, new int[] {60, 255});
        Files.createDirectories(dir.resolve("g/b"));
        ImageIO.write(grayAlpha, "png", dir.resolve("g/b/icon.png").toFile());

        float[] color = DataFiles.read(dir.resolve("a"), OnError.FAIL).dataset().examples().get(0).features();
        int plane = 16;
        assertThat(new float[] {color[0], color[plane], color[2 * plane]}).as("transparent red").containsExactly(0f, 0f, 0f);
        assertThat(color[1]).as("half-transparent white").isEqualTo(128 / 255f);
        assertThat(color[2 * plane + 2]).as("opaque blue").isEqualTo(1f);
        Dataset gray = DataFiles.read(dir.resolve("g"), OnError.FAIL).dataset();
        assertThat(gray.schema().featureShape()).containsExactly(1L, 4L, 4L);
        assertThat(gray.examples().get(0).features()[0]).isZero();
        assertThat(gray.examples().get(0).features()[1]).isEqualTo(128 / 255f);
        assertThat(gray.examples().get(0).features()[2]).isEqualTo(60 / 255f);
        // a model reads an image it is given (predict, serve) the same way
        assertThat(ImageFolderFormat.asModelInput(icon, List.of(3L, 4L, 4L))).containsExactly(color);
    }

    @Test
    void webImagesAndPrintJpegsInCmykAreReadInTheirOwnColors() throws Exception {
        // 16 x 8, the left half RGB (20, 20, 20), the right (230, 230, 230): WebP lossless and lossy, and a JPEG in CMYK,
        // whose colors the JDK's reader got wrong without a word (79 for 20)
        for (String name : List.of("lossless.webp", "lossy.webp", "cmyk.jpg")) {
            Path file = dir.resolve("web/a/" + name);
            Files.createDirectories(file.getParent());
            try (var in = getClass().getResourceAsStream("/images/" + name)) {
                Files.copy(in, file);
            }
        }
        Dataset d = DataFiles.read(dir.resolve("web"), OnError.FAIL).dataset();
        assertThat(d.size()).isEqualTo(3);
        for (Example e : d.examples()) {
            assertThat(e.features()[0]).as(e.id() + ", left").isCloseTo(20 / 255f, org.assertj.core.data.Offset.offset(4 / 255f));
            assertThat(e.features()[15]).as(e.id() + ", right").isCloseTo(230 / 255f, org.assertj.core.data.Offset.offset(4 / 255f));
        }
    }

    @Test
    void aPhoneSPhotoIsReadUprightAsItsExifOrientationSays() throws Exception {
        // stored as the sensor saw it, 16 wide and 8 high: the left half dark, the right half light
        BufferedImage stored = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                stored.getRaster().setSample(x, y, 0, x < 8 ? 20 : 230);
            }
        }
        Files.createDirectories(dir.resolve("photos/part"));
        Files.write(dir.resolve("photos/part/upright.jpg"), dev.distillery.TestData.jpegWithOrientation(stored, 6));
        Dataset d = DataFiles.read(dir.resolve("photos"), OnError.FAIL).dataset();
        // turned a quarter clockwise, as every viewer shows it: 8 wide and 16 high, the dark half on top
        assertThat(d.schema().featureShape()).containsExactly(1L, 16L, 8L);
        float[] px = d.get(0).features();
        for (int x = 0; x < 8; x++) {
            assertThat(px[2 * 8 + x]).as("top, x %d", x).isLessThan(0.3f);
            assertThat(px[13 * 8 + x]).as("bottom, x %d", x).isGreaterThan(0.7f);
        }
        // each orientation undone: 3 turns half round, 8 a quarter counter-clockwise (the dark half at the bottom)
        assertThat(ImageFolderFormat.upright(stored, 3).getRaster().getSample(15, 0, 0)).isEqualTo(20);
        BufferedImage counter = ImageFolderFormat.upright(stored, 8);
        assertThat(counter.getHeight()).isEqualTo(16);
        assertThat(counter.getRaster().getSample(0, 15, 0)).isEqualTo(20);
        assertThat(counter.getRaster().getSample(0, 0, 0)).isEqualTo(230);
        assertThat(ImageFolderFormat.exifOrientation(Files.readAllBytes(gray("plain.png", 4, 4, 0, "png")))).isEqualTo(1);
    }

    @Test
    void oneImageFileIsReadAsAnUnlabeledExampleNamedByTheFile() throws Exception {
        Path file = gray("photos/ok/a.png", 8, 6, 200, "png");
        ReadResult r = DataFiles.read(file, OnError.FAIL);
        assertThat(r.dataset().examples()).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo("a.png");
            assertThat(e.hasLabel()).as("a lone file names no label, whatever folder it is in").isFalse();
            assertThat(e.features()[7]).isEqualTo(207 / 255f);
        });
        assertThat(r.dataset().schema().featureShape()).containsExactly(1L, 6L, 8L);
        Path text = Files.writeString(dir.resolve("notes.dat"), "hello");
        assertThatThrownBy(() -> DataFiles.read(text, OnError.FAIL)).hasMessageContaining("unknown file type")
                .hasMessageContaining(".png").hasMessageContaining(".webp");
    }

    @Test
    void imagesReadForAModelTakeItsSizeAndChannelsAndSaySo() throws Exception {
        orangeCorner("new/photo.png", 16, 12);
        gray("new/ok/same.png", 8, 6, 10, "png");
        List<Long> shape = List.of(1L, 6L, 8L);
        Schema model = Schema.dense(shape, List.of("ok", "other"));

        ReadResult r = DataFiles.readFor(dir.resolve("new"), OnError.FAIL, model, ColumnNames.DEFAULT);
        assertThat(r.dataset().schema().featureShape()).isEqualTo(shape);
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("ok/same.png", "photo.png");
        assertThat(r.dataset().examples()).allSatisfy(e -> assertThat(e.features()).hasSize(48));
        assertThat(r.dataset().get(0).label()).contains("ok");
        assertThat(r.dataset().get(0).features()[3]).as("an image of the model's size is read as is").isEqualTo(13 / 255f);
        assertThat(r.warnings()).singleElement().asString()
                .contains("8x6 pixels in gray", "1 of 2 images scaled", "1 of 2 read as gray (their luminance)");
        assertThat(DataFiles.readFor(dir.resolve("new/ok/same.png"), OnError.FAIL, model, ColumnNames.DEFAULT).warnings()).as("nothing changed").isEmpty();
        // a model that does not read images reads the folder as the folder reads
        assertThat(DataFiles.readFor(dir.resolve("new"), OnError.FAIL, Schema.dense(List.of(48L), List.of("ok", "other")), ColumnNames.DEFAULT).dataset().schema().featureShape())
                .containsExactly(3L, 6L, 8L);
    }

    @Test
    void aDirectoryWithoutImagesIsStillReadAsMail() throws Exception {
        Files.createDirectories(dir.resolve("spam"));
        Files.writeString(dir.resolve("spam/1.eml"), "Subject: win\n\nfree money\n");
        assertThat(DataFiles.read(dir, OnError.FAIL).dataset().schema().kind()).isEqualTo(Schema.Kind.TEXT);
        assertThat(List.of(ImageFolderFormat.handles(dir))).containsExactly(false);
    }
}
