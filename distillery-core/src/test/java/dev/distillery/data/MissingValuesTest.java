package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MissingValuesTest {
    @TempDir
    Path dir;

    private static final float NA = Float.NaN;

    private Dataset table(String content) throws Exception {
        Path f = dir.resolve("t" + content.hashCode() + ".csv");
        Files.writeString(f, content);
        return CsvFormat.read(f, OnError.FAIL).dataset();
    }

    @Test
    void trainingDataIsFilledWithEachColumnsMedianWhichTheSchemaKeepsForEveryNumericColumn() throws Exception {
        // age 20, 30, 90 and one missing: median 30 (an outlier does not move it, as a mean would); income even count
        Dataset train = table("age,income,region,label\n20,100,north,a\n,300,south,b\n30,,north,a\n90,200,,b\n,400,south,a\n");
        List<String> said = new ArrayList<>();
        Dataset filled = MissingValues.learn(train, said::add);
        assertThat(filled.schema().fill()).containsExactly(Map.entry("age", 30f), Map.entry("income", 250f));
        assertThat(filled.examples()).extracting(e -> e.features()[0]).containsExactly(20f, 30f, 30f, 90f, 30f);
        assertThat(filled.examples()).extracting(e -> e.features()[1]).containsExactly(100f, 300f, 250f, 200f, 400f);
        // the category column's missing value is none of its categories, as before: no fill value of its own
        assertThat(filled.get(3).features()).containsExactly(90f, 200f, 0f, 0f);
        assertThat(said).singleElement().asString().contains("3 of 5 records", "'age' in 2 (30)", "'income' in 1 (250)");
        assertThat(train.get(1).features()[0]).as("the data read stays as it was").isNaN();
    }

    @Test
    void aTableWithoutGapsStillKeepsFillValuesSoTheModelCanFillAGapLater() throws Exception {
        List<String> said = new ArrayList<>();
        Dataset filled = MissingValues.learn(table("x1,x2,label\n1,5,a\n2,6,b\n3,7,a\n"), said::add);
        assertThat(filled.schema().fill()).containsExactly(Map.entry("x1", 2f), Map.entry("x2", 6f));
        assertThat(said).isEmpty();
    }

    @Test
    void dataReadForAModelIsFilledWithTheModelsValuesByColumnNameWhateverItsOwnMediansAre() throws Exception {
        Schema model = MissingValues.learn(table("x1,x2,label\n1,10,a\n2,20,b\n3,30,a\n"), s -> { }).schema();
        // columns in another order, and a median of its own (100) that must not be used
        Dataset later = table("x2,x1,label\n,5,a\n100,,b\n100,7,a\n");
        List<String> said = new ArrayList<>();
        Dataset filled = MissingValues.fill(later, model, said::add);
        assertThat(filled.get(0).features()).containsExactly(20f, 5f);
        assertThat(filled.get(1).features()).containsExactly(100f, 2f);
        assertThat(said).singleElement().asString().contains("2 of 3 records", "the model's value", "'x2' in 1 (20)", "'x1' in 1 (2)");
        assertThat(InputCheck.conform(filled, model, InputCheck.Labels.MUST_BE_KNOWN).get(0).features()).containsExactly(5f, 20f);
    }

    @Test
    void aMissingValueAModelHasNoValueForIsAnErrorNamingTheRecordAndColumn() throws Exception {
        Schema old = table("x1,x2,label\n1,10,a\n2,20,b\n").schema(); // a model saved before fill values
        Dataset later = table("id,x1,x2,label\nr1,1,2,a\nr2,3,,b\n");
        assertThatThrownBy(() -> MissingValues.fill(later, old, s -> { })).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("record r2").hasMessageContaining("column 'x2' has no value")
                .hasMessageContaining("trained before missing values were filled in");
        // and the one check refuses any missing value that reached it unfilled
        assertThatThrownBy(() -> InputCheck.conform(later, old, InputCheck.Labels.MUST_BE_KNOWN))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("record r2").hasMessageContaining("'x2' has no value");
    }

    @Test
    void aColumnWithNoValueAnywhereIsReadAsZeroAndSaid() throws Exception {
        List<String> said = new ArrayList<>();
        Dataset filled = MissingValues.learn(table("x1,x2,label\n1,,a\n2,NA,b\n"), said::add);
        assertThat(filled.schema().fill()).containsEntry("x2", 0f);
        assertThat(filled.get(1).features()).containsExactly(2f, 0f);
        assertThat(said.get(0)).contains("'x2'", "no value in any record", "tells the model nothing");
    }

    @Test
    void imagesKeepFillValuesOnlyWhereAFeatureWasMissing() {
        Schema schema = Schema.dense(List.of(1L, 2L, 2L), List.of("a", "b"));
        Dataset images = new Dataset("img", schema, List.of(Example.dense("i1", new float[] {0, 1, NA, 1}, "a", ""),
                Example.dense("i2", new float[] {1, 1, 0.5f, 1}, "b", "")));
        Dataset filled = MissingValues.learn(images, s -> { });
        assertThat(filled.schema().fill()).containsExactly(Map.entry("f3", 0.5f));
        Dataset whole = new Dataset("img", schema, List.of(Example.dense("i1", new float[] {0, 1, 0, 1}, "a", "")));
        assertThat(MissingValues.learn(whole, s -> { })).isSameAs(whole);
    }

    @Test
    void jsonLinesReadNullAsMissingAndWriteItBack() throws Exception {
        Dataset train = table("x1,x2,label\n1,,a\n2,3,b\n");
        Path out = dir.resolve("split.jsonl");
        JsonlFormat.write(train, out);
        assertThat(Files.readString(out)).contains("[1.0,null]").doesNotContain("NaN");
        Dataset back = JsonlFormat.read(out, OnError.FAIL).dataset();
        assertThat(back.get(0).features()[1]).isNaN();
        assertThat(back.schema().featureNames()).containsExactly("x1", "x2");
    }
}
