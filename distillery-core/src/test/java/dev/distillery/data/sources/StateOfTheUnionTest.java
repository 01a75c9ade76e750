package dev.distillery.data.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.data.Example;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateOfTheUnionTest {
    @TempDir
    Path root;

    private KnownDataset named(String name) {
        return new DataCatalog(root).require(name);
    }

    /** A sentence of {@code words} words. */
    private static String sentence(int words) {
        return "Word" + " more".repeat(words - 1) + ".";
    }

    @Test
    void passagesAreWholeSentencesOfAtLeastTheWordCountAndAShortTailJoinsThePassageBeforeIt() {
        String speech = String.join(" ", sentence(100), sentence(60), sentence(150), sentence(20));
        List<String> passages = StateOfTheUnion.passages(speech);
        assertThat(passages).containsExactly(sentence(100) + " " + sentence(60), sentence(150) + " " + sentence(20));
        assertThat(StateOfTheUnion.passages(sentence(10))).containsExactly(sentence(10));
        assertThat(StateOfTheUnion.passages(String.join(" ", sentence(150), sentence(50))))
                .containsExactly(sentence(150), sentence(50));
    }

    @Test
    void eraLabelsEverySpeechAndPartyOnlyDemocratsAndRepublicansFrom1913() throws Exception {
        Path tgz = archive(
                speech("1790_george_washington_n", 1790, "George Washington", "none"),
                speech("1861_abraham_lincoln_r", 1861, "Abraham Lincoln", "Republican"),
                speech("1934_franklin_d_roosevelt_d", 1934, "Franklin D. Roosevelt", "Democratic"),
                speech("2001_george_w_bush_r", 2001, "George W. Bush", "Republican"));
        StateOfTheUnion.Speeches eraSpeeches = ((StateOfTheUnion) named("sotu-era")).fromArchive(tgz);
        assertThat(eraSpeeches.kept()).isEqualTo(4);
        assertThat(eraSpeeches.leftOut()).isZero();
        List<Example> era = eraSpeeches.passages();
        assertThat(era).extracting(e -> e.label().orElseThrow())
                .containsExactly("1790-1860", "1790-1860", "1861-1932", "1861-1932", "1933-1980", "1933-1980",
                        "1981-2021", "1981-2021");
        assertThat(era.get(4).id()).isEqualTo("1934-franklin-d-roosevelt-0");
        StateOfTheUnion.Speeches partySpeeches = ((StateOfTheUnion) named("sotu-party")).fromArchive(tgz);
        assertThat(partySpeeches.kept()).isEqualTo(2);
        assertThat(partySpeeches.leftOut()).isEqualTo(2); // before 1913
        List<Example> party = partySpeeches.passages();
        assertThat(party).extracting(e -> e.label().orElseThrow()).containsExactly("democratic", "democratic",
                "republican", "republican");
    }

    @Test
    void aSpeechWithoutItsTextNamesTheEntryAndTheField() throws Exception {
        Path tgz = archive(new String[] {"package/data/1790_george_washington_n.json", "{\"year\":1790,\"name\":\"x\",\"party\":\"none\"}"});
        assertThatThrownBy(() -> ((StateOfTheUnion) named("sotu-era")).fromArchive(tgz))
                .hasMessageContaining("1790_george_washington_n.json").hasMessageContaining("no 'text' field");
    }

    @Test
    void notCachedBeforeAFetchAndOneSplitOnly() {
        assertThat(named("sotu-era").isCached()).isFalse();
        assertThat(named("sotu-party").directory()).isEqualTo(root.resolve("sotu-party"));
        assertThatThrownBy(() -> named("sotu-era").load("train")).hasMessageContaining("one split, 'all'");
    }

    private static String[] speech(String file, int year, String name, String party) {
        String text = sentence(150) + " " + sentence(150);
        return new String[] {"package/data/" + file + ".json",
                "{\"year\":" + year + ",\"name\":\"" + name + "\",\"party\":\"" + party + "\",\"text\":\"" + text + "\"}"};
    }

    private Path archive(String[]... entries) throws Exception {
        Path tgz = root.resolve("sotu.tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (String[] entry : entries) {
                byte[] bytes = entry[1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(entry[0]);
                e.setSize(bytes.length);
                tar.putArchiveEntry(e);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        return tgz;
    }
}
