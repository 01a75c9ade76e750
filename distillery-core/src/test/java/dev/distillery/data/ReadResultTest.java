package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReadResultTest {
    @Test
    void theSkippedReportCountsEveryRecordLeftOutAndShowsTheFirstReasons() {
        assertThat(ReadResult.skippedReport(0, List.of(), "a.jsonl")).isEmpty();
        assertThat(ReadResult.skippedReport(1, List.of("a.jsonl:line 2: malformed JSON"), null))
                .containsExactly("skipped 1 bad record:", "  a.jsonl:line 2: malformed JSON");
        List<String> reasons = IntStream.rangeClosed(1, 20).mapToObj(i -> "a.jsonl:line " + i + ": empty").toList();
        assertThat(ReadResult.skippedReport(1_234, reasons, null)).hasSize(7)
                .startsWith("skipped 1,234 bad records:", "  a.jsonl:line 1: empty").endsWith("  and 1,229 more");
        // a reader that counts without reasons names the input instead
        assertThat(ReadResult.skippedReport(3, List.of(), "corpus.jsonl")).containsExactly("skipped 3 bad records in corpus.jsonl");
    }
}
