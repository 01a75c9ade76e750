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
    }

    @Test
    void piiIsRedactedWithTypedPlaceholdersAndOnlyLuhnValidCardsCount() {
        PiiRedactor.Result r = PiiRedactor.redact("Mail jo.doe@example.com or call +1 415-555-0132; server 192.168.1.20, "
                + "card 4111 1111 1111 1111, order 1234 5678 9012 3456, see https://bob:hunter2@example.org/x and fe80:0:0:0:0:0:0:1");
        assertThat(r.text()).contains("Mail [EMAIL] or call [PHONE]; server [IP], card [CARD], order 1234 5678 9012 3456")
                .contains("https://[CREDENTIAL]@example.org/x").contains("and [IP]").doesNotContain("hunter2");
        assertThat(r.counts()).containsEntry(PiiRedactor.Kind.EMAIL, 1).containsEntry(PiiRedactor.Kind.CARD, 1)
                .containsEntry(PiiRedactor.Kind.IP, 2).containsEntry(PiiRedactor.Kind.CREDENTIAL, 1).containsEntry(PiiRedactor.Kind.PHONE, 1);
        assertThat(PiiRedactor.luhn("4111111111111111")).isTrue();
        assertThat(PiiRedactor.luhn("1234567890123456")).isFalse();
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
    }

    @Test
    void pipelineKeepsOtherFieldsAndReportsTheFunnel() throws Exception {
        Curator c = new Curator(CurateConfig.defaults(null), t -> List.of());
        List<Doc> docs = List.of(doc("1", "Contact me at a@b.com about the meeting on Tuesday afternoon please."),
                doc("2", "contact me at a@b.com about the meeting on tuesday afternoon please."), doc("3", "short"));
        Curator.Result r = c.run(docs, null);
        assertThat(ids(r.kept())).containsExactly("1");
        assertThat(r.kept().get(0).text()).contains("[EMAIL]");
        assertThat(r.kept().get(0).fields().get("label").asText()).isEqualTo("x");
        assertThat(r.reports()).extracting(StepReport::step).containsExactly("normalize", "exact-dedup", "near-dedup", "quality", "pii");
        assertThat(r.reports().get(1).removed()).isEqualTo(Map.of("exact duplicate", 1));
        Path out = dir.resolve("out.jsonl");
        DocFiles.write(r.kept(), out);
        assertThat(DocFiles.read(out, OnError.FAIL).docs().get(0).fields().get("label").asText()).isEqualTo("x");
    }
}
