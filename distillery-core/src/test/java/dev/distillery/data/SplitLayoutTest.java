package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory already split into parts with label subdirectories is refused, not read with the parts as labels. */
class SplitLayoutTest {
    @TempDir
    Path dir;

    private void text(String relative, String content) throws Exception {
        Path f = dir.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
    }

    private void image(String relative) throws Exception {
        Path f = dir.resolve(relative);
        Files.createDirectories(f.getParent());
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", f.toFile());
    }

    @Test
    void textSplitIntoTrainAndTestIsRefusedWithTheCommandThatNamesItsParts() throws Exception {
        for (String part : new String[] {"train", "test"}) {
            text("reviews/" + part + "/pos/1.txt", "a wonderful film");
            text("reviews/" + part + "/neg/2.txt", "a boring film");
        }
        Path reviews = dir.resolve("reviews");
        assertThatThrownBy(() -> DataFiles.read(reviews, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("already split into test/ and train/")
                .hasMessageContaining("train/ holds 'neg', 'pos'")
                .hasMessageContaining("--data " + reviews.resolve("train") + " --test " + reviews.resolve("test"));
        // each part reads as the labeled directory it is
        assertThat(DataFiles.read(reviews.resolve("train"), OnError.FAIL).dataset().schema().labels()).containsExactly("neg", "pos");
    }

    @Test
    void imagesSplitIntoTrainAndValidationAreRefusedToo() throws Exception {
        image("shapes/Train/circle/1.png");
        image("shapes/Train/square/2.png");
        image("shapes/val/circle/3.png");
        Path shapes = dir.resolve("shapes");
        assertThatThrownBy(() -> DataFiles.read(shapes, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("already split into Train/ and val/")
                .hasMessageContaining("--data " + shapes.resolve("Train") + " --test " + shapes.resolve("val"));
    }

    @Test
    void aLabelNamedLikeAPartHoldingFilesIsALabel() throws Exception {
        image("vehicles/train/1.png"); // a photo of a train, beside buses: no subdirectories under it
        image("vehicles/bus/2.png");
        assertThat(DataFiles.read(dir.resolve("vehicles"), OnError.FAIL).dataset().schema().labels()).containsExactly("bus", "train");
    }
}
