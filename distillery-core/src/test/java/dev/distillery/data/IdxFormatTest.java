package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFormatTest {
    @TempDir
    Path dir;

    private static Dataset images(int n) {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] px = new float[6];
            for (int j = 0; j < 6; j++) {
                px[j] = ((i * 6 + j) % 256) / 255f;
            }
            ex.add(Example.dense("e" + i, px, Integer.toString(i % 3), "t"));
        }
        return Dataset.infer("imgs", ex, List.of(1L, 2L, 3L));
    }

    @Test
    void writeThenReadRoundTripsGzipped() {
        Dataset d = images(5);
        Path items = dir.resolve("train-images-idx3-ubyte.gz");
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        IdxFormat.write(d, items, labels);
        Dataset back = DataFiles.read(items, OnError.FAIL).dataset(); // finds the label file by name
        assertThat(back.size()).isEqualTo(5);
        assertThat(back.schema().featureShape()).containsExactly(1L, 2L, 3L);
        assertThat(back.get(4).features()).containsExactly(d.get(4).features());
        assertThat(back.get(4).label()).contains("1");
    }

    @Test
    void wrongMagicIsRejected() throws Exception {
        Path f = dir.resolve("bad-images-idx3-ubyte");
        Files.write(f, ByteBuffer.allocate(16).putInt(0x00000D03).putInt(1).putInt(1).putInt(1).array());
        assertThatThrownBy(() -> IdxFormat.read(f, null, null)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad-images-idx3-ubyte").hasMessageContaining("wrong magic number 0x00000d03");
    }

    @Test
    void truncatedDataIsRejectedWithCounts() throws Exception {
        Path f = dir.resolve("t-images-idx3-ubyte");
        ByteBuffer b = ByteBuffer.allocate(16 + 10).putInt(0x00000803).putInt(2).putInt(3).putInt(3);
        Files.write(f, b.array());
        assertThatThrownBy(() -> IdxFormat.read(f, null, null)).hasMessageContaining("truncated: 10 of 18 data bytes");
    }

    @Test
    void labelCountMustMatchItemCount() {
        Dataset d = images(4);
        Path items = dir.resolve("a-images-idx3-ubyte");
        IdxFormat.write(d, items, null);
        Path labels = dir.resolve("other-labels-idx1-ubyte");
        IdxFormat.write(images(3), dir.resolve("other-images-idx3-ubyte"), labels);
        assertThatThrownBy(() -> IdxFormat.read(items, labels, null)).hasMessageContaining("other-labels-idx1-ubyte")
                .hasMessageContaining("[3]").hasMessageContaining("[4]");
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> DataFiles.read(dir.resolve("nope.jsonl"), OnError.FAIL))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("nope.jsonl").hasMessageContaining("file not found");
    }
}
