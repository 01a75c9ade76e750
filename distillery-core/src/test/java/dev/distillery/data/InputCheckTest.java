package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputCheckTest {
    @Test
    void recordsWithoutALabelAreLeftOutOfScoringAndCounted() {
        Dataset data = Dataset.infer("test.jsonl", List.of(Example.text("a", "one", "x", "f"), Example.text("b", "two", null, "f"),
                Example.text("c", "three", "y", "f"), Example.text("d", "four", null, "f")), null);
        List<String> said = new ArrayList<>();
        Dataset scored = InputCheck.labeledOnly(data, "scored", said::add);
        assertThat(scored.examples()).extracting(Example::id).containsExactly("a", "c");
        assertThat(said).containsExactly("2 of 4 records of test.jsonl have no label and are not scored");

        said.clear();
        assertThat(InputCheck.labeledOnly(scored, "scored", said::add).size()).isEqualTo(2);
        assertThat(said).as("nothing left out, nothing said").isEmpty();
    }

    @Test
    void labelsThatDifferOnlyInCaseOrSpacesAreNamedTogether() {
        assertThat(InputCheck.lookAlikeLabels(List.of("ham", "spam", "spam ", "Spam", "Ham", "other"))).hasValueSatisfying(w ->
                assertThat(w).contains("'ham', 'Ham'; 'spam', 'spam ', 'Spam'").doesNotContain("other"));
        assertThat(InputCheck.lookAlikeLabels(List.of("a", "b", "ab"))).isEmpty();
    }
}
