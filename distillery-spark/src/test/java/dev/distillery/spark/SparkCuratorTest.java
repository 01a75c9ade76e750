package dev.distillery.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.curate.CurateConfig;
import dev.distillery.curate.Curator;
import dev.distillery.curate.Doc;
import dev.distillery.curate.DocFiles;
import dev.distillery.curate.StepReport;
import dev.distillery.data.OnError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same configuration keeps the same records, with the same texts, on both engines. */
class SparkCuratorTest {
    static SparkSession spark;
    static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkCurateJob.session("local[2]");
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Messages with exact and near duplicates, PII, junk, and copies of test messages. */
    static List<String> corpus(Random rng, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int words = 20 + rng.nextInt(60);
            for (int w = 0; w < words; w++) {
                sb.append("word").append(rng.nextInt(3000)).append(' ');
            }
            String text = sb.toString().trim();
            switch (i % 10) {
                case 1 -> text = text + " write to someone" + i + "@example.com or call +44 20 7946 0" + (100 + i % 900);
                case 2 -> text = "1 2 3 4 5 6";
                case 3 -> text = out.get(i - 2).toUpperCase(java.util.Locale.ROOT);  // exact duplicate of another (case-folded)
                case 4 -> text = out.get(i - 4).replaceFirst("word\\d+", "changed");  // near duplicate
                case 5 -> text = "ｆｕｌｌ width   text " + text;
                default -> { }
            }
            out.add(text);
        }
        return out;
    }

    @Test
    void csvIsRefusedByNameBeforeAnyWorkStarts() throws Exception {
        Path csv = Files.writeString(dir.resolve("corpus.csv"), "id,text\na,\"a quoted cell\nover two lines\"\n");
        dev.distillery.run.RunStore runs = new dev.distillery.run.RunStore(dir.resolve("runs"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SparkCurateJob.run(csv, "text", dir.resolve("out.jsonl"),
                        CurateConfig.defaults(null), "local[2]", OnError.FAIL, runs, List.of()))
                .isInstanceOf(dev.distillery.data.DataFormatException.class)
                .hasMessageContaining(csv.toString()).hasMessageContaining("the Spark engine reads JSON Lines, not CSV");
        assertThat(dir.resolve("out.jsonl")).doesNotExist();
        assertThat(runs.list()).isEmpty();
    }

    @Test
    void bothEnginesKeepTheSameRecordsWithTheSameTexts() throws Exception {
        Random rng = new Random(7);
        List<String> texts = corpus(rng, 400);
        List<String> test = List.of(texts.get(6), texts.get(16) + " and a little more");
        Path in = dir.resolve("in.jsonl");
        Path testFile = dir.resolve("test.jsonl");
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode o = json.createObjectNode().put("id", String.format("m%04d", (i * 37) % texts.size())).put("text", texts.get(i));
            o.put("label", i % 2 == 0 ? "ham" : "spam");
            lines.append(o).append('\n');
        }
        lines.append("not json\n");
        Files.writeString(in, lines.toString());
        StringBuilder t = new StringBuilder();
        for (String s : test) {
            t.append(json.createObjectNode().put("text", s)).append('\n');
        }
        Files.writeString(testFile, t.toString());
        CurateConfig config = CurateConfig.defaults(testFile.toString());
        java.util.function.Function<String, List<String>> testTexts =
                f -> DocFiles.read(Path.of(f), OnError.FAIL).docs().stream().map(Doc::text).toList();

        DocFiles.Read read = DocFiles.read(in, OnError.SKIP);
        Curator.Curated embedded = new Curator(config, testTexts).run(read.docs(), null);
        Map<String, String> expected = new TreeMap<>();
        embedded.kept().forEach(d -> expected.put(d.id(), d.text()));

        long[] skipped = new long[1];
        SparkCurator.Result distributed = SparkCurator.run(sc, SparkCurator.readJsonl(sc, in.toString(), "text", OnError.SKIP, skipped), config, testTexts);
        Map<String, String> actual = new TreeMap<>();
        distributed.kept().collect().forEach(d -> actual.put(d.id(), d.text()));

        assertThat(skipped[0]).isEqualTo(read.skipped()).isEqualTo(1);
        assertThat(actual).isEqualTo(expected);
        // Every step removed something in this corpus, and both engines count the same removals and changes.
        for (int i = 0; i < embedded.reports().size(); i++) {
            StepReport e = embedded.reports().get(i);
            SparkCurator.StepCounts s = distributed.funnel().get(i);
            assertThat(s.step()).isEqualTo(e.step());
            assertThat(s.out()).as(e.step()).isEqualTo(e.out());
            Map<String, Long> removed = new TreeMap<>();
            e.removed().forEach((k, v) -> removed.put(k, (long) v));
            assertThat(new TreeMap<>(s.removed())).as(e.step()).isEqualTo(removed);
            assertThat(new TreeMap<>(s.changes())).as(e.step()).isEqualTo(new TreeMap<>(e.changes()));
        }
        assertThat(embedded.reports()).allSatisfy(r -> assertThat(r.in() - r.out() + r.changes().size()).as(r.step()).isPositive());
        assertThat(expected.size()).isLessThan(380);
    }

    /**
     * Missing ids, duplicate ids, exact and near duplicates, a byte-order mark, CRLF line ends and bad lines of every kind
     * (malformed JSON, no text, invalid UTF-8): both engines keep the same ids with the same texts and count the same
     * bad lines, and under --on-error fail both name the same first bad line.
     */
    @Test
    void bothEnginesReadDamagedInputByTheSameRules() throws Exception {
        Random rng = new Random(11);
        List<String> texts = corpus(rng, 120);
        ObjectMapper json = new ObjectMapper();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode o = json.createObjectNode().put("text", texts.get(i));
            if (i % 3 != 0) {
                o.put("id", "d" + (i % 50)); // ids repeat from record 50 on; every third record has none
            }
            bytes.write((o + (i % 2 == 0 ? "\r\n" : "\n")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (i == 30) {
                bytes.write("{\"id\": \"x\"}\n\n{broken\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                bytes.write(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}', '\n'});
            }
        }
        Path in = dir.resolve("damaged.jsonl");
        Files.write(in, bytes.toByteArray());
        CurateConfig config = new CurateConfig(List.of(new CurateConfig.StepConfig("normalize", Map.of()),
                new CurateConfig.StepConfig("exact-dedup", Map.of()), new CurateConfig.StepConfig("near-dedup", Map.of()),
                new CurateConfig.StepConfig("pii", Map.of())));

        DocFiles.Read read = DocFiles.read(in, OnError.SKIP);
        Curator.Curated embedded = new Curator(config, f -> List.of()).run(read.docs(), null);
        Map<String, String> expected = new TreeMap<>();
        embedded.kept().forEach(d -> expected.put(d.id(), d.text()));
        long[] skipped = new long[1];
        SparkCurator.Result distributed = SparkCurator.run(sc, SparkCurator.readJsonl(sc, in.toString(), "text", OnError.SKIP, skipped), config, f -> List.of());
        Map<String, String> actual = new TreeMap<>();
        distributed.kept().collect().forEach(d -> actual.put(d.id(), d.text()));

        assertThat(read.docs()).extracting(Doc::id).contains("damaged.jsonl#1", "d1").doesNotHaveDuplicates();
        assertThat(read.docs().get(0).text()).isEqualTo(texts.get(0)); // the byte-order mark is not part of the first record
        java.util.Set<String> seen = new java.util.HashSet<>();
        long duplicateIds = java.util.stream.IntStream.range(0, texts.size()).filter(i -> i % 3 != 0 && !seen.add("d" + (i % 50))).count();
        assertThat(skipped[0]).isEqualTo(read.skipped()).isEqualTo(3 + duplicateIds);
        assertThat(actual).isEqualTo(expected);
        assertThat(distributed.funnel().get(distributed.funnel().size() - 1).out()).isEqualTo(embedded.reports().get(embedded.reports().size() - 1).out());

        String embeddedError = org.assertj.core.api.Assertions.catchThrowable(() -> DocFiles.read(in, OnError.FAIL)).getMessage();
        String sparkError = org.assertj.core.api.Assertions.catchThrowable(() -> SparkCurator.readJsonl(sc, in.toString(), "text", OnError.FAIL, new long[1])).getMessage();
        assertThat(sparkError).isEqualTo(embeddedError).contains("line 32");
    }
}
