package dev.distillery.data.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.data.Dataset;
import dev.distillery.data.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SklearnBundledTest {
    @TempDir
    Path root;

    private KnownDataset wine() {
        return SklearnBundled.all(root).stream().filter(d -> d.name().equals("wine")).findFirst().orElseThrow();
    }

    @Test
    void theCatalogKnowsTheThreeBundledDataSets() {
        assertThat(new DataCatalog(root).known()).extracting(KnownDataset::name)
                .contains("digits", "wine", "breast-cancer");
    }

    @Test
    void readsTheHeaderedCsvWithLabelNames() throws Exception {
        Files.createDirectories(root.resolve("wine"));
        String row = "1,2,3,4,5,6,7,8,9,10,11,12,13";
        Files.writeString(root.resolve("wine/wine_data.csv"), "3,13,class_0,class_1,class_2\n" + row + ",0\n" + row + ",2\n" + row + ",1\n");
        Dataset d = wine().load("all");
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.schema().kind()).isEqualTo(Schema.Kind.DENSE);
        assertThat(d.schema().labels()).containsExactly("class_0", "class_1", "class_2");
        assertThat(d.examples()).extracting(e -> e.label().orElseThrow()).containsExactly("class_0", "class_2", "class_1");
        assertThat(d.schema().featureShape()).isEqualTo(List.of(13L));
    }

    @Test
    void aShortRowNamesTheFileAndLine() throws Exception {
        Files.createDirectories(root.resolve("wine"));
        Files.writeString(root.resolve("wine/wine_data.csv"), "1,13,class_0,class_1,class_2\n1,2,3,0\n");
        assertThatThrownBy(() -> wine().load("all")).hasMessageContaining("wine_data.csv line 2").hasMessageContaining("4 fields, expected 14");
        assertThatThrownBy(() -> wine().load("train")).hasMessageContaining("one split, all");
    }

    @Test
    void aFileWithOtherContentIsRejectedByItsChecksum() throws Exception {
        Files.createDirectories(root.resolve("wine"));
        Files.writeString(root.resolve("wine/wine_data.csv"), "not the data\n");
        Files.writeString(root.resolve("wine/manifest.json"), "{}");
        assertThatThrownBy(() -> wine().fetch(line -> {})).hasMessageContaining("SHA-256");
    }
}
