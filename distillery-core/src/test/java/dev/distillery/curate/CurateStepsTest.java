package dev.distillery.curate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.DataFormatException;
import dev.distillery.data.OnError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurateStepsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static Doc doc(String id, String text) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("text", text);
        o.put("label", "x");
        return new Doc(id, text, o);
    }

    static List<String> ids(List<Doc> docs) {
        return docs.stream().map(Doc::id).toList();
    }

    static String words(Random rng, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("w").append(rng.nextInt(5000)).append(' ');
        }
        return sb.toString().trim();
    }

    @Test
    void aFunnelWithNoRecordLeftNamesTheStepThatRemovedTheMostAndHowToLoosenIt() {
        List<StepReport> words = List.of(StepReport.of("normalize", 300, 300, 0, Map.of(), Map.of()),
                StepReport.of("exact-dedup", 300, 290, 0, Map.of("exact duplicate", 10L), Map.of()),
                StepReport.of("quality", 290, 0, 0, Map.of("fewer than 5 words", 280L, "too many symbols", 10L), Map.of()),
                StepReport.of("pii", 0, 0, 0, Map.of(), Map.of()));
        assertThat(CurateJob.table(words, 300, 0, 0)).contains("warning: no record is left: 'quality' removed 290, 280 of them"
                + " for 'fewer than 5 words'", "give --config a pipeline whose 'quality' step has looser options");
        List<StepReport> some = List.of(StepReport.of("quality", 290, 5, 0, Map.of("fewer than 5 words", 285L), Map.of()));
        assertThat(CurateJob.table(some, 290, 0, 5)).doesNotContain("warning");
    }

    @Test
    void normalizeFoldsCompatibilityFormsAndWhitespace() {
        assertThat(Normalize.text("ｆｕｌｌ\u00A0width\t\tand  ﬁne\r\n\n\n\nend\u0007")).isEqualTo("full width and fine\n\nend");
        StepReport r = new StepReport("normalize");
        List<Doc> out = new Normalize().apply(List.of(doc("a", "  \u0007 "), doc("b", "ok")), r);
        assertThat(ids(out)).containsExactly("b");
        assertThat(r.removed()).containsEntry("empty after normalization", 1);
    }

    @Test
    void exactDedupKeepsTheSmallestIdWhateverTheOrder() {
        List<Doc> docs = List.of(doc("c", "Hello   World"), doc("a", "hello world"), doc("b", "something else"));
        StepReport r = new StepReport("exact-dedup");
        assertThat(ids(new ExactDedup().apply(docs, r))).containsExactly("a", "b");
        assertThat(r.removed()).containsEntry("exact duplicate", 1);
    }

    @Test
    void nearDedupFindsPlantedNearDuplicatesAndNothingElse() {
        Random rng = new Random(3);
        List<Doc> docs = new ArrayList<>();
        List<String> bases = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String base = words(rng, 100);
            bases.add(base);
            docs.add(doc(String.format("d%03d", i), base));
        }
        // 20 near copies: one word of 100 changed (Jaccard of 5-gram sets about 0.9), and 20 distant edits (about 0.5).
        for (int i = 0; i < 20; i++) {
            String[] w = bases.get(i).split(" ");
            w[50] = "changed";
            docs.add(doc("near" + i, String.join(" ", w)));
            String[] far = bases.get(100 + i).split(" ");
            for (int k = 0; k < 100; k += 8) {
                far[k] = "x" + k;
            }
            docs.add(doc("far" + i, String.join(" ", far)));
        }
        NearDedup step = new NearDedup(0.8, 5, 128, 1);
        StepReport r = new StepReport("near-dedup");
        List<Doc> kept = step.apply(docs, r);
        assertThat(r.removed()).containsEntry("near duplicate", 20);
        assertThat(ids(kept)).noneMatch(id -> id.startsWith("near")).contains("far0", "far19");
        assertThat(step.lastPairs()).hasSize(20).allSatisfy(p -> {
            assertThat(p.b()).startsWith("near");
            assertThat(p.jaccard()).isBetween(0.8, 1.0);
        });
    }

    @Test
    void lshParametersFitTheThreshold() {
        int[] br = MinHash.bandsAndRows(0.8, 128, 50.0);
        assertThat(br[0] * br[1]).isLessThanOrEqualTo(128);
        double atThreshold = 1 - Math.pow(1 - Math.pow(0.8, br[1]), br[0]);
        double farBelow = 1 - Math.pow(1 - Math.pow(0.5, br[1]), br[0]);
        assertThat(atThreshold).isGreaterThan(0.95);
        assertThat(farBelow).isLessThan(0.15);
        assertThat(MinHash.jaccard(new long[] {1, 2, 3}, new long[] {2, 3, 4})).isEqualTo(0.5);
    }

    @Test
    void qualityRulesEachNameTheirReason() {
        QualityFilter f = new QualityFilter(QualityFilter.Rules.DEFAULT);
        assertThat(f.failure("too short")).isEqualTo("fewer than 5 words");
        assertThat(f.failure("12 345 6789 12 345 6789 12 345 6789 10")).startsWith("share of words with a letter");
        assertThat(f.failure("# # # # # # # # # # # # # # # # # # # # word")).isNotNull();
        assertThat(f.failure("spam spam spam spam spam spam spam spam spam spam spam spam")).startsWith("most frequent word 2-gram");
        assertThat(f.failure("line one here\nline one here\nline one here\nline one here\nother text")).startsWith("duplicate-line");
        assertThat(f.failure("A perfectly ordinary sentence about the weather in spring.")).isNull();
        // scripts written without spaces: each character a word, and no word length to judge
        assertThat(f.failure("少年十五二十时，步行夺得胡马骑。射杀山中白额虎，肯数邺下黄须儿。")).isNull();
        assertThat(f.failure("今日は良い天気ですね。散歩に行きましょう。")).isNull();
        assertThat(f.failure("我们用 GPT 模型做分类实验")).isNull();
        assertThat(f.failure("你好。")).isEqualTo("fewer than 5 words");
        assertThat(f.failure("spam spam spam spam spam spam spam spam spam spam spam 我")).as("the other rules still apply")
                .isEqualTo("most frequent word 2-gram covers more than 0.3");
        assertThat(f.failure("a b c d e f g 我")).isEqualTo("mean word length below 2.0");
    }

    @Test
    void piiIsRedactedWithTypedPlaceholdersAndOnlyLuhnValidCardsCount() {
        dev.distillery.data.PersonalData.Result r = dev.distillery.data.PersonalData.redact("Mail jo.doe@example.com or call +1 415-555-0132; server 192.168.1.20, "
                + "card 4111 1111 1111 1111, order 1234 5678 9012 3456, see https://bob:hunter2@example.org/x and fe80:0:0:0:0:0:0:1");
        assertThat(r.text()).contains("Mail [EMAIL] or call [PHONE]; server [IP], card [CARD], order 1234 5678 9012 3456")
                .contains("https://[CREDENTIAL]@example.org/x").contains("and [IP]").doesNotContain("hunter2");
        assertThat(r.counts()).containsEntry(dev.distillery.data.PersonalData.Kind.EMAIL, 1).containsEntry(dev.distillery.data.PersonalData.Kind.CARD, 1)
                .containsEntry(dev.distillery.data.PersonalData.Kind.IP, 2).containsEntry(dev.distillery.data.PersonalData.Kind.CREDENTIAL, 1).containsEntry(dev.distillery.data.PersonalData.Kind.PHONE, 1);
        assertThat(dev.distillery.data.PersonalData.luhn("4111111111111111")).isTrue();
        assertThat(dev.distillery.data.PersonalData.luhn("1234567890123456")).isFalse();
    }

    @Test
    void decontaminationDropsRepeatsOfTestRecordsButNotSharedBoilerplate() {
        String footer = "unsubscribe from this mailing list at the address below and read the list rules first please";
        String leaked = "the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat";
        List<String> test = List.of(leaked + " " + footer, "a different test message entirely about gardens " + footer,
                "yet another test message about the weather " + footer);
        Decontaminate d = new Decontaminate(test, 13, 0.5, 3);
        StepReport r = new StepReport("decontaminate");
        List<Doc> kept = d.apply(List.of(doc("leak", "The quick brown fox jumps over the lazy dog while the cat sleeps on the "
                        + "warm mat! More."),
                doc("template", "my own new message about something else that nobody has written " + footer),
                doc("clean", "the quick brown fox jumps over the lazy dog and then goes home")), r);
        assertThat(ids(kept)).containsExactly("template", "clean");
        assertThat(r.removed()).hasSize(1);
        assertThat(d.overlap("The quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat")).isEqualTo(1.0);
        // a Chinese test record has n-grams of 13 characters, not of clauses: its copy inside a longer text is found
        Decontaminate zh = new Decontaminate(List.of("射杀山中白额虎，肯数邺下黄须儿。一身转战三千里"), 13, 0.5, 3);
        assertThat(zh.overlap("少年十五二十时。射杀山中白额虎，肯数邺下黄须儿。一身转战三千里")).isGreaterThan(0.5);
        assertThat(zh.overlap("少年十五二十时，步行夺得胡马骑。汉兵奋迅如霹雳，虏骑奔腾畏蒺藜")).isZero();
    }

    @Test
    void configErrorsNameTheFileAndStep() throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "steps:\n  - normalize\n  - near-dedup: {threshhold: 0.9}\n");
        assertThatThrownBy(() -> CurateConfig.read(yaml)).hasMessageContaining(yaml + ", step 2 (near-dedup): unknown option 'threshhold'");
        Files.writeString(yaml, "steps:\n  - dedupe\n");
        assertThatThrownBy(() -> CurateConfig.read(yaml)).hasMessageContaining("unknown step 'dedupe'");
        Files.writeString(yaml, "steps:\n  - normalize\n  - near-dedup: {threshold: 0.7}\n");
        assertThat(CurateConfig.read(yaml).steps()).extracting(CurateConfig.StepConfig::name).containsExactly("normalize", "near-dedup");
    }

    @Test
    void malformedInputNamesTheLineOrIsSkippedAndCounted() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"id\":\"a\",\"text\":\"fine\"}\n{\"id\":\"b\"}\nnot json\n{\"id\":\"a\",\"text\":\"again\"}\n");
        assertThatThrownBy(() -> DocFiles.read(in, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(in + ":line 2").hasMessageContaining("no \"text\" string");
        DocFiles.Read r = DocFiles.read(in, OnError.SKIP);
        assertThat(r.skipped()).isEqualTo(3);
        assertThat(ids(r.docs())).containsExactly("a");

        Path csvNamedJsonl = dir.resolve("corpus.jsonl");
        Files.writeString(csvNamedJsonl, "text,label\nwrite to jane@example.com,a\n");
        assertThatThrownBy(() -> DocFiles.read(csvNamedJsonl, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(csvNamedJsonl + ":line 1").hasMessageContaining("or CSV from a file whose name ends in .csv")
                .hasMessageNotContaining("text,label");
        Path brokenJson = dir.resolve("broken.jsonl");
        Files.writeString(brokenJson, "{\"text\": oops}\n");
        assertThatThrownBy(() -> DocFiles.read(brokenJson, OnError.FAIL)).hasMessageContaining("malformed JSON");
        // the parser quotes the token it choked on, part of a record: not shown, in the error or in the skip report
        Files.writeString(brokenJson, "{\"text\": \"fine\"}\n{\"text\": jane.doe@example.com wrote}\n");
        assertThatThrownBy(() -> DocFiles.read(brokenJson, OnError.FAIL)).hasMessageContaining("line 2: malformed JSON: "
                + "Unrecognized token (not shown)").hasMessageNotContaining("jane");
        assertThat(DocFiles.read(brokenJson, OnError.SKIP).skipReasons()).singleElement().asString()
                .contains("Unrecognized token (not shown)").doesNotContain("jane");
        for (String array : List.of("[{\"text\": \"a\"}, {\"text\": \"b\"}]\n", "[\n  {\"text\": \"a\"}\n]\n")) {
            Path json = Files.writeString(dir.resolve("corpus.json"), array);
            assertThatThrownBy(() -> DocFiles.read(json, OnError.FAIL)).hasMessageContaining(json + ":line 1: a JSON array")
                    .hasMessageContaining("< FILE.json > FILE.jsonl");
        }
        Path answer = Files.writeString(dir.resolve("answer.json"), "{\n  \"data\": [\n    {\"text\": \"a\"}\n  ]\n}\n");
        assertThatThrownBy(() -> DocFiles.read(answer, OnError.FAIL)).hasMessageContaining(answer + ":line 1: one JSON object"
                + " written over several lines").hasMessageContaining("json.load(sys.stdin)['data']");
    }

    @Test
    void csvRecordsCarryTheirQuotedTextAndOtherColumnsAndBadOnesAreNamedOrCounted() throws Exception {
        Path csv = dir.resolve("tickets.csv");
        Files.writeString(csv, "ID,Text,label\n"
                + "t1,\"Refund please, the box was \"\"crushed\"\"\nand wet\",neg\n"
                + "t2,Mail me at jane@example.com about the refund,neg\n"
                + "\n"
                + ",A record without an id is named by its line,pos\n");
        DocFiles.Read r = DocFiles.read(csv, OnError.FAIL);
        assertThat(ids(r.docs())).containsExactly("t1", "t2", "tickets.csv#6");
        assertThat(r.docs().get(0).text()).isEqualTo("Refund please, the box was \"crushed\"\nand wet");
        assertThat(r.docs().get(0).fields().get("label").asText()).isEqualTo("neg");
        assertThat(r.docs().get(2).fields().has("id")).isFalse();

        Files.writeString(csv, "id,text\na,fine text\nb,too,many\nc,\"fine\nagain\"\nc,a duplicate id\n");
        assertThatThrownBy(() -> DocFiles.read(csv, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(csv + ":line 3").hasMessageContaining("3 columns, not 2 like the header");
        DocFiles.Read skipped = DocFiles.read(csv, OnError.SKIP);
        assertThat(ids(skipped.docs())).containsExactly("a", "c");
        assertThat(skipped.skipped()).isEqualTo(2);
        Files.writeString(csv, "id,text\na,fine text\nc,a duplicate id\nc,again\n");
        assertThatThrownBy(() -> DocFiles.read(csv, OnError.FAIL)).hasMessageContaining(csv + ":line 4").hasMessageContaining("duplicate id 'c'");

        Files.writeString(csv, "id,body\na,hello\n");
        assertThatThrownBy(() -> DocFiles.read(csv, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(csv + ":line 1").hasMessageContaining("no 'text' column (its columns: 'id', 'body')")
                .hasMessageContaining("--text-column");
    }

    @Test
    void aDirectoryOfDocumentsIsCuratedWithItsLabelsAndPathsAndItsUnreadableFilesCounted() throws Exception {
        Path mail = dir.resolve("mail");
        Files.createDirectories(mail.resolve("spam"));
        Files.createDirectories(mail.resolve("ham"));
        Files.writeString(mail.resolve("spam/1.txt"), "Win a free prize today, write to win@example.com for the details");
        Files.writeString(mail.resolve("spam/2.txt"), "Win a free prize today, write to win@example.com for the details");
        Files.writeString(mail.resolve("ham/3.txt"), "The meeting moves to Thursday at ten, in the usual room upstairs");
        Files.write(mail.resolve("ham/4.txt"), new byte[] {'a', 0, 'b', ' ', 'c'});
        CurateJob job = new CurateJob(new dev.distillery.run.RunStore(dir.resolve("runs")), null);
        assertThatThrownBy(() -> job.run(mail, "text", dir.resolve("out.jsonl"), CurateConfig.defaults(null), OnError.FAIL, null,
                List.of())).isInstanceOf(DataFormatException.class).hasMessageContaining("ham/4.txt").hasMessageContaining("NUL");
        CurateJob.Outcome o = job.run(mail, "text", dir.resolve("out.jsonl"), CurateConfig.defaults(null), OnError.SKIP, null,
                List.of());
        assertThat(o.skipped()).isEqualTo(1);
        List<String> lines = Files.readAllLines(dir.resolve("out.jsonl"));
        assertThat(lines).hasSize(2); // spam/2.txt repeats spam/1.txt
        com.fasterxml.jackson.databind.JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("id").asText()).isEqualTo("ham/3.txt");
        assertThat(first.get("label").asText()).isEqualTo("ham");
        com.fasterxml.jackson.databind.JsonNode second = JSON.readTree(lines.get(1));
        assertThat(second.get("id").asText()).isEqualTo("spam/1.txt");
        assertThat(second.get("text").asText()).contains("[EMAIL]").doesNotContain("win@example.com");
    }

    @Test
    void aTextInANestedObjectIsCleanedInItsPlaceAndNeverWrittenRaw() throws Exception {
        Path in = Files.writeString(dir.resolve("nested.jsonl"), "{\"id\": 1, \"content\": {\"body\": \"Write to anna.kahn@example.com"
                + " about the invoice today\", \"lang\": \"en\"}, \"label\": \"billing\"}\n");
        CurateJob job = new CurateJob(new dev.distillery.run.RunStore(dir.resolve("runs")), null);
        job.run(in, "content.body", dir.resolve("out.jsonl"), CurateConfig.defaults(null), OnError.FAIL, null, List.of());
        String out = Files.readString(dir.resolve("out.jsonl"));
        assertThat(out).doesNotContain("anna.kahn@example.com");
        com.fasterxml.jackson.databind.JsonNode record = JSON.readTree(out);
        assertThat(record.at("/content/body").asText()).isEqualTo("Write to [EMAIL] about the invoice today");
        assertThat(record.at("/content/lang").asText()).isEqualTo("en");
        assertThat(record.has("text")).isFalse();
        assertThat(record.has("content.body")).isFalse();
    }

    @Test
    void pythonsNaNPassesThroughAsStandardJson() throws Exception {
        Path in = Files.writeString(dir.resolve("py.jsonl"), "{\"text\": \"the invoice arrived twice this month\", \"amount\": NaN}\n");
        CurateJob job = new CurateJob(new dev.distillery.run.RunStore(dir.resolve("runs")), null);
        job.run(in, "text", dir.resolve("out.jsonl"), CurateConfig.defaults(null), OnError.FAIL, null, List.of());
        // a reader of standard JSON (no NaN token) reads the output
        assertThat(new ObjectMapper().readTree(Files.readString(dir.resolve("out.jsonl"))).get("amount").asText()).isEqualTo("NaN");
    }

    @Test
    void anOutputNamedGzIsWrittenCompressedAndReadBackAsTheSameRecords() throws Exception {
        Path in = Files.writeString(dir.resolve("in.jsonl"), "{\"id\":\"a\",\"text\":\"one two three four five six\"}\n"
                + "{\"id\":\"b\",\"text\":\"seven eight nine ten eleven twelve\"}\n");
        CurateJob job = new CurateJob(new dev.distillery.run.RunStore(dir.resolve("runs")), null);
        job.run(in, "text", dir.resolve("plain.jsonl"), CurateConfig.defaults(null), OnError.FAIL, null, List.of());
        job.run(in, "text", dir.resolve("packed.jsonl.gz"), CurateConfig.defaults(null), OnError.FAIL, null, List.of());
        byte[] packed = Files.readAllBytes(dir.resolve("packed.jsonl.gz"));
        assertThat(packed[0] & 0xFF).isEqualTo(0x1F);
        assertThat(new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(packed)).readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(Files.readString(dir.resolve("plain.jsonl")));
        assertThat(ids(DocFiles.read(dir.resolve("packed.jsonl.gz"), OnError.FAIL).docs())).containsExactly("a", "b");
    }

    @Test
    void jsonLinesFromASemicolonFileHoldItsNumbersAsThatFileReadsThem() throws Exception {
        String text = "Die Rechnung wurde zweimal abgebucht, bitte erstatten Sie den Betrag";
        Path in = Files.writeString(dir.resolve("tickets.csv"), "Vorgangsnr;Betrag;Gebühr;Note;Gewicht;text;label\n"
                + "20000;820,97;1.250,5;2,5;1.250;" + text + ";Rechnung\n"
                + "20001;12.000;3;1,0;2.5;Ganz andere Worte über die Lieferung, die heute nicht ankam;Lieferung\n");
        CurateJob job = new CurateJob(new dev.distillery.run.RunStore(dir.resolve("runs")), null);
        job.run(in, "text", dir.resolve("out.jsonl"), CurateConfig.defaults(null), OnError.FAIL, null, List.of());
        List<String> lines = Files.readAllLines(dir.resolve("out.jsonl"));
        com.fasterxml.jackson.databind.JsonNode out = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
        assertThat(out.get("Betrag").asText()).isEqualTo("820.97");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(1)).get("Betrag").asText())
                .as("points that group thousands").isEqualTo("12000");
        assertThat(out.get("Gewicht").asText()).as("a column that writes decimals with a point: 1.25").isEqualTo("1.250");
        assertThat(out.get("Gebühr").asText()).isEqualTo("1250.5");
        assertThat(out.get("Vorgangsnr").asText()).isEqualTo("20000");
        assertThat(out.get("text").asText()).isEqualTo(text);
        // the same file as CSV keeps its cells as they were
        job.run(in, "text", dir.resolve("out.csv"), CurateConfig.defaults(null), OnError.FAIL, null, List.of());
        assertThat(Files.readString(dir.resolve("out.csv"))).contains("20000;820,97;1.250,5;2,5;1.250;");
        // a comma-separated file's cells stay as they were
        Path commas = Files.writeString(dir.resolve("commas.csv"), "amount,text\n\"1,250\",\"" + text + "\"\n");
        job.run(commas, "text", dir.resolve("commas.jsonl"), CurateConfig.defaults(null), OnError.FAIL, null, List.of());
        assertThat(Files.readString(dir.resolve("commas.jsonl"))).contains("\"amount\":\"1,250\"");
    }

    @Test
    void theTextMayComeUnderAnotherKeyOrColumnAndIsWrittenBackUnderIt() throws Exception {
        Path csv = Files.writeString(dir.resolve("mail.csv"), "id,Body,label\na,hello there,x\n");
        Doc fromCsv = DocFiles.read(csv, OnError.FAIL, "body").docs().get(0);
        assertThat(fromCsv.text()).isEqualTo("hello there");
        assertThat(fromCsv.fields().has("Body")).isFalse();
        Files.writeString(csv, "id,body,text\na,hello there,also text\n");
        assertThatThrownBy(() -> DocFiles.read(csv, OnError.FAIL, "body")).hasMessageContaining("column name 'text' appears twice");

        Path jsonl = Files.writeString(dir.resolve("mail.jsonl"), "{\"id\": \"a\", \"body\": \"hello there\", \"label\": \"x\"}\n");
        assertThatThrownBy(() -> DocFiles.read(jsonl, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(jsonl + ":line 1: no \"text\" string (its keys: 'id', 'body', 'label'; name the one that"
                        + " holds the text with --text-column)");
        Doc fromJsonl = DocFiles.read(jsonl, OnError.FAIL, "body").docs().get(0);
        assertThat(fromJsonl.text()).isEqualTo("hello there");
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        DocFiles.write(fromJsonl.withText("hello"), written, "body");
        // in its place among the fields, so the curated file reads with the options the original took
        assertThat(written.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"a\",\"body\":\"hello\",\"label\":\"x\"}\n");
        String sentence = "The meeting about the new budget moves to Thursday afternoon in the large room upstairs.";
        Path mail = Files.writeString(dir.resolve("mail2.jsonl"), "{\"id\": \"a\", \"body\": \"" + sentence + "\", \"label\": \"x\"}\n");
        Path out = dir.resolve("out.jsonl");
        new CurateJob(new dev.distillery.run.RunStore(dir.resolve("runs")), null).run(mail, "body", out, CurateConfig.defaults(null),
                OnError.FAIL, null, List.of());
        assertThat(Files.readString(out)).isEqualTo("{\"id\":\"a\",\"body\":\"" + sentence + "\",\"label\":\"x\"}\n");
        assertThat(dev.distillery.data.DataFiles.read(out, OnError.FAIL, new dev.distillery.data.ColumnNames(null, "body")).dataset()
                .examples().get(0).text()).isEqualTo(sentence);
        Files.writeString(jsonl, "{\"id\": \"a\", \"body\": \"hello there\", \"text\": \"and this\"}\n");
        assertThatThrownBy(() -> DocFiles.read(jsonl, OnError.FAIL, "body")).hasMessageContaining("has a \"text\" field besides \"body\"");
    }

    @Test
    void pipelineKeepsOtherFieldsAndReportsTheFunnel() throws Exception {
        Curator c = new Curator(CurateConfig.defaults(null), t -> List.of());
        List<Doc> docs = List.of(doc("1", "Contact me at a@b.com about the meeting on Tuesday afternoon please."),
                doc("2", "contact me at a@b.com about the meeting on tuesday afternoon please."), doc("3", "short"));
        Curator.Curated r = c.run(docs, null);
        assertThat(ids(r.kept())).containsExactly("1");
        assertThat(r.kept().get(0).text()).contains("[EMAIL]");
        assertThat(r.kept().get(0).fields().get("label").asText()).isEqualTo("x");
        assertThat(r.reports()).extracting(StepReport::step).containsExactly("normalize", "exact-dedup", "near-dedup", "quality", "language",
                "pii");
        assertThat(r.reports().get(4).changes()).containsEntry("detected en", 1L);
        assertThat(r.reports().get(1).removed()).isEqualTo(Map.of("exact duplicate", 1));
        Path out = dir.resolve("out.jsonl");
        DocFiles.write(r.kept(), out);
        assertThat(DocFiles.read(out, OnError.FAIL).docs().get(0).fields().get("label").asText()).isEqualTo("x");
    }

    @Test
    void languageFilterKeepsTheConfiguredLanguagesAndNamesTheOthers() {
        LanguageFilter f = new LanguageFilter(List.of("en", "fr", "de"), List.of("en"), 1000);
        assertThat(f.detect("The committee will publish its annual report on the state of the railways next week.")).isEqualTo("en");
        assertThat(f.detect("Le comité publiera la semaine prochaine son rapport annuel sur l'état des chemins de fer.")).isEqualTo("fr");
        // 120 characters and more go to the fast (trigram) detector
        String longFrench = "Le comité publiera la semaine prochaine son rapport annuel sur l'état des chemins de fer, "
                + "avec les chiffres de fréquentation de toutes les lignes régionales.";
        assertThat(longFrench.length()).isGreaterThanOrEqualTo(LanguageFilter.LOW_ACCURACY_FROM);
        assertThat(f.detect(longFrench)).isEqualTo("fr");
        assertThat(f.detect("The committee will publish its annual report on the state of the railways next week, with the "
                + "passenger figures of every regional line and the plans for the coming winter timetable.")).isEqualTo("en");
        StepReport r = new StepReport("language");
        List<Doc> kept = f.apply(List.of(doc("en", "Please send me the invoice for last month's deliveries by Friday."),
                doc("de", "Bitte schicken Sie mir die Rechnung für die Lieferungen des letzten Monats bis Freitag."),
                doc("fr", "Merci de m'envoyer la facture des livraisons du mois dernier avant vendredi.")), r);
        assertThat(ids(kept)).containsExactly("en");
        assertThat(r.removed()).isEqualTo(Map.of("language de", 1, "language fr", 1));
        assertThat(r.changes()).isEqualTo(Map.of("detected en", 1L));
        assertThatThrownBy(() -> new LanguageFilter(List.of("en", "xx"), List.of(), 100)).hasMessageContaining("'xx'");
    }

    @Test
    void longTextsAreToldByTheirFirstLookOrReadWhole() {
        LanguageFilter f = new LanguageFilter(LanguageFilter.DEFAULT_CANDIDATES, List.of(), 1000);
        Map<String, String> texts = Map.of(
                "en", "The committee will publish its annual report on the state of the railways next week, with the passenger "
                        + "figures of every regional line, the plans for the coming winter timetable and a long list of the "
                        + "stations that are to be rebuilt over the next five years, beginning with the busiest of them.",
                "de", "Der Ausschuss veröffentlicht nächste Woche seinen Jahresbericht über den Zustand der Eisenbahn, mit den "
                        + "Fahrgastzahlen aller Regionallinien, den Plänen für den kommenden Winterfahrplan und einer langen "
                        + "Liste der Bahnhöfe, die in den nächsten fünf Jahren umgebaut werden sollen, beginnend mit den größten.",
                "fr", "Le comité publiera la semaine prochaine son rapport annuel sur l'état des chemins de fer, avec les chiffres "
                        + "de fréquentation de toutes les lignes régionales, les projets pour le prochain horaire d'hiver et une "
                        + "longue liste des gares qui seront reconstruites au cours des cinq prochaines années.",
                "es", "El comité publicará la próxima semana su informe anual sobre el estado de los ferrocarriles, con las cifras "
                        + "de pasajeros de todas las líneas regionales, los planes para el próximo horario de invierno y una larga "
                        + "lista de las estaciones que se reconstruirán en los próximos cinco años, empezando por las más concurridas.");
        texts.forEach((lang, text) -> {
            assertThat(text.length()).isGreaterThan(LanguageFilter.FIRST_LOOK);
            assertThat(f.detect(text)).as(lang).isEqualTo(lang);
        });
    }

    @Test
    void streamingAFileInSmallChunksKeepsWhatTheInMemoryRunKeeps() throws Exception {
        Random rng = new Random(5);
        List<Doc> docs = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            String text = i % 7 == 3 ? docs.get(i - 3).text() : i % 7 == 5 ? docs.get(i - 5).text().replaceFirst("w\\d+", "other")
                    : words(rng, 40) + (i % 11 == 0 ? " mail x" + i + "@example.org" : "");
            Doc d = doc(String.format("r%03d", (i * 7) % 300), text);
            docs.add(d);
            lines.append(d.fields()).append('\n');
        }
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, lines.toString());
        CurateConfig config = new CurateConfig(List.of(new CurateConfig.StepConfig("normalize", Map.of()),
                new CurateConfig.StepConfig("exact-dedup", Map.of()), new CurateConfig.StepConfig("near-dedup", Map.of()),
                new CurateConfig.StepConfig("quality", Map.of()), new CurateConfig.StepConfig("pii", Map.of())));
        Curator.Curated inMemory = new Curator(config, t -> List.of()).run(docs, null);

        Path csv = dir.resolve("in.csv");
        StringBuilder rows = new StringBuilder("id,text,label\n");
        docs.forEach(d -> rows.append(d.id()).append(',').append(d.text()).append(',').append(d.fields().get("label").asText()).append('\n'));
        Files.writeString(csv, rows.toString());
        List<Doc> fromCsv = new ArrayList<>();
        new Curator(config, t -> List.of()).chunkSize(16).run(DocFiles.source(csv, OnError.FAIL, DocFiles.TEXT), fromCsv::add, l -> { });
        assertThat(fromCsv).isEqualTo(inMemory.kept());

        List<Doc> streamed = new ArrayList<>();
        List<String> log = new ArrayList<>();
        Curator.Result r = new Curator(config, t -> List.of()).chunkSize(16).run(DocFiles.source(in, OnError.FAIL, DocFiles.TEXT), streamed::add, log::add);
        assertThat(ids(streamed)).isEqualTo(ids(inMemory.kept()));
        assertThat(streamed).extracting(Doc::text).isEqualTo(inMemory.kept().stream().map(Doc::text).toList());
        assertThat(r.in()).isEqualTo(300);
        assertThat(r.out()).isEqualTo(streamed.size()).isLessThan(300 - 2 * 40);
        assertThat(log).anyMatch(l -> l.startsWith("pass 3/3"));
        for (int i = 0; i < r.reports().size(); i++) {
            assertThat(r.reports().get(i).removed()).isEqualTo(inMemory.reports().get(i).removed());
            assertThat(r.reports().get(i).changes()).isEqualTo(inMemory.reports().get(i).changes());
            assertThat(r.reports().get(i).out()).isEqualTo(inMemory.reports().get(i).out());
        }
    }

    @Test
    void aBadLineLateInTheFileLeavesNoHalfWrittenOutput() throws Exception {
        StringBuilder lines = new StringBuilder();
        Random rng = new Random(1);
        for (int i = 0; i < 50; i++) {
            lines.append(JSON.createObjectNode().put("id", "d" + i).put("text", words(rng, 20))).append('\n');
        }
        lines.append("{\"id\": \"late\", \"text\": 42}\n");
        Path in = dir.resolve("late.jsonl");
        Files.writeString(in, lines.toString());
        Path out = dir.resolve("out.jsonl");
        CurateJob job = new CurateJob(new dev.distillery.run.RunStore(dir.resolve("runs")), null);
        assertThatThrownBy(() -> job.run(in, "text", out, CurateConfig.defaults(null), OnError.FAIL, null, List.of()))
                .hasStackTraceContaining(in + ":line 51").hasStackTraceContaining("\"text\" is number, not a string");
        assertThat(out).doesNotExist();
        assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
    }

    @Test
    void semanticDedupRemovesRewordedCopiesButNotRelatedTopics() {
        List<Doc> docs = List.of(
                doc("a1", "The quarterly budget meeting has been moved to Thursday afternoon at three o'clock."),
                doc("a2", "The quarterly budget meeting was moved to Thursday afternoon, 3 o'clock."),
                doc("b1", "Your parcel could not be delivered because nobody was at home; we will try again tomorrow."),
                doc("b2", "We could not deliver your parcel because nobody was home, and we will try again tomorrow."),
                doc("c", "The quarterly budget shows that travel costs rose by twelve percent compared with last year."),
                doc("d", "Please remember to water the plants in the office while I am on holiday next week."));
        StepReport r = new StepReport("semantic-dedup");
        List<Doc> kept = new SemanticDedup(0.9, 128, 1).apply(docs, r);
        assertThat(ids(kept)).containsExactly("a1", "b1", "c", "d");
        assertThat(r.removed()).isEqualTo(Map.of("semantic duplicate", 2));
        assertThat(r.changes()).isEqualTo(Map.of("semantic pairs verified", 2L));
    }
}
