package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A schema is saved with every model: what it keeps, and that models saved before a field existed read the same. */
class SchemaJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fillValuesAndColumnNamesRoundTripAndDefaultsAreLeftOut() throws Exception {
        Schema plain = Schema.dense(List.of(2L), List.of("a", "b")).withFeatureNames(List.of("age", "income"));
        String saved = JSON.writeValueAsString(plain);
        assertThat(saved).doesNotContain("fill", "columns");
        assertThat(JSON.readValue(saved, Schema.class)).isEqualTo(plain);

        Schema kept = plain.withFill(Map.of("age", 41f)).withColumns(new ColumnNames("species", null));
        String json = JSON.writeValueAsString(kept);
        assertThat(json).contains("\"fill\":{\"age\":41.0}", "\"columns\":{\"label\":\"species\",\"text\":\"text\"}");
        Schema back = JSON.readValue(json, Schema.class);
        assertThat(back).isEqualTo(kept);
        assertThat(back.columns().label()).isEqualTo("species");
        assertThat(back.withLabels(List.of("a", "b", "c")).fill()).as("kept through a relabel").containsEntry("age", 41f);

        // a model saved before either existed
        Schema old = JSON.readValue("{\"kind\":\"DENSE\",\"featureShape\":[2],\"labels\":[\"a\",\"b\"]}", Schema.class);
        assertThat(old.fill()).isEmpty();
        assertThat(old.columns()).isEqualTo(ColumnNames.DEFAULT);
    }
}
