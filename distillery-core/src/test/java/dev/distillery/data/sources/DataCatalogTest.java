package dev.distillery.data.sources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.data.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCatalogTest {
    @TempDir
    Path root;

    /** A data set whose fetch writes one file, counting how often it was fetched. */
    private final class Fake implements KnownDataset {
        int fetches;

        @Override public String name() { return "fake"; }
        @Override public String description() { return "a fake"; }
        @Override public List<String> splits() { return List.of("all"); }
        @Override public Path directory() { return root.resolve("fake"); }
        @Override public boolean isCached() { return Files.isRegularFile(directory().resolve("data.csv")); }
        @Override public Dataset load(String split) { throw new UnsupportedOperationException(); }

        @Override
        public FetchReport fetch(Consumer<String> log) {
            fetches++;
            try {
                Files.createDirectories(directory());
                Files.writeString(directory().resolve("data.csv"), "1,2,a\n");
                Files.writeString(directory().resolve("manifest.json"), "{}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        }
    }

    @Test
    void aTableOfOneColumnOfWordsBesideItsLabelsIsLoadedAsTextAndItsSchemaNamesTheColumn() throws IOException {
        // as data inspect and data split load a file: "word,sentiment" with --label-column sentiment was refused by line
        Path words = Files.writeString(root.resolve("words.csv"), "word,sentiment\nabandon,negative\nadore,positive\n");
        DataCatalog catalog = new DataCatalog(List.of()).withColumns(new dev.distillery.data.ColumnNames("sentiment", null));
        List<String> said = new ArrayList<>();
        Dataset data = catalog.load(words.toString(), dev.distillery.data.OnError.FAIL, said::add).dataset();
        assertThat(data.schema().kind()).isEqualTo(dev.distillery.data.Schema.Kind.TEXT);
        assertThat(data.get(0).text()).isEqualTo("abandon");
        assertThat(data.schema().columns()).isEqualTo(new dev.distillery.data.ColumnNames("sentiment", "word"));
        assertThat(said).singleElement().asString().startsWith("columns: 'word' is read as the text");
        // a column the user names is read as named, and a model reads by its own columns, without a word
        said.clear();
        assertThat(catalog.withColumns("sentiment", "word").load(words.toString(), dev.distillery.data.OnError.FAIL, said::add)
                .dataset().size()).isEqualTo(2);
        assertThat(said).isEmpty();
    }

    @Test
    void aTextModelsTableWithoutItsTextColumnIsRefusedByThatColumnsName() throws IOException {
        // read as a table of numeric features, it was refused by its first word: "column 1 ('term') is 'applauding'"
        var names = new dev.distillery.data.ColumnNames("sentiment", "word");
        var model = dev.distillery.data.Schema.text(List.of("negative", "positive")).withColumns(names);
        Path renamed = Files.writeString(root.resolve("terms.csv"), "term,sentiment\napplauding,positive\n");
        DataCatalog catalog = new DataCatalog(List.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> catalog.loadFor(renamed.toString(), model,
                dev.distillery.data.OnError.FAIL, s -> { })).isInstanceOf(dev.distillery.data.DataFormatException.class)
                .hasMessageContaining("terms.csv:line 1")
                .hasMessageContaining("no column 'word', the text the model reads (its columns: term, sentiment)");
        // named, the column is read; a file with the model's column needs no name
        assertThat(catalog.withColumns(null, "term").loadFor(renamed.toString(), model, dev.distillery.data.OnError.FAIL, s -> { })
                .dataset().get(0).text()).isEqualTo("applauding");
        Path words = Files.writeString(root.resolve("words2.csv"), "word,sentiment\nadore,positive\n");
        assertThat(catalog.loadFor(words.toString(), model, dev.distillery.data.OnError.FAIL, s -> { }).dataset().get(0).text())
                .isEqualTo("adore");
    }

    @Test
    void theInputsOfADataSetNotYetFetchedAreItsFilesAfterFetchingItWhenAJobAsks() {
        Fake fake = new Fake();
        DataCatalog catalog = new DataCatalog(List.of(fake));
        assertThat(catalog.inputFiles("fake")).as("a plan fetches nothing and sees nothing").isEmpty();
        assertThat(fake.fetches).isZero();
        List<String> said = new ArrayList<>();
        // a job about to read it: fetched now, so the run that fetched it records its checksums too
        assertThat(catalog.inputFiles("fake", said::add)).containsExactly(root.resolve("fake/data.csv"));
        assertThat(said).anyMatch(line -> line.contains("fetching it into"));
        assertThat(catalog.inputFiles("fake", said::add)).containsExactly(root.resolve("fake/data.csv"));
        assertThat(fake.fetches).as("cached: fetched once").isEqualTo(1);
    }

    @Test
    void aMissingFileOrAMistypedDataSetSaysWhatIsThereInstead() throws IOException {
        DataCatalog catalog = new DataCatalog(List.of(new Fake()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> catalog.load("faek", dev.distillery.data.OnError.FAIL, line -> {}))
                .isInstanceOf(dev.distillery.data.DataFormatException.class)
                .hasMessageContaining("faek: no such file, and no known data set of that name").hasMessageContaining("fake");
        Path split = Files.createDirectories(root.resolve("split"));
        Files.writeString(split.resolve("test.jsonl"), "{}\n");
        Files.writeString(split.resolve("train.jsonl"), "{}\n");
        Files.writeString(split.resolve("notes.md"), "\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> catalog.load(split.resolve("train.csv").toString(),
                        dev.distillery.data.OnError.FAIL, line -> {}))
                .hasMessageContaining("train.csv: file not found; its directory holds train.jsonl, notes.md, test.jsonl");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> catalog.load(root.resolve("nowhere/train.csv").toString(),
                        dev.distillery.data.OnError.FAIL, line -> {}))
                .hasMessageContaining("file not found; there is no directory " + root.resolve("nowhere"));
    }

    @Test
    void aColumnNamedForAFileReadForAModelReplacesThatColumnAloneTheModelKeepsTheOther() throws IOException {
        dev.distillery.data.Schema model = dev.distillery.data.Schema.text(List.of("dem", "rep"))
                .withColumns(new dev.distillery.data.ColumnNames("party", "speech"));
        Path holdout = Files.writeString(root.resolve("holdout.jsonl"), "{\"speech\": \"we will cut taxes\", \"outcome\": \"rep\"}\n");
        DataCatalog catalog = new DataCatalog(List.of(new Fake()));
        var read = catalog.withColumns("outcome", null).loadFor(holdout.toString(), model, dev.distillery.data.OnError.FAIL, line -> {});
        assertThat(read.dataset().get(0).text()).isEqualTo("we will cut taxes");
        assertThat(read.dataset().get(0).label()).contains("rep");
        // nothing named: the model's own columns, which this file lacks for the label
        var own = catalog.loadFor(holdout.toString(), model, dev.distillery.data.OnError.FAIL, line -> {});
        assertThat(own.dataset().get(0).label()).isEmpty();
    }
}
