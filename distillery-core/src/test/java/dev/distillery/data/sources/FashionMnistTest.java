package dev.distillery.data.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void verificationRejectsDataThatDoesNotMatchThePinnedChecksums() throws Exception {
        for (String name : FashionMnist.SHA256.keySet()) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name + ".gz")))) {
                out.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 7});
            }
        }
        assertThatThrownBy(() -> FashionMnist.verify(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SHA-256 of the decompressed data").hasMessageContaining("expected");
    }

    @Test
    void notCachedUntilAllFilesAndTheManifestExist() {
        FashionMnist fm = new FashionMnist(dir);
        assertThat(fm.isCached()).isFalse();
        assertThat(fm.directory()).isEqualTo(dir.resolve("fashion-mnist"));
        assertThatThrownBy(() -> fm.load("validation")).hasMessageContaining("splits train and test");
    }
}
