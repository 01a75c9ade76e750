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
        Schema image = Schema.dense(List.of(1L, 2L, 2L), List.of("a", "b"));
        assertThat(ReviewPages.preview(Example.dense("i1", new float[] {0, 1, 1, 0}, "a", "x"), image))
                .startsWith("<img class=\"thumb\"");
    }
}
