package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArffFormatTest {
    @TempDir
    Path dir;

    private static final ColumnNames CLASS = new ColumnNames("class", null);

    private Path file(String content) throws Exception {
        return Files.writeString(dir.resolve("data.arff"), content);
    }

    @Test
    void readsWekasHeaderQuotingMissingValuesAndSparseRows() throws Exception {
        Path f = file("""
                % Weka's own example, edited
                @RELATION 'iris, edited'

                @ATTRIBUTE 'sepal length' REAL
                @attribute petalwidth numeric % a comment after the type
                @attribute kind {a, 'b c', "d"}
                @attribute class {Iris-setosa,Iris-versicolor}

                @DATA
                5.1,0.2,a,Iris-setosa
                4.9 0.3 'b c' Iris-versicolor
                ?,1.5,?,Iris-setosa % missing values
                {0 6.5, 3 Iris-versicolor}
                {1 2.5}
                """);
        ReadResult read = DataFiles.read(f, OnError.FAIL, CLASS);
        Dataset d = read.dataset();
        // a nominal attribute is read as every table's categories are: the values its rows hold ('d' is in none)
        assertThat(d.schema().featureNames()).containsExactly("sepal length", "petalwidth", "kind=a", "kind=b c");
        assertThat(d.size()).isEqualTo(5);
        assertThat(d.get(0).features()).containsExactly(5.1f, 0.2f, 1f, 0f);
        assertThat(d.get(1).features()).containsExactly(4.9f, 0.3f, 0f, 1f);
        assertThat(d.get(1).label()).contains("Iris-versicolor");
        assertThat(d.get(2).features()[1]).isEqualTo(1.5f);
        assertThat(d.get(2).features()).endsWith(0f, 0f); // no category where it is missing
        // sparse rows: the values left out are zeros, a nominal attribute's zero its first value
        assertThat(d.get(3).features()).containsExactly(6.5f, 0f, 1f, 0f);
        assertThat(d.get(3).label()).contains("Iris-versicolor");
        assertThat(d.get(4).features()).containsExactly(0f, 2.5f, 1f, 0f);
        assertThat(d.get(4).label()).contains("Iris-setosa");
        assertThat(read.recordLines()).containsExactly(10, 11, 12, 13, 14);
    }

    @Test
    void aDeclaredNominalAttributeIsReadAsCategoriesWithoutAWordWhileAStringOneFoundToHoldThemIsSaid() throws Exception {
        Path f = file("@relation r\n@attribute housing {own, rent, 'for free'}\n@attribute city string\n"
                + "@attribute x numeric\n@attribute class {good, bad}\n@data\n"
                + "own,Oslo,1,good\nrent,Bergen,2,bad\n'for free',Oslo,3,good\nown,Bergen,4,bad\n");
        ReadResult read = DataFiles.read(f, OnError.FAIL, CLASS);
        assertThat(read.dataset().schema().featureNames()).contains("housing=own", "housing=rent", "city=Oslo", "x");
        // the file declared housing's values: reading them as categories is what it asked for
        assertThat(read.warnings()).noneMatch(w -> w.contains("'housing'"));
        assertThat(read.warnings()).anySatisfy(w -> assertThat(w).contains("column 'city'", "holds categories"));
    }

    @Test
    void aStringAttributeNamedTextIsTheTextWithWekasEscapesRead() throws Exception {
        Path f = file("@relation reuters\n@attribute Text string\n@attribute class-att {0,1}\n@data\n"
                + "'BOND CORP\\nAtlas\\' talks, \"quoted\"',0\n\"second, text\",1\n");
        Dataset d = DataFiles.read(f, OnError.FAIL, new ColumnNames("class-att", null)).dataset();
        assertThat(d.get(0).text()).isEqualTo("BOND CORP\nAtlas' talks, \"quoted\"");
        assertThat(d.get(1).text()).isEqualTo("second, text");
        assertThat(d.get(1).label()).contains("1");
    }

    @Test
    void aRowThatBreaksTheDeclarationsIsABadRecordNamingItsLine() throws Exception {
        Path f = file("""
                @relation r
                @attribute x numeric
                @attribute kind {a,b}
                @attribute class {yes,no}
                @data
                1,a,yes
                one,a,no
                2,e,no
                3,a
                {2 no, 0 1}
                {0 1, 5 no}
                4,'a,no
                5,a,no,{2}
                6,b,no
                """);
        ReadResult read = DataFiles.read(f, OnError.SKIP, CLASS);
        assertThat(read.dataset().size()).isEqualTo(2);
        assertThat(read.skipped()).isEqualTo(7);
        assertThat(String.join("\n", read.skipReasons())).contains(
                "line 7: 'one' under numeric attribute 'x' (expected a number, or ? where it is missing)",
                "line 8: 'e' under nominal attribute 'kind' (expected one of its declared values: a, b; or ? where it is missing)",
                "line 9: 2 values (expected 3 values, one for each @attribute)",
                "line 10: index 0 after index 2",
                "line 11: '5' as a sparse row's index (expected an attribute index from 0 to 2)",
                "line 12: a value opened with ' and not closed",
                "line 13: a value in braces after the row's values (an instance weight)");
        assertThatThrownBy(() -> DataFiles.read(f, OnError.FAIL, CLASS)).isInstanceOf(BadRecordException.class)
                .hasMessageContaining(f + ":line 7");
    }

    @Test
    void aHeaderThatCannotBeReadFailsTheFileAtItsLine() throws Exception {
        String[][] cases = {
                {"@relation r\n@attribute when timestamp\n@data\n1\n", ":line 2", "attribute 'when' of type 'timestamp'"},
                {"@relation r\n@attribute bag relational\n@end bag\n@data\n", ":line 2", "relational attribute 'bag'"},
                {"@relation r\n@attribute x numeric\n@attribute X {a}\n@data\n", ":line 3", "attribute 'X' is declared again (first on line 2)"},
                {"@relation r\n@attribute k {a,b\n@data\n", ":line 2", "have no closing }"},
                {"@relation r\n@attribute x numeric\n1,2\n", ":line 3", "'1' in the header"},
                {"@relation r\n@attribute x numeric\n", "data.arff", "no @data line"},
                {"@relation r\n@data\n1\n", ":line 2", "@data before any @attribute"},
                {"@relation r\n@attribute 'sepal length numeric\n@data\n", ":line 2", "a value opened with ' and not closed"}};
        for (String[] c : cases) {
            Path f = file(c[0]);
            assertThatThrownBy(() -> DataFiles.read(f, OnError.SKIP, CLASS)).as(c[0]).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining(c[1]).hasMessageContaining(c[2]);
        }
    }

    @Test
    void withoutLabelsTheColumnNamedAsLabelsAreIsNamedFirst() throws Exception {
        // Weka's files end with 'class', beside other columns of categories and few whole numbers
        Path f = file("@relation r\n@attribute rooms {1,2,3}\n@attribute housing {own,rent}\n@attribute class {good,bad}\n@data\n"
                + "1,own,good\n2,rent,bad\n3,own,good\n");
        Dataset d = DataFiles.read(f, OnError.FAIL).dataset();
        assertThat(d.examples()).allMatch(e -> e.label().isEmpty());
        assertThat(LikelyLabels.hint(d, "train")).startsWith(" ('class' is named as labels are: if it holds them, train with"
                + " --label-column class; 'rooms' (1, 2, 3) holds a few whole numbers and 'housing', 'class' were read as categories");
        // a column named 'label' read as a feature, because another was named as the labels' (the suthaharan sensor
        // readings trained with --label-column anomaly)
        Path sensor = Files.writeString(dir.resolve("sensor.csv"), "mote,humidity,label\n1,45.9,0\n2,46.1,1\n1,44.0,0\n");
        assertThat(LikelyLabels.hint(DataFiles.read(sensor, OnError.FAIL, new ColumnNames("anomaly", null)).dataset(), "train"))
                .startsWith(" ('label' is named as labels are: if it holds them, train with --label-column label; 'mote' (1, 2), 'label' (0, 1) hold");
        // where no column is named so, the hint is as it was: every candidate, none first
        Path g = Files.writeString(dir.resolve("g.arff"), "@relation r\n@attribute rooms {1,2,3}\n@attribute housing {own,rent}\n"
                + "@data\n1,own\n2,rent\n3,own\n");
        assertThat(LikelyLabels.hint(DataFiles.read(g, OnError.FAIL).dataset(), "train")).isEqualTo(" ('rooms' (1, 2, 3) holds a few"
                + " whole numbers and 'housing' was read as categories: if one holds the labels, train with --label-column NAME)");
    }

    @Test
    void attributesNamedByNumbersAreNamesNotAMissingHeader() throws Exception {
        // a CSV header of numbers is a headerless file's first row; an ARFF file declares its names apart from its rows
        Path f = file("@relation pixels\n@attribute 0 numeric\n@attribute 1 numeric\n@attribute class {a,b}\n@data\n"
                + "0,1,a\n1,0,b\n1,1,b\n");
        Dataset d = DataFiles.read(f, OnError.FAIL, CLASS).dataset();
        assertThat(d.schema().featureNames()).containsExactly("0", "1");
        assertThat(d.size()).isEqualTo(3);
    }

    @Test
    void aModelTrainedOnArffReadsLaterFilesByAttributeName() throws Exception {
        Path train = file("@relation r\n@attribute x numeric\n@attribute y numeric\n@attribute class {a,b}\n@data\n1,2,a\n3,4,b\n");
        Schema schema = DataFiles.read(train, OnError.FAIL, CLASS).dataset().schema();
        Path swapped = Files.writeString(dir.resolve("later.arff"),
                "@relation r\n@attribute class {a,b}\n@attribute y numeric\n@attribute x numeric\n@data\n?,20,10\n");
        Dataset d = DataFiles.readFor(swapped, OnError.FAIL, schema, CLASS).dataset();
        assertThat(d.get(0).label()).isEmpty();
        assertThat(InputCheck.conform(d, schema, InputCheck.Labels.IGNORED).get(0).features()).containsExactly(10f, 20f);
    }
}
