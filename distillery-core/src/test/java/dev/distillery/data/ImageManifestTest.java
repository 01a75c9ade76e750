package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table naming image files beside their labels is read as those images, not as a table of file names. */
class ImageManifestTest {
    @TempDir
    Path dir;

    private void gray(String relative, int value) throws Exception {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image.getRaster().setSample(x, y, 0, value);
            }
        }
        Path f = dir.resolve(relative);
        Files.createDirectories(f.getParent());
        ImageIO.write(image, "png", f.toFile());
    }

    private Path manifest() throws Exception {
        gray("kag/images/a.png", 10);
        gray("kag/images/b.png", 200);
        gray("kag/images/c.png", 30);
        return Files.writeString(dir.resolve("kag/train.csv"), "image,label,source\na.png,dark,scan\nb.png,light,scan\nc.png,dark,web\n");
    }

    @Test
    void itsImagesAreReadWithTheirLabelsFromTheFolderBesideTheTable() throws Exception {
        Path csv = manifest();
        ReadResult r = DataFiles.read(csv, OnError.FAIL);
        Dataset d = r.dataset();
        assertThat(d.schema().kind()).isEqualTo(Schema.Kind.DENSE);
        assertThat(d.schema().featureShape()).containsExactly(1L, 4L, 4L);
        assertThat(d.examples()).extracting(Example::id).containsExactly("a.png", "b.png", "c.png");
        assertThat(d.examples()).extracting(e -> e.label().orElseThrow()).containsExactly("dark", "light", "dark");
        assertThat(d.get(1).features()[0]).isEqualTo(200 / 255f);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("read from images/"))
                .anySatisfy(w -> assertThat(w).contains("the other columns, 'source', are not read"));
        // JSON Lines records that name an image each are read the same way
        Path jsonl = Files.writeString(dir.resolve("kag/train.jsonl"), "{\"image\": \"images/a.png\", \"label\": \"dark\"}\n"
                + "{\"image\": \"images/b.png\", \"label\": \"light\"}\n");
        Dataset fromJson = DataFiles.read(jsonl, OnError.FAIL).dataset();
        assertThat(fromJson.schema().featureShape()).containsExactly(1L, 4L, 4L);
        assertThat(fromJson.get(1).features()).isEqualTo(d.get(1).features());
        // no command takes the file names for a text to read
        assertThat(DataFiles.loneWordsColumn(csv, ColumnNames.DEFAULT)).isEmpty();
        assertThat(DataFiles.freeTextColumns(csv, ColumnNames.DEFAULT)).isEmpty();
    }

    @Test
    void aMissingImageIsABadRecordNamedByItsLine() throws Exception {
        manifest();
        Path csv = Files.writeString(dir.resolve("kag/train.csv"), "image,label\na.png,dark\ngone.png,light\nb.png,light\n");
        assertThatThrownBy(() -> DataFiles.read(csv, OnError.FAIL)).isInstanceOf(BadRecordException.class)
                .hasMessageContaining(csv + ":line 3 (gone.png)").hasMessageContaining("no such image file");
        Path urls = Files.writeString(dir.resolve("kag/urls.csv"), "image,label\nhttps://example.com/a.png,dark\n");
        assertThatThrownBy(() -> DataFiles.read(urls, OnError.FAIL)).hasMessageContaining(urls + ":line 2: a URL")
                .hasMessageContaining("download the images");
        ReadResult skipped = DataFiles.read(csv, OnError.SKIP);
        assertThat(skipped.skipped()).isEqualTo(1);
        assertThat(skipped.dataset().size()).isEqualTo(2);
    }

    @Test
    void aModelReadsItAtItsOwnSizeAndACopyElsewhereNamesTheSameImages() throws Exception {
        Path csv = manifest();
        Schema model = DataFiles.read(csv, OnError.FAIL).dataset().schema();
        Schema larger = Schema.dense(List.of(1L, 8L, 8L), model.labels());
        assertThat(DataFiles.readFor(csv, OnError.FAIL, larger, ColumnNames.DEFAULT).dataset().get(0).featureLength()).isEqualTo(64);

        Path part = dir.resolve("parts/sub/train.csv");
        Files.createDirectories(part.getParent());
        DataFiles.copyRecords(csv, RecordCopy.of(line -> line != 3, false, Set.of()), part);
        assertThat(Files.readAllLines(part)).containsExactly("image,label,source", "../../kag/images/a.png,dark,scan",
                "../../kag/images/c.png,dark,web");
        Dataset copied = DataFiles.read(part, OnError.FAIL).dataset();
        assertThat(copied.get(1).features()).isEqualTo(DataFiles.read(csv, OnError.FAIL).dataset().get(2).features());
    }

    @Test
    void aTableOfIdsBesideAFolderOfImagesNamedByThemIsReadAsThoseImages() throws Exception {
        gray("comp/train/1001.tif", 10);
        gray("comp/train/1002.tif", 200);
        gray("comp/test/2001.tif", 30);
        Path train = Files.writeString(dir.resolve("comp/train_labels.csv"), "id,label\n1001,0\n1002,1\n");
        ReadResult r = DataFiles.read(train, OnError.FAIL);
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("1001", "1002");
        assertThat(r.dataset().schema().labels()).containsExactly("0", "1");
        assertThat(r.dataset().get(1).features()[0]).isEqualTo(200 / 255f);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("named by the ids (as .tif files)", "from train/"));
        // the test ids alone, their images in test/, as a model reads them
        Path test = Files.writeString(dir.resolve("comp/test.csv"), "id\n2001\n");
        Dataset forModel = DataFiles.readFor(test, OnError.FAIL, r.dataset().schema(), ColumnNames.DEFAULT).dataset();
        assertThat(forModel.get(0).id()).isEqualTo("2001");
        assertThat(forModel.get(0).features()[0]).isEqualTo(30 / 255f);
        // ids that name no file beside the table: a table as before (here, one without features)
        Path other = Files.writeString(dir.resolve("comp/other.csv"), "id,label\n9999,0\n9998,1\n");
        assertThatThrownBy(() -> DataFiles.read(other, OnError.FAIL)).hasMessageContaining("neither a text column nor feature columns");
    }

    @Test
    void aTableWithoutAColumnOfImageNamesIsATable() throws Exception {
        Path csv = Files.writeString(dir.resolve("t.csv"), "file,size,label\nreport.pdf,3,a\nnotes.png.txt,4,b\nx.png,5,a\n");
        assertThat(DataFiles.read(csv, OnError.FAIL).dataset().schema().featureShape()).isNotEqualTo(List.of(1L, 4L, 4L));
    }
}
