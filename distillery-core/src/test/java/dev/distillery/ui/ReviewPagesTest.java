package dev.distillery.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReviewPagesTest {
    @Test
    void aTableRowIsShownByColumnAndAnImageAsAThumbnail() {
        Schema table = Schema.dense(List.of(4L), List.of("a", "b")).withFeatureNames(List.of("age", "income", "ratio", "years"));
        Example row = Example.dense("c1", new float[] {30, 41000.5f, 0.25f, 12}, "a", "loans.csv");
        // four numbers are a square count: they were drawn as a 2x2-pixel image
        assertThat(ReviewPages.preview(row, table)).isEqualTo("<div class=\"text\">age 30 · income 41000.5 · ratio 0.25 · years 12</div>");
        assertThat(ReviewPages.preview(row, Schema.dense(List.of(4L), List.of("a", "b")))).contains("f1 30 · f2 41000.5");
        // a category column as its value; a long row cut, and said to be
        Schema withRegion = Schema.dense(List.of(3L), List.of("a", "b")).withFeatureNames(List.of("age", "region=north", "region=south"));
        assertThat(ReviewPages.preview(Example.dense("c2", new float[] {41, 0, 1}, "b", "x"), withRegion)).contains("age 41 · region south<");
        assertThat(Schema.describeRow(List.of(), new float[25], 20)).startsWith("f1 0 · f2 0").endsWith("f20 0 · …");
        assertThat(Schema.describeRow(List.of(), new float[20], 20)).endsWith("f20 0");
        Schema image = Schema.dense(List.of(1L, 2L, 2L), List.of("a", "b"));
        assertThat(ReviewPages.preview(Example.dense("i1", new float[] {0, 1, 1, 0}, "a", "x"), image))
                .startsWith("<img class=\"thumb\"");
    }
}
