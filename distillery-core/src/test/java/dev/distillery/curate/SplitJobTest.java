package dev.distillery.curate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.TestData;
import dev.distillery.data.DataFiles;
import dev.distillery.data.OnError;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data split writes a CSV's or JSON Lines file's parts as its own records, every column kept. */
class SplitJobTest {
    @TempDir
    Path dir;

    private SplitJob.Outcome split(Path file, SplitJob.Format format, OnError onError, String out) {
        return new SplitJob(new DataCatalog(dir.resolve("datasets")), new RunStore(dir.resolve("runs")), null)
                .run(file.toString(), 0.25, 42, dir.resolve(out), format, onError, List.of());
    }

    @Test
    void aTablesPartsAreItsOwnRecordsWithTheColumnsNoModelReads() throws Exception {
        Path tickets = TestData.tableWithFreeText(dir, 80, true); // size, description (free text, not a feature), label
        List<String> records = Files.readAllLines(tickets);

        SplitJob.Outcome o = split(tickets, null, OnError.FAIL, "parts");

        assertThat(o.copiedFrom()).isEqualTo(tickets);
        List<String> train = Files.readAllLines(dir.resolve("parts/train.csv"));
        List<String> test = Files.readAllLines(dir.resolve("parts/test.csv"));
        // the file has no id column: each record comes under the id it was read with, line-N of its line in the file
        assertThat(train.get(0)).isEqualTo("id," + records.get(0));
        assertThat(test.get(0)).isEqualTo("id," + records.get(0));
        assertThat(train).hasSize(o.train() + 1);
        assertThat(test).hasSize(o.test() + 1);
        assertThat(o.test()).isEqualTo(20);
        // every record once, in one part, with its description, each cell as it was
        List<String> parts = new ArrayList<>(train.subList(1, train.size()));
        parts.addAll(test.subList(1, test.size()));
        List<String> expected = new ArrayList<>();
        for (int line = 2; line <= records.size(); line++) {
            expected.add("line-" + line + "," + records.get(line - 1));
        }
        assertThat(parts).containsExactlyInAnyOrderElementsOf(expected);
        // and the parts read back as the file does: the same examples
        var whole = DataFiles.read(tickets, OnError.FAIL).dataset();
        var first = DataFiles.read(dir.resolve("parts/train.csv"), OnError.FAIL).dataset();
        assertThat(first.schema().featureNames()).isEqualTo(whole.schema().featureNames());

        // asked for the other format, the parts are written from the examples: the columns a model reads
        split(tickets, SplitJob.Format.JSONL, OnError.FAIL, "converted");
        assertThat(Files.readString(dir.resolve("converted/train.jsonl"))).doesNotContain("device");
    }

    @Test
    void jsonLinesAndTabSeparatedFilesKeepTheirFormatAndASkippedRecordIsInNeitherPart() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add("{\"text\":\"message " + i + (i % 2 == 0 ? " free money" : " kernel patch") + "\",\"label\":\""
                    + (i % 2 == 0 ? "spam" : "ham") + "\",\"sender\":\"team" + i + "\"}");
        }
        lines.add(7, "{\"text\": 3, broken");
        Path jsonl = Files.write(dir.resolve("mail.jsonl"), lines);

        SplitJob.Outcome o = split(jsonl, null, OnError.SKIP, "mail");

        assertThat(o.skipped()).isEqualTo(1);
        Set<String> written = new HashSet<>(Files.readAllLines(dir.resolve("mail/train.jsonl")));
        written.addAll(Files.readAllLines(dir.resolve("mail/test.jsonl")));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            if (i != 7) { // the broken record, skipped, is in neither part
                expected.add("{\"id\":\"line-" + (i + 1) + "\"," + lines.get(i).substring(1));
            }
        }
        assertThat(written).isEqualTo(expected); // the key no model reads ("sender") kept

        Path tsv = Files.writeString(dir.resolve("rows.tsv"), "a\tb\tnote\tcontact\tlabel\n" + String.join("", java.util.stream.IntStream
                .range(0, 40).mapToObj(i -> (i * 7) % 13 + "\t" + (i % 2) * 3 + "\tseen on day " + i + "\tuser" + i + "@example.com\t"
                        + (i % 2 == 0 ? "x" : "y") + "\n").toList()));
        List<String> messages = new ArrayList<>();
        new SplitJob(new DataCatalog(dir.resolve("datasets")), new RunStore(dir.resolve("runs")), messages::add)
                .run(tsv.toString(), 0.25, 42, dir.resolve("rows"), null, OnError.FAIL, List.of());
        // the e-mail addresses, which no model reads, stay out of the parts, and the output says so
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("column 'contact' holds personal data", "left out of the parts"));
        assertThat(Files.readAllLines(dir.resolve("rows/train.tsv")).get(0)).isEqualTo("id\ta\tb\tnote\tlabel");
        assertThat(Files.readAllLines(dir.resolve("rows/test.tsv")).get(1)).contains("\t", "seen on day");
        assertThat(Files.readString(dir.resolve("rows/train.tsv")) + Files.readString(dir.resolve("rows/test.tsv")))
                .doesNotContain("example.com");
    }
}
