package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvFormatTest {
    @TempDir
    Path dir;

    private Path file(String content) throws Exception {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void aColumnOfWordsWithADifferentValueOnEveryRecordIsAKeyNotACategory() throws Exception {
        StringBuilder unique = new StringBuilder("ref,region,age,label\n");
        for (int i = 0; i < 12; i++) {
            unique.append(String.format("ORD-2024-%05d,%s,%d,%s%n", i * 7, i % 3 == 0 ? "north" : "south", 20 + i, i % 2 == 0 ? "a" : "b"));
        }
        ReadResult r = CsvFormat.read(file(unique.toString()), OnError.FAIL);
        assertThat(r.dataset().schema().featureNames()).containsExactly("region=north", "region=south", "age");
        assertThat(r.dataset().get(1).id()).isEqualTo("ORD-2024-00007");
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("column 'ref'", "holds a different value on every record",
                "read as the records' id"));
        // one value repeated: a category, as before
        String repeated = unique.toString().replace("ORD-2024-00007", "ORD-2024-00000");
        assertThat(CsvFormat.read(file(repeated), OnError.FAIL).dataset().schema().featureNames()).contains("ref=ORD-2024-00000");
        // distinct phrases are no codes: a note's words, as before
        String notes = unique.toString().replaceAll("ORD-2024-(\\d+)", "seen on day $1");
        assertThat(CsvFormat.read(file(notes), OnError.FAIL).dataset().get(1).id()).isNotEqualTo("seen on day 00007");
    }

    @Test
    void readsQuotedTextWithCommasAndNewlines() throws Exception {
        Path f = file("id,label,text\nm1,spam,\"Buy now, \"\"cheap\"\"\nmulti-line\"\nm2,ham,hello\n");
        Dataset d = CsvFormat.read(f, OnError.FAIL).dataset();
        assertThat(d.size()).isEqualTo(2);
        assertThat(d.get(0).text()).isEqualTo("Buy now, \"cheap\"\nmulti-line");
        assertThat(d.get(1).label()).contains("ham");
    }

    @Test
    void aColumnOfRowNumbersIsTheRecordsIdNotAFeatureAsAPandasIndexIs() throws Exception {
        for (String header : new String[] {"", "Unnamed: 0", "row"}) {
            for (int first : new int[] {0, 1}) {
                StringBuilder csv = new StringBuilder(header + ",x,label\n");
                for (int r = 0; r < 12; r++) {
                    csv.append(first + r).append(',').append(r % 3).append(',').append(r < 6 ? "a" : "b").append('\n');
                }
                ReadResult read = CsvFormat.read(file(csv.toString()), OnError.FAIL);
                assertThat(read.dataset().schema().featureNames()).as("'%s' from %d", header, first).containsExactly("x");
                assertThat(read.dataset().get(2).id()).isEqualTo(Integer.toString(first + 2));
                assertThat(read.warnings()).anyMatch(w -> w.contains("holds each row's number"));
            }
        }
        // a gap, a repeat or too few rows: a column of numbers like any other
        String gap = "n,x,label\n" + java.util.stream.IntStream.range(0, 12).mapToObj(r -> (r == 5 ? 50 : r) + "," + r % 3 + ",a\n")
                .collect(java.util.stream.Collectors.joining());
        assertThat(CsvFormat.read(file(gap), OnError.FAIL).dataset().schema().featureNames()).containsExactly("n", "x");
        assertThat(CsvFormat.read(file("n,x,label\n0,1,a\n1,0,b\n2,1,a\n"), OnError.FAIL).dataset().schema().featureNames())
                .containsExactly("n", "x");
        // a few rows to predict, with their index, read for a model of x alone
        assertThat(CsvFormat.read(file(",x\n0,1\n1,0\n"), OnError.FAIL, List.of("x"), ColumnNames.DEFAULT).dataset().schema()
                .featureNames()).containsExactly("x");
    }

    @Test
    void readsNumericFeatureColumns() throws Exception {
        Dataset d = CsvFormat.read(file("x1,x2,label\n1.5,2,a\n3,-4e-1,b\n"), OnError.FAIL).dataset();
        assertThat(d.schema().kind()).isEqualTo(Schema.Kind.DENSE);
        assertThat(d.get(1).features()).containsExactly(3f, -0.4f);
        assertThat(d.get(0).id()).startsWith("line-");
    }

    @Test
    void aHeaderWithoutCommasButWithSemicolonsOrTabsSaysHowTheFileIsSeparated() throws Exception {
        // as spreadsheets in many European locales save CSV; a comma in a cell is then just a character
        Dataset semicolons = CsvFormat.read(file("\uFEFFid;text;label\nr1;\"Rechnung; bitte\";billing\nr2;Paket, nicht da;shipping\n"),
                OnError.FAIL).dataset();
        assertThat(semicolons.schema().kind()).isEqualTo(Schema.Kind.TEXT);
        assertThat(semicolons.examples()).extracting(Example::text).containsExactly("Rechnung; bitte", "Paket, nicht da");
        Dataset tabs = CsvFormat.read(file("x1\tx2\tlabel\n1.5\t2\ta\n"), OnError.FAIL).dataset();
        assertThat(tabs.examples().get(0).features()).containsExactly(1.5f, 2f);
        // those locales write decimals with a comma, as a category column's neighbours show ("-0,25" and ",5" too)
        Dataset decimals = CsvFormat.read(file("x1;x2;region;label\n1,5;-0,25;nord;a\n,5;2;süd;b\n"), OnError.FAIL).dataset();
        assertThat(decimals.get(0).features()).containsExactly(1.5f, -0.25f, 1f, 0f);
        assertThat(decimals.get(1).features()).containsExactly(0.5f, 2f, 0f, 1f);
        // points there group thousands ("1.250" is 1250, said), unless the column writes decimals with a point elsewhere
        ReadResult grouped = CsvFormat.read(file("betrag;gewicht;label\n1.250;2.5;a\n820,97;1.250;b\n12.000;3;a\n"), OnError.FAIL);
        assertThat(grouped.dataset().examples()).extracting(e -> e.features()[0]).containsExactly(1250f, 820.97f, 12000f);
        assertThat(grouped.dataset().examples()).extracting(e -> e.features()[1]).containsExactly(2.5f, 1.25f, 3f);
        assertThat(grouped.warnings()).anySatisfy(w -> assertThat(w).contains("column 'betrag'", "'1.250' as 1250"));
        // in a comma-separated file a quoted "1,5" is no number: said with the likely cause
        assertThatThrownBy(() -> CsvFormat.read(file("x1,x2,label\n\"1,5\",2,a\n"), OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("'1,5'").hasMessageContaining("decimal point, not a comma");
        assertThat(CsvFormat.rows(file("text\nsemi;colons;inside\n")).get(1).cells()).containsExactly("semi;colons;inside");
    }

    @Test
    void numbersWithCurrencySymbolsSeparatorsOrPercentSignsAreReadAndSaidOnceAColumnAndLabelsWithoutTheirSpaces() throws Exception {
        // as a bank's or a shop's export writes them; each column with such a cell is said once, with its first one
        ReadResult r = CsvFormat.read(file("age,income,utilization,label\n30,\"$32,611\",63%, repaid\n41,\"$1,200.50\",0.5,default \n"
                + "52,900,7%,repaid\n"), OnError.FAIL);
        assertThat(r.dataset().examples()).extracting(e -> e.features()[1]).containsExactly(32611f, 1200.5f, 900f);
        assertThat(r.dataset().examples()).extracting(e -> e.features()[2]).containsExactly(0.63f, 0.5f, 0.07f);
        assertThat(r.warnings()).hasSize(2).anySatisfy(w -> assertThat(w).contains("column 'income'", "'$32,611' as 32611"))
                .anySatisfy(w -> assertThat(w).contains("column 'utilization'", "'63%' as 0.63"));
        assertThat(r.dataset().examples()).extracting(e -> e.label().orElseThrow()).containsExactly("repaid", "default", "repaid");
        // files read for a model say nothing: the model was trained on the same kind of cells
        assertThat(CsvFormat.read(file("age,income,label\n30,\"$32,611\",a\n"), OnError.FAIL, List.of("age", "income"),
                ColumnNames.DEFAULT).warnings()).isEmpty();
    }

    @Test
    void aColumnOfManyDistinctWordsIsNotReadBesideOtherFeaturesAndAFileForAModelPassesOverWordsItHasNoFeatureOf() throws Exception {
        StringBuilder table = new StringBuilder("handle,age,label\n");
        StringBuilder alone = new StringBuilder("handle,label\n");
        for (int i = 0; i < 60; i++) { // customers' handles: more distinct values than categories may have
            String name = "Person" + (char) ('A' + i % 26) + " Surname" + (char) ('a' + i / 26);
            table.append(name).append(',').append(20 + i).append(',').append(i % 2 == 0 ? "yes" : "no").append('\n');
            alone.append(name).append(',').append(i % 2 == 0 ? "yes" : "no").append('\n');
        }
        ReadResult r = CsvFormat.read(file(table.toString()), OnError.FAIL);
        assertThat(r.dataset().schema().featureNames()).containsExactly("age");
        assertThat(r.warnings()).singleElement().asString().contains("column 'handle'", "more than 50 distinct values", "not read",
                "--text-column handle").doesNotContain("PersonA");
        // the file's only feature column: text under another name, refused with how to read it as text, as before
        assertThatThrownBy(() -> CsvFormat.read(file(alone.toString()), OnError.FAIL)).hasMessageContaining("--text-column handle");
        // which is what a command that resolves its columns first reads as the text (the reader alone refuses it)
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file(alone.toString())), ColumnNames.DEFAULT)).contains("handle");
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file(table.toString())), ColumnNames.DEFAULT)).as("beside 'age'").isEmpty();
        // a number among them: still mostly names, not read
        assertThat(CsvFormat.read(file(table + "42,30,yes\n"), OnError.FAIL).dataset().schema().featureNames()).containsExactly("age");

        // read for a model: a column of words it has no feature of is passed over (a few names would have been categories)
        ReadResult forModel = CsvFormat.read(file("name,age,note\nAnn Lee,30,vip\nBo Chan,41,new\n"), OnError.FAIL, List.of("age"),
                ColumnNames.DEFAULT);
        assertThat(forModel.dataset().schema().featureNames()).containsExactly("age");
        assertThat(forModel.warnings()).hasSize(2).anySatisfy(w -> assertThat(w).contains("column 'note'", "passed over"))
                .anySatisfy(w -> assertThat(w).contains("column 'name'", "personal data (person name)"));
        // one the model reads as categories is read so, whatever values this file holds
        ReadResult region = CsvFormat.read(file("region,age\nnorth,30\n"), OnError.FAIL, List.of("region=north", "region=south", "age"),
                ColumnNames.DEFAULT);
        assertThat(region.dataset().schema().featureNames()).containsExactly("region=north", "age");
        // however many values a file holds in it: a value the model does not know is then refused by name
        StringBuilder cities = new StringBuilder("city,age\n");
        for (int i = 0; i <= CsvFormat.MAX_CATEGORIES; i++) {
            cities.append("town").append((char) ('a' + i % 26)).append((char) ('a' + i / 26)).append(",3\n");
        }
        ReadResult manyCities = CsvFormat.read(file(cities.toString()), OnError.FAIL, List.of("city=townaa", "age"), ColumnNames.DEFAULT);
        assertThat(manyCities.dataset().schema().featureNames()).contains("city=townaa", "city=townba").hasSize(CsvFormat.MAX_CATEGORIES + 2);
    }

    @Test
    void aColumnMixingNumbersAndOtherValuesIsReadAsCategoriesOrNotAtAllButAFewTyposInNumbersAreRefused() throws Exception {
        // a loan table's dependents, "0" to "3+": few values, so categories; Titanic's tickets: many, so not read
        StringBuilder loans = new StringBuilder("income,dependents,ticket,label\n");
        for (int i = 0; i < 80; i++) {
            loans.append(3000 + 10 * i).append(',').append(i % 4 == 3 ? "3+" : String.valueOf(i % 4)).append(',')
                    .append(i % 3 == 0 ? "A/5 " + (21000 + i) : String.valueOf(113000 + i)).append(',').append(i % 2 == 0 ? "y" : "n")
                    .append('\n');
        }
        ReadResult r = CsvFormat.read(file(loans.toString()), OnError.FAIL);
        assertThat(r.dataset().schema().featureNames()).containsExactly("income", "dependents=0", "dependents=1", "dependents=2",
                "dependents=3+");
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("column 'ticket'", "not all of them numbers", "not read"));
        // two words among many numbers are typos: refused by line, as before
        StringBuilder typos = new StringBuilder("income,age,label\n");
        for (int i = 0; i < 80; i++) {
            typos.append(i == 7 || i == 40 ? "unknown" : String.valueOf(3000 + i)).append(',').append(20 + i % 50).append(",y\n");
        }
        assertThatThrownBy(() -> CsvFormat.read(file(typos.toString()), OnError.FAIL)).hasMessageContaining("line 9")
                .hasMessageContaining("('income') is 'unknown'");
        // values that would become feature names are checked for personal data, numbers among them or not
        StringBuilder contacts = new StringBuilder("income,contact,label\n");
        for (int i = 0; i < 20; i++) {
            contacts.append(3000 + i).append(',').append(i % 2 == 0 ? "12" : "ann" + i % 3 + "@example.com").append(",y\n");
        }
        ReadResult c = CsvFormat.read(file(contacts.toString()), OnError.FAIL);
        assertThat(c.dataset().schema().featureNames()).containsExactly("income");
        assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("column 'contact'", "personal data"));
    }

    @Test
    void wrongColumnCountNamesTheLine() throws Exception {
        Path f = file("x1,x2,label\n1,2,a\n1,2\n");
        assertThatThrownBy(() -> CsvFormat.read(f, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data.csv:line 3").hasMessageContaining("2 columns").hasMessageContaining("3 columns");
    }

    @Test
    void nonNumericFeatureIsSkippedAndCountedUnderSkipWhileAMissingValueIsReadAsMissing() throws Exception {
        ReadResult r = CsvFormat.read(file("x1,label\n1,a\nabc,a\nNaN,b\n2,b\n,a\nNA,b\n"), OnError.SKIP);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.skipReasons().get(0)).contains("line 3").contains("'abc'");
        assertThat(r.dataset().examples()).extracting(e -> e.features()[0]).containsExactly(1f, Float.NaN, 2f, Float.NaN, Float.NaN);
    }

    @Test
    void aTableIsWrittenBackByColumnWithCategoriesAsValuesAndAMissingValueAsAnEmptyCell() throws Exception {
        Dataset d = CsvFormat.read(file("x1,x2,region,label\n1.5,,north,a\n2,3,south,b\n"), OnError.FAIL).dataset();
        Path out = dir.resolve("out.csv");
        CsvFormat.write(d, out);
        assertThat(Files.readString(out)).startsWith("id,label,x1,x2,region\n").contains(",a,1.5,,north\n").doesNotContain("NaN");
        Dataset back = CsvFormat.read(out, OnError.FAIL).dataset();
        assertThat(back.schema().featureNames()).isEqualTo(d.schema().featureNames());
        assertThat(back.get(0).features()[1]).isNaN();
        assertThat(back.get(1).features()).containsExactly(d.get(1).features());
    }

    @Test
    void wordsUnderAnotherHeaderThanTextNameTheColumnAndSayHowToMakeATextFile() throws Exception {
        Path f = file("body,label\nwin a cruise,spam\n");
        assertThatThrownBy(() -> CsvFormat.read(f, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data.csv:line 2").hasMessageContaining("column 1 ('body') is 'win a cruise'")
                .hasMessageContaining("if it is the text to classify, --text-column body");
        // a passage is shown by its start and length: the error stays one readable line
        String passage = "The legislation continuing the use of food subsidies should be tied down to standards. ".repeat(10);
        assertThatThrownBy(() -> CsvFormat.read(file("body,label\n\"" + passage + "\",spam\n"), OnError.FAIL))
                .hasMessageContaining("column 1 ('body') is 'The legislation continuing the use of food subsidies should ...' ("
                        + passage.strip().length() + " characters)").hasMessageNotContaining("tied down");
        // A word in a column of numbers is a typo or a mix, named as such; no hint about text files.
        assertThatThrownBy(() -> CsvFormat.read(file("x1,class\n1,2\n1,c0\n"), OnError.FAIL))
                .hasMessageContaining("column 2 ('class') is 'c0'").hasMessageContaining("holds numbers on other lines")
                .hasMessageContaining("if it holds the labels, name it with --label-column class")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("--text-column"));
        // A text file's other columns are not read, and the reader says so (here, what was meant as the label).
        ReadResult categories = CsvFormat.read(file("id,text,category\na,win a cruise,spam\n"), OnError.FAIL);
        assertThat(categories.warnings()).singleElement().asString().contains("columns 'category'", "are not read");
        // A value that is a number but not finite is not text: no hint about text columns.
        assertThatThrownBy(() -> CsvFormat.read(file("x1,label\nInfinity,a\n"), OnError.FAIL))
                .hasMessageContaining("column 1 ('x1') is 'Infinity'").satisfies(e -> assertThat(e.getMessage()).doesNotContain("--text-column"));
    }

    @Test
    void theLabelAndTextColumnsMayHaveOtherNamesAndAMissingOneIsSaid() throws Exception {
        ColumnNames names = new ColumnNames("Sentiment", "review");
        ReadResult text = CsvFormat.read(file("id,review,sentiment\nr1,\"Love it\",pos\n"), OnError.FAIL, List.of(), names);
        assertThat(text.dataset().get(0).text()).isEqualTo("Love it");
        assertThat(text.dataset().get(0).label()).as("names match whatever their case").contains("pos");
        assertThat(text.warnings()).isEmpty();
        ReadResult table = CsvFormat.read(file("sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n"), OnError.FAIL, List.of(),
                new ColumnNames("species", null));
        assertThat(table.dataset().schema().featureNames()).containsExactly("sepal", "petal");
        assertThat(table.dataset().get(1).label()).contains("versicolor");
        ReadResult typo = CsvFormat.read(file("sepal,petal,species\n5.1,1.4,setosa\n"), OnError.FAIL, List.of(), new ColumnNames("specie", null));
        assertThat(typo.warnings()).anySatisfy(w -> assertThat(w).contains("has no column 'specie' (the label column)",
                "its columns: sepal, petal, species"));
        assertThatThrownBy(() -> new ColumnNames("body", "BODY")).hasMessageContaining("cannot be one column");
        assertThatThrownBy(() -> new ColumnNames("id", null)).hasMessageContaining("'id' names the records' id");
    }

    @Test
    void featureColumnsThatCannotBeToldApartByNameAreSaid() throws Exception {
        assertThat(CsvFormat.read(file("amount,amount,label\n1,2,a\n"), OnError.FAIL).warnings()).singleElement().asString()
                .contains("cannot be told apart by name ('amount' is repeated)", "reads later files by position");
        assertThat(CsvFormat.read(file("x,,label\n1,2,a\n"), OnError.FAIL).warnings()).singleElement().asString()
                .contains("column 2 has no name");
        assertThat(CsvFormat.read(file("x,y,label\n1,2,a\n"), OnError.FAIL).warnings()).isEmpty();
    }

    @Test
    void aColumnNamedAsAnIdentifierWithADistinctValuePerRecordIsTheIdNotAFeature() throws Exception {
        ReadResult r = CsvFormat.read(file("CustomerID,age,paid,label\n1001,30,1,a\n1002,45,0,b\n1003,33,1,a\n"), OnError.FAIL);
        assertThat(r.dataset().schema().featureNames()).containsExactly("age", "paid");
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("1001", "1002", "1003");
        assertThat(r.warnings()).singleElement().asString().contains("'CustomerID'", "names an identifier", "read as the records' id");
        // beside an 'id' column it is not read at all; with a repeated value it is no identifier but a feature
        ReadResult both = CsvFormat.read(file("id,order_id,x,label\na,7,1,a\nb,8,2,b\n"), OnError.FAIL);
        assertThat(both.dataset().schema().featureNames()).containsExactly("x");
        assertThat(both.dataset().get(0).id()).isEqualTo("a");
        assertThat(both.warnings()).singleElement().asString().contains("'order_id'", "not read");
        assertThat(CsvFormat.read(file("store_id,x,label\n1,1,a\n1,2,b\n2,3,a\n"), OnError.FAIL).dataset().schema().featureNames())
                .containsExactly("store_id", "x");
        // read for a model: one record suffices, and a model that reads such a column as a feature still gets it
        Path one = file("customer_id,age\n9001,25\n");
        assertThat(CsvFormat.read(one, OnError.FAIL, List.of("age"), ColumnNames.DEFAULT).dataset().get(0).id()).isEqualTo("9001");
        assertThat(CsvFormat.read(one, OnError.FAIL, List.of("customer_id", "age"), ColumnNames.DEFAULT).dataset().schema()
                .featureNames()).containsExactly("customer_id", "age");
        assertThat(List.of("customer_id", "Customer ID", "customerId", "CustomerID", "order-id", "ticket_no", "Invoice Number",
                "case_nr", "ItemNum", "Vorgangsnr", "Kundennummer", "Auftragsnr.", "order_uuid", "SessionGuid")).allMatch(CsvFormat::namesAnIdentifier);
        assertThat(List.of("paid", "valid", "id", "UUID", "idle_time", "piano", "number", "number_of_rooms", "Nummer", "Nr"))
                .noneMatch(CsvFormat::namesAnIdentifier);
    }

    @Test
    void aFilesRecordsKeepTheirIdsWhicheverColumnIsReadAsTheText() throws Exception {
        StringBuilder csv = new StringBuilder("case_nr,size,note,contact_id,label\n");
        for (int i = 0; i < 12; i++) {
            csv.append("C").append(100 + 3 * i).append(',').append(i % 4).append(",the screen went dark after lunch on day ")
                    .append(i).append(',').append("u").append(i).append("@example.com,").append(i % 2 == 0 ? "a" : "b").append('\n');
        }
        Path file = file(csv.toString());
        List<String> asTable = CsvFormat.read(file, OnError.FAIL).dataset().examples().stream().map(Example::id).toList();
        List<String> asText = CsvFormat.read(CsvFormat.csv(file), OnError.FAIL, List.of(), new ColumnNames("label", "note"), false)
                .dataset().examples().stream().map(Example::id).toList();
        assertThat(asTable).startsWith("C100", "C103");
        assertThat(asText).as("the case number, not an e-mail address, nor the line").isEqualTo(asTable);
        // pandas' index numbers a text file's rows as a table's
        StringBuilder indexed = new StringBuilder(",note,label\n");
        for (int i = 0; i < 12; i++) {
            indexed.append(i).append(",the screen went dark after lunch on day ").append(i).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
        }
        Path rows = file(indexed.toString());
        assertThat(CsvFormat.read(CsvFormat.csv(rows), OnError.FAIL, List.of(), new ColumnNames("label", "note"), false).dataset()
                .get(3).id()).isEqualTo("3");
    }

    @Test
    void aColumnOfDatesOrTimesIsNotReadAndSaidWhileADateAmongNumbersIsRefused() throws Exception {
        ReadResult r = CsvFormat.read(file("booked,at,day,amount,label\n2024-03-15,14:30,15.03.2024,10.5,a\n2024-03-16T09:00:00Z,9:05,"
                + "3/16/2024,12,b\n,NA,,7,a\n"), OnError.FAIL);
        assertThat(r.dataset().schema().featureNames()).containsExactly("amount");
        assertThat(r.dataset().get(1).features()).containsExactly(12f);
        assertThat(r.warnings()).hasSize(3).allSatisfy(w -> assertThat(w).contains("holds dates or times and is not read"));
        // read for a model (trained without them), the same columns are passed over without a word
        assertThat(CsvFormat.read(file("booked,amount\n2024-03-15,3\n"), OnError.FAIL, List.of("amount"), ColumnNames.DEFAULT)
                .warnings()).isEmpty();
        assertThatThrownBy(() -> CsvFormat.read(file("x,y,label\n1,2,a\n2024-03-15,3,b\n"), OnError.FAIL))
                .hasMessageContaining("line 3").hasMessageContaining("('x') is '2024-03-15'");
        assertThatThrownBy(() -> CsvFormat.read(file("x,y,label\n2024-03-15,2,a\n7,3,b\n"), OnError.FAIL))
                .hasMessageContaining("line 2").hasMessageContaining("('x') is '2024-03-15'");
        assertThat(CsvFormat.isDateOrTime("12.5")).isFalse();
        assertThat(CsvFormat.isDateOrTime("1,5")).isFalse();
        // as charting libraries, US spreadsheets and reports write them (Vega's seattle-weather.csv: 2012/01/01)
        for (String date : List.of("2012/01/01", "2012.1.31", "2024-03-15 14:30:00.250", "3/15/2024 2:30 PM", "2:30 pm", "15-Mar-2024",
                "15 March 2024", "Mar 15, 2024", "September 3 2021 09:15")) {
            assertThat(CsvFormat.isDateOrTime(date)).as(date).isTrue();
        }
        for (String other : List.of("2012/01-01", "May", "March", "Mar 15", "A-2024", "12.5.7.1", "1234/5678")) {
            assertThat(CsvFormat.isDateOrTime(other)).as(other).isFalse();
        }
    }

    @Test
    void aColumnOfWordsBesideOtherFeaturesIsReadAsCategoriesOneZeroOneFeatureEach() throws Exception {
        ReadResult r = CsvFormat.read(file("age,region,label\n30,north,a\n41,south,b\n50,,a\n29, north ,b\n"), OnError.FAIL);
        Dataset d = r.dataset();
        assertThat(d.schema().featureNames()).containsExactly("age", "region=north", "region=south");
        assertThat(d.get(0).features()).containsExactly(30f, 1f, 0f);
        assertThat(d.get(1).features()).containsExactly(41f, 0f, 1f);
        assertThat(d.get(2).features()).as("a missing category is none of them").containsExactly(50f, 0f, 0f);
        assertThat(d.get(3).features()).as("surrounding spaces are not part of a category").containsExactly(29f, 1f, 0f);
        assertThat(r.warnings()).singleElement().asString().contains("column 'region'", "holds categories", "north, south");
        // read for a model that knows the column's values, a file needs no word on them; a value it does not know is said
        Path later = file("age,region\n30,south\n");
        assertThat(CsvFormat.read(later, OnError.FAIL, d.schema().featureNames(), ColumnNames.DEFAULT).warnings()).isEmpty();
        assertThat(CsvFormat.read(later, OnError.FAIL, List.of("age", "region=north"), ColumnNames.DEFAULT).warnings()).singleElement().asString()
                .contains("column 'region'", "south");

        // more distinct words than categories have are not read (said so), nor is a column of free text beside them
        StringBuilder many = new StringBuilder("age,city,label\n");
        for (int i = 0; i <= CsvFormat.MAX_CATEGORIES; i++) {
            many.append(20 + i % 7).append(",town").append((char) ('a' + i % 26)).append((char) ('a' + i / 26)).append(",x\n");
        }
        ReadResult towns = CsvFormat.read(file(many.toString()), OnError.FAIL);
        assertThat(towns.dataset().schema().featureNames()).containsExactly("age");
        assertThat(towns.warnings()).singleElement().asString().contains("column 'city'", "not read");
        // (a bank's table with a note column was refused by line, with no way to train on the rest but editing the file)
        ReadResult noted = CsvFormat.read(file("age,note,label\n1,this customer called twice about the late fee,x\n"
                + "2,asked for a higher limit before the holidays,y\n"), OnError.FAIL);
        assertThat(noted.dataset().schema().featureNames()).containsExactly("age");
        assertThat(noted.warnings()).singleElement().asString().contains("column 'note'", "holds free text", "not read",
                "train, label issues, next and simulate with their default model read it as the text instead where it cross-validates better",
                "--text-column note");
        // the file's only column besides the label: text under another name, refused with how to read it as text
        assertThatThrownBy(() -> CsvFormat.read(file("note,label\nthis customer called twice about the late fee,x\n"),
                OnError.FAIL)).hasMessageContaining("('note') is 'this customer").hasMessageContaining("--text-column note");
    }

    @Test
    void aTablesOneColumnOfWordsBesideItsIdAndLabelsIsItsLoneWordsColumn() throws Exception {
        String words = "word,sentiment\nabandon,negative\nadore,positive\nawful,negative\n";
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file(words)), new ColumnNames("sentiment", null))).contains("word");
        // the label column unnamed: two columns of words, neither known to be the labels
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file(words)), ColumnNames.DEFAULT)).isEmpty();
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file("id,body\n1,the late fee again\n2,a higher limit\n")),
                ColumnNames.DEFAULT)).as("an id beside it").contains("body");
        // numbers, a named text column, another column to read, personal data: none
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file("age,label\n30,a\n41,b\n")), ColumnNames.DEFAULT)).isEmpty();
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file("text,label\nfine,a\nbad,b\n")), ColumnNames.DEFAULT)).isEmpty();
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file("word,age,label\nfine,3,a\nbad,4,b\n")), ColumnNames.DEFAULT)).isEmpty();
        assertThat(CsvFormat.loneWordsColumn(CsvFormat.csv(file("name,label\nAnna Kahn,a\nBen Ross,b\n")), ColumnNames.DEFAULT))
                .as("a person's name is no text read unasked").isEmpty();
    }

    @Test
    void aFileWithoutAHeaderLineIsSaidToLackOneNotReadByItsFirstRecord() throws Exception {
        // scikit-learn's digits.csv: rows of numbers only; the first was taken for column names and the error said no label
        assertThatThrownBy(() -> CsvFormat.read(file("0,0,5,13,0\n0,1,12,13,1\n"), OnError.SKIP)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data.csv:line 1: the header's cells are all numbers ('0', '0', '5', '13', ...)")
                .hasMessageContaining("the file seems to have no header line").hasMessageContaining("a first line naming each column");
        // its wine_data.csv: counts and class names above rows of 14 numbers
        assertThatThrownBy(() -> CsvFormat.read(file("178,13,class_0,class_1,class_2\n14.23,1.71,2.43,15.6,127,2.8,3.06,0.28,2.29,"
                + "5.64,1.04,3.92,1065,0\n"), OnError.SKIP)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("line 2: 14 columns").hasMessageContaining("line 1, which holds numbers among its names ('178', '13',")
                .hasMessageContaining("replace it with a line naming each of the 14 columns");
        // a header with years among its names is a header; a short row under it stays one bad record
        ReadResult years = CsvFormat.read(file("region,2019,2020,label\nnorth,1,2,a\nsouth,3\nsouth,3,4,b\n"), OnError.SKIP);
        assertThat(years.dataset().schema().featureNames()).contains("2019", "2020");
        assertThat(years.skipped()).isEqualTo(1);
    }

    @Test
    void tablesOfStatisticsPackagesAreReadSeparatedBySpacesAndQuotedBySingleQuotes() throws Exception {
        // statsmodels' spector.csv: single spaces, names in single quotes; read with commas it was one column of text
        Dataset spaces = CsvFormat.read(file("'OBS' 'GPA' 'TUCE' 'PSI' 'GRADE'\n1 2.66 20 0 0\n2 2.89 22 0 1\n"), OnError.FAIL,
                List.of(), new ColumnNames("GRADE", null)).dataset();
        assertThat(spaces.schema().featureNames()).containsExactly("OBS", "GPA", "TUCE", "PSI");
        assertThat(spaces.get(1).features()).containsExactly(2f, 2.89f, 22f, 0f);
        assertThat(spaces.get(1).label()).contains("1");
        // columns aligned by runs of spaces, a quoted cell with spaces inside
        Dataset aligned = CsvFormat.read(file("  x1    x2   region     label\n 1.5     2   \"north end\"  a\n  3   -0.4   south      b\n"),
                OnError.FAIL).dataset();
        assertThat(aligned.schema().featureNames()).containsExactly("x1", "x2", "region=north end", "region=south");
        assertThat(aligned.get(1).features()).containsExactly(3f, -0.4f, 0f, 1f);
        // statsmodels' anes96.csv: tabs, names in single quotes
        Dataset tabs = CsvFormat.read(file("'popul'\t'TVnews'\t'vote'\n0\t7\t1\n5\t1\t0\n"), OnError.FAIL, List.of(),
                new ColumnNames("vote", null)).dataset();
        assertThat(tabs.schema().featureNames()).containsExactly("popul", "TVnews");
        assertThat(tabs.get(0).label()).contains("1");
        // R's write.table: quoted names, and a row name before each row that the header has no column for
        Path rTable = file("\"sepal\" \"petal\" \"species\"\n" + java.util.stream.IntStream.rangeClosed(1, 12)
                .mapToObj(i -> "\"" + i + "\" " + (4 + i % 3) + ".1 1." + i % 7 + " \"" + (i % 2 == 0 ? "setosa" : "virginica") + "\"\n")
                .collect(java.util.stream.Collectors.joining()));
        ReadResult r = CsvFormat.read(rTable, OnError.FAIL, List.of(), new ColumnNames("species", null));
        assertThat(r.dataset().schema().featureNames()).containsExactly("sepal", "petal");
        assertThat(r.dataset().get(0).id()).as("the row names: each row's number, its id").isEqualTo("1");
        assertThat(r.dataset().get(0).features()).containsExactly(5.1f, 1.1f);
        assertThat(r.dataset().get(0).label()).contains("virginica");
        // a one-column text file whose header has a space stays one column, as does a header of one quoted name
        assertThat(CsvFormat.rows(file("review text\nthe food was cold\ngreat\n")).get(1).cells()).containsExactly("the food was cold");
        assertThat(CsvFormat.rows(file("text\nit's fine, mostly\n")).get(1).cells()).containsExactly("it's fine", " mostly");
    }

    @Test
    void excelsSeparatorLineNamesTheSeparatorAndIsNoHeader() throws Exception {
        ReadResult semicolons = CsvFormat.read(file("sep=;\nalter;einkommen;label\n35;1,5;ja\n41;2;nein\n"), OnError.FAIL);
        assertThat(semicolons.dataset().schema().featureNames()).containsExactly("alter", "einkommen");
        assertThat(semicolons.dataset().get(0).features()).containsExactly(35f, 1.5f);
        assertThat(semicolons.dataset().get(0).id()).isEqualTo("line-3");
        ReadResult commas = CsvFormat.read(file("SEP=,\nage,income,label\n35,2,a\n"), OnError.FAIL);
        assertThat(commas.dataset().schema().featureNames()).containsExactly("age", "income");
        // a report's title above the header: said so, not only "6 columns, expected 1"
        assertThatThrownBy(() -> CsvFormat.read(file("Customer report Q3\nage,income,label\n35,2,a\n"), OnError.FAIL))
                .hasMessageContaining("line 2: 3 columns").hasMessageContaining("line 1, which holds one cell ('Customer report Q3')")
                .hasMessageContaining("if it is a title above the header, remove it");
        assertThatThrownBy(() -> CsvFormat.read(file("Customer report Q3\nage,income,label\n35,2,a\n"), OnError.SKIP))
                .as("no policy skips every row of such a file").hasMessageContaining("if it is a title above the header");
        ReadResult texts = CsvFormat.read(file("text\nhello, world\ngood morning\n"), OnError.SKIP);
        assertThat(texts.skipped()).as("a text file's row with a stray comma is a bad record, as before").isEqualTo(1);
        assertThat(texts.dataset().size()).isEqualTo(1);
    }

    @Test
    void aSpreadsheetsEmptyColumnsAreNotReadAndTheOthersKeepTheirNames() throws Exception {
        // Excel writes "age,income,label,,," when cells right of the table were ever touched: once three unnamed
        // features of zeros, and a model that read later files by position because its columns had no names
        ReadResult r = CsvFormat.read(file("age,income,label,,,\n30,400,a,,,\n40,500,b,,,\n"), OnError.FAIL);
        assertThat(r.dataset().schema().featureNames()).containsExactly("age", "income");
        assertThat(r.dataset().get(1).features()).containsExactly(40f, 500f);
        assertThat(r.warnings()).singleElement().asString().contains("columns 4, 5, 6", "no name and no value", "not read");
        // a file read for the model, with or without them, is read by name
        assertThat(CsvFormat.read(file("income,age,,\n7,1,,\n"), OnError.FAIL, List.of("age", "income"), ColumnNames.DEFAULT)
                .dataset().get(0).features()).containsExactly(7f, 1f);
        // a formula's error values are missing values, said once a column; rows of empty cells are skipped, said
        ReadResult errors = CsvFormat.read(file("age,income,region,label\n30,#DIV/0!,north,a\n#N/A,#DIV/0!,#N/A,b\n50,7,south,a\n"
                + ",,,\n,,,\n"), OnError.FAIL);
        assertThat(errors.dataset().size()).isEqualTo(3);
        assertThat(errors.dataset().get(1).features()[0]).isNaN();
        assertThat(errors.dataset().get(1).features()).containsSequence(0f, 0f); // none of the regions
        assertThat(errors.warnings()).anySatisfy(w -> assertThat(w).contains("column 'income'", "spreadsheet errors",
                "'#DIV/0!' on line 2; 2 in all", "missing value")).anySatisfy(w -> assertThat(w).contains("column 'age'", "line 3"))
                .anySatisfy(w -> assertThat(w).contains("2 rows", "no value in any cell", "skipped"));
        // in the label column, a failed lookup's #N/A is no class: the record is unlabeled, said
        ReadResult labels = CsvFormat.read(file("age,label\n30,a\n40,#N/A\n50,b\n"), OnError.FAIL);
        assertThat(labels.dataset().schema().labels()).containsExactly("a", "b");
        assertThat(labels.dataset().get(1).hasLabel()).isFalse();
        assertThat(labels.warnings()).anySatisfy(w -> assertThat(w).contains("column 'label'", "'#N/A' on line 3",
                "an unlabeled record"));
        // an unnamed column with values is still read, and still keeps the names from serving
        assertThat(CsvFormat.read(file("age,,label\n30,1,a\n40,2,b\n"), OnError.FAIL).warnings())
                .anySatisfy(w -> assertThat(w).contains("cannot be told apart by name", "column 2 has no name"));
    }

    @Test
    void aColumnOfPeoplesNamesIsNotReadSoNoModelKeepsThemAsFeatureNames() throws Exception {
        // few enough distinct names to be categories: by its header alone, and by its values under any header
        StringBuilder byHeader = new StringBuilder("age,Last Name,region,label\n");
        StringBuilder byValues = new StringBuilder("age,customer,region,label\n");
        String[] names = {"Anna Kahn", "Kahn, Mrs. Ben", "Jürgen Ross", "Carl Meyer"};
        for (int i = 0; i < 8; i++) {
            byHeader.append(20 + i).append(",Stone").append((char) ('a' + i % 3)).append(",north,a\n");
            byValues.append(20 + i).append(",\"").append(names[i % names.length]).append("\",south,b\n");
        }
        for (StringBuilder csv : List.of(byHeader, byValues)) {
            ReadResult r = CsvFormat.read(file(csv.toString()), OnError.FAIL);
            assertThat(r.dataset().schema().featureNames()).as(csv.substring(0, 20)).containsExactly("age", "region=" + r.dataset()
                    .schema().featureNames().get(1).substring("region=".length()));
            assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("holds personal data (person name)", "is not read"));
            assertThat(String.join(" ", r.warnings())).doesNotContain("Kahn", "Stonea");
        }
        // the only column beside the label: the refusal names it
        assertThatThrownBy(() -> CsvFormat.read(file("name,label\nAnna Kahn,a\nBen Ross,b\n"), OnError.FAIL))
                .hasMessageContaining("'name' holds personal data (person name), not read; if it is the text to classify, name it"
                        + " with --text-column").hasMessageNotContaining("Kahn");
        // a header of a thing's name, or cities named after people, stay categories
        ReadResult products = CsvFormat.read(file("age,product_name,city,label\n1,Gold Card,San Jose,a\n2,Basic,Saint Paul,b\n"
                + "3,Gold Card,New York,a\n"), OnError.FAIL);
        assertThat(products.dataset().schema().featureNames()).contains("product_name=Gold Card", "city=San Jose");
        // a name header over codes with digits is no person's name
        ReadResult codes = CsvFormat.read(file("age,name,label\n1,Plan A2,a\n2,Plan B7,b\n"), OnError.FAIL);
        assertThat(codes.dataset().schema().featureNames()).contains("name=Plan A2");
    }

    @Test
    void aColumnOfPersonalDataIsNotReadAndSaysSoSoNoModelKeepsItsValues() throws Exception {
        // a few addresses, which would have been categories and so a model's feature names
        ReadResult few = CsvFormat.read(file("age,email,region,label\n30,ann@example.com,north,a\n41,bob@example.org,south,b\n"
                + "50,ann@example.com,north,a\n"), OnError.FAIL);
        assertThat(few.dataset().schema().featureNames()).containsExactly("age", "region=north", "region=south");
        assertThat(few.dataset().get(1).features()).containsExactly(41f, 0f, 1f);
        assertThat(few.warnings()).anySatisfy(w -> assertThat(w).contains("column 'email'", "holds personal data (email)",
                "is not read"));
        assertThat(String.join(" ", few.warnings())).doesNotContain("@example");
        // one address a customer, as many as rows: refused as words before, not read now
        StringBuilder many = new StringBuilder("age,phone,label\n");
        for (int i = 0; i < 60; i++) {
            many.append(20 + i).append(",+44 20 7946 0").append(100 + i).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
        }
        ReadResult phones = CsvFormat.read(file(many.toString()), OnError.FAIL);
        assertThat(phones.dataset().size()).isEqualTo(60);
        assertThat(phones.dataset().schema().featureNames()).containsExactly("age");
        assertThat(phones.warnings()).singleElement().asString().contains("column 'phone'", "(phone)");
    }

    @Test
    void lineNumbersCountFromTheRecordStartAcrossMultiLineCells() throws Exception {
        Path f = file("id,label,text\na,x,\"one\ntwo\nthree\"\nb,y\n");
        assertThatThrownBy(() -> CsvFormat.read(f, OnError.FAIL)).hasMessageContaining("data.csv:line 5");
    }

    @Test
    void brokenQuoteIsAnErrorEvenUnderSkip() throws Exception {
        Path f = file("id,label,text\na,x,\"never closed\nb,y,z\n");
        assertThatThrownBy(() -> CsvFormat.read(f, OnError.SKIP)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("malformed CSV").hasMessageContaining("data.csv:line 2");
    }

    @Test
    void brokenQuoteNamesTheLineItsRecordStartsOn() throws Exception {
        // The quote opened on line 3 is never closed; the parser only notices at the end of the file (line 5).
        Path f = file("text,label\nhello world,a\n\"unterminated,b\nfoo,c\n");
        assertThatThrownBy(() -> CsvFormat.read(f, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data.csv:line 3").hasMessageContaining("runs on to line 5");
    }

    @Test
    void headerWithoutUsableColumnsIsAnError() throws Exception {
        assertThatThrownBy(() -> CsvFormat.read(file("id,label\n1,a\n"), OnError.FAIL))
                .hasMessageContaining("neither a text column nor feature columns");
    }

    @Test
    void writeThenReadRoundTripsText() throws Exception {
        Dataset d = Dataset.infer("x", List.of(Example.text("a", "x, \"y\"\nz", "l1", ""), Example.text("b", "w", "l2", "")), null);
        Path f = dir.resolve("out.csv");
        CsvFormat.write(d, f);
        Dataset back = CsvFormat.read(f, OnError.FAIL).dataset();
        assertThat(back.get(0).text()).isEqualTo("x, \"y\"\nz");
        assertThat(back.get(1).id()).isEqualTo("b");
    }
}
