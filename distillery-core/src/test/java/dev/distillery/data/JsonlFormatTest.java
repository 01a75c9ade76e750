package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlFormatTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws Exception {
        Path f = dir.resolve("data.jsonl");
        Files.write(f, List.of(lines));
        return f;
    }

    @Test
    void mongoExportsTypedValuesAreReadAsTheValuesTheyHold() throws Exception {
        StringBuilder rows = new StringBuilder();
        StringBuilder texts = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            String oid = String.format("{\"$oid\": \"65a1%020d\"}", i);
            rows.append(String.format("{\"_id\": %s, \"age\": %d, \"income\": {\"$numberLong\": \"%d\"}, \"label\": \"%s\","
                    + " \"seen\": {\"$date\": \"2024-01-01T10:00:00Z\"}}%n", oid, 20 + i, 1000 * i, i % 2 == 0 ? "a" : "b"));
            texts.append(String.format("{\"_id\": %s, \"text\": \"review %d\", \"label\": \"%s\"}%n", oid, i, i % 2 == 0 ? "a" : "b"));
        }
        ReadResult table = DataFiles.read(java.nio.file.Files.writeString(dir.resolve("mongo.jsonl"), rows), OnError.FAIL);
        assertThat(table.dataset().schema().featureNames()).containsExactly("age", "income"); // the date: not read, said
        assertThat(table.warnings()).anySatisfy(w -> assertThat(w).contains("column 'seen'", "dates or times"));
        assertThat(table.dataset().get(3).id()).isEqualTo("65a100000000000000000003");
        assertThat(table.dataset().get(3).features()[1]).isEqualTo(3000f);
        Dataset text = DataFiles.read(java.nio.file.Files.writeString(dir.resolve("mongo-text.jsonl"), texts), OnError.FAIL).dataset();
        assertThat(text.get(1).id()).isEqualTo("65a100000000000000000001");
    }

    @Test
    void recordsInAnArrayDeeperInTheAnswerAreReadAndSearchHitsAsTheirDocuments() throws Exception {
        String docs = "[{\"text\": \"great film\", \"label\": \"pos\"}, {\"text\": \"awful film\", \"label\": \"neg\"}]";
        java.nio.file.Path solr = java.nio.file.Files.writeString(dir.resolve("solr.json"),
                "{\"responseHeader\": {\"status\": 0, \"params\": {\"q\": \"*\"}}, \"response\": {\"numFound\": 2, \"docs\": " + docs + "}}");
        assertThat(DataFiles.read(solr, OnError.FAIL).dataset().examples()).extracting(Example::text)
                .containsExactly("great film", "awful film");
        java.nio.file.Path es = java.nio.file.Files.writeString(dir.resolve("es.json"), "{\"took\": 3, \"hits\": {\"total\":"
                + " {\"value\": 2}, \"hits\": [{\"_index\": \"reviews\", \"_id\": \"r1\", \"_source\": {\"text\": \"great film\","
                + " \"label\": \"pos\"}}, {\"_index\": \"reviews\", \"_id\": \"r2\", \"_source\": {\"text\": \"awful film\","
                + " \"label\": \"neg\"}}]}}");
        Dataset hits = DataFiles.read(es, OnError.FAIL).dataset();
        assertThat(hits.examples()).extracting(Example::id).containsExactly("r1", "r2");
        assertThat(hits.examples()).extracting(e -> e.label().orElseThrow()).containsExactly("pos", "neg");
        // elasticdump's output: a hit a line
        java.nio.file.Path dump = java.nio.file.Files.writeString(dir.resolve("dump.jsonl"), "{\"_index\": \"reviews\", \"_id\": \"r1\","
                + " \"_source\": {\"text\": \"great film\", \"label\": \"pos\"}}\n{\"_index\": \"reviews\", \"_id\": \"r2\","
                + " \"_source\": {\"text\": \"awful film\", \"label\": \"neg\"}}\n");
        assertThat(DataFiles.read(dump, OnError.FAIL).dataset().examples()).extracting(Example::id).containsExactly("r1", "r2");
    }

    @Test
    void pythonsNaNIsAMissingValueAndItsInfinityABadRecord() throws Exception {
        java.nio.file.Path table = java.nio.file.Files.writeString(dir.resolve("py.jsonl"), "{\"age\": NaN, \"income\": 3, \"label\": \"a\"}\n"
                + "{\"age\": 41, \"income\": 4, \"label\": NaN}\n{\"age\": 52, \"income\": 5, \"label\": \"b\"}\n");
        Dataset d = DataFiles.read(table, OnError.FAIL).dataset();
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.labeledCount()).isEqualTo(2);
        assertThat(d.get(0).features()[0]).isNaN(); // missing, as an empty cell: filled before a model reads it
        assertThat(d.get(0).features()[1]).isEqualTo(3f);
        java.nio.file.Path features = java.nio.file.Files.writeString(dir.resolve("features.jsonl"),
                "{\"features\": [1, NaN], \"label\": \"a\"}\n{\"features\": [2, 3], \"label\": \"b\"}\n");
        assertThat(DataFiles.read(features, OnError.FAIL).dataset().size()).isEqualTo(2);
        java.nio.file.Path overflow = java.nio.file.Files.writeString(dir.resolve("inf.jsonl"),
                "{\"age\": 30, \"income\": 3, \"label\": \"a\"}\n{\"age\": Infinity, \"income\": 4, \"label\": \"b\"}\n");
        assertThatThrownBy(() -> DataFiles.read(overflow, OnError.FAIL)).isInstanceOf(BadRecordException.class)
                .hasMessageContaining("line 2").hasMessageContaining("'Infinity'");
    }

    @Test
    void aTextInANestedObjectIsNamedByItsPath() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.writeString(dir.resolve("nested.jsonl"),
                "{\"id\": 1, \"content\": {\"body\": \"great film\", \"lang\": \"en\"}, \"meta\": {\"label\": \"pos\"}}\n");
        assertThatThrownBy(() -> DataFiles.read(f, OnError.FAIL)).hasMessageContaining("its keys of strings: content.body,"
                + " content.lang, meta.label; if 'content.body' holds the text, name it with --text-column content.body");
        Dataset d = DataFiles.read(f, OnError.FAIL, new ColumnNames("meta.label", "content.body")).dataset();
        assertThat(d.get(0).text()).isEqualTo("great film");
        assertThat(d.get(0).label()).contains("pos");
    }

    @Test
    void aDataFrameWrittenByColumnsIsReadByItsRows() throws Exception {
        // pandas' to_json() default, orient="index", orient="split" and to_dict("list"), each of the same three rows
        java.util.Map<String, String> files = java.util.Map.of(
                "columns.json", "{\"age\": {\"0\": 30, \"1\": 41, \"2\": 52}, \"label\": {\"0\": \"a\", \"1\": \"b\", \"2\": \"a\"}}",
                "index.json", "{\"0\": {\"age\": 30, \"label\": \"a\"}, \"1\": {\"age\": 41, \"label\": \"b\"},"
                        + " \"2\": {\"age\": 52, \"label\": \"a\"}}",
                "split.json", "{\"columns\": [\"age\", \"label\"], \"index\": [0, 1, 2], \"data\": [[30, \"a\"], [41, \"b\"], [52, \"a\"]]}",
                "lists.json", "{\n  \"age\": [30, 41, 52],\n  \"label\": [\"a\", \"b\", \"a\"]\n}\n");
        for (var file : files.entrySet()) {
            Dataset d = DataFiles.read(java.nio.file.Files.writeString(dir.resolve(file.getKey()), file.getValue()), OnError.FAIL).dataset();
            assertThat(d.size()).as(file.getKey()).isEqualTo(3);
            assertThat(d.examples()).as(file.getKey()).extracting(e -> e.features()[0]).containsExactly(30f, 41f, 52f);
            assertThat(d.examples()).as(file.getKey()).extracting(e -> e.label().orElseThrow()).containsExactly("a", "b", "a");
        }
        Dataset text = DataFiles.read(java.nio.file.Files.writeString(dir.resolve("text.json"),
                "{\"text\": {\"7\": \"great film\", \"9\": \"awful film\"}, \"label\": {\"7\": \"pos\", \"9\": \"neg\"}}"),
                OnError.FAIL).dataset();
        assertThat(text.examples()).extracting(Example::id).containsExactly("7", "9");
        assertThat(text.examples()).extracting(Example::text).containsExactly("great film", "awful film");
        // one record of features and their names stays one record
        Dataset one = DataFiles.read(java.nio.file.Files.writeString(dir.resolve("one.jsonl"),
                "{\"features\": [1, 2], \"feature_names\": [\"a\", \"b\"], \"label\": \"x\"}\n"), OnError.FAIL).dataset();
        assertThat(one.size()).isEqualTo(1);
    }

    @Test
    void aLabelStudioExportIsReadAsTheRecordsItsTasksStandFor() throws Exception {
        String choice = "\"result\": [{\"value\": {\"choices\": [\"%s\"]}, \"type\": \"choices\"}]";
        java.nio.file.Path export = java.nio.file.Files.writeString(dir.resolve("export.json"), "[\n"
                + "{\"id\": 7, \"data\": {\"text\": \"great product\"}, \"annotations\": [{" + String.format(choice, "Positive")
                + "}], \"predictions\": []},\n"
                + "{\"id\": 8, \"data\": {\"review\": \"broke at once\", \"ref_id\": \"r-8\"}, \"annotations\": ["
                + "{\"was_cancelled\": true, " + String.format(choice, "Positive") + "}, {" + String.format(choice, "Negative") + "}]},\n"
                + "{\"id\": 9, \"data\": {\"text\": \"not looked at yet\"}, \"annotations\": [], \"predictions\": []}\n]\n");
        Dataset d = DataFiles.read(export, OnError.FAIL).dataset();
        assertThat(d.examples()).extracting(Example::id).containsExactly("7", "r-8", "9");
        assertThat(d.examples()).extracting(Example::text).containsExactly("great product", "broke at once", "not looked at yet");
        assertThat(d.examples()).extracting(e -> e.label().orElse(null)).containsExactly("Positive", "Negative", null);

        java.nio.file.Path images = java.nio.file.Files.writeString(dir.resolve("images.json"),
                "[{\"id\": 1, \"data\": {\"image\": \"/data/upload/1/cat.jpg\"}, \"annotations\": []}]");
        assertThatThrownBy(() -> DataFiles.read(images, OnError.FAIL)).isInstanceOf(BadRecordException.class)
                .hasMessageContaining("an image task");
    }

    @Test
    void aGzipCompressedFileIsReadAsItsContentIs() throws Exception {
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "age,region,label\n30,north,a\n41,south,b\n");
        Path lines = file("{\"text\":\"free money\",\"label\":\"spam\"}", "{\"text\":\"meeting at noon\",\"label\":\"ham\"}");
        Path array = dir.resolve("a.json");
        Files.writeString(array, "[{\"text\":\"free money\",\"label\":\"spam\"}]");
        for (Path plain : List.of(csv, lines, array)) {
            Path gz = dir.resolve(plain.getFileName() + ".gz");
            try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
                out.write(Files.readAllBytes(plain));
            }
            Dataset expected = DataFiles.read(plain, OnError.FAIL).dataset();
            Dataset read = DataFiles.read(gz, OnError.FAIL).dataset();
            assertThat(read.schema().featureNames()).isEqualTo(expected.schema().featureNames());
            assertThat(read.examples()).extracting(Example::label).isEqualTo(expected.examples().stream().map(Example::label).toList());
            assertThat(read.examples()).extracting(e -> e.isText() ? e.text() : java.util.Arrays.toString(e.features()))
                    .isEqualTo(expected.examples().stream().map(e -> e.isText() ? e.text() : java.util.Arrays.toString(e.features())).toList());
        }
        Path cut = dir.resolve("cut.csv.gz");
        byte[] whole = Files.readAllBytes(dir.resolve("t.csv.gz"));
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 12));
        assertThatThrownBy(() -> DataFiles.read(cut, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("cut.csv.gz: its gzip-compressed data is damaged or cut short");
    }

    @Test
    void wholeNumberLabelsWrittenAsDecimalsAreTheSameClassesInEveryReader() throws Exception {
        // pandas writes a label column of 0 and 1 with a gap in it as 0.0 and 1.0: the model of the 0/1 file must take them
        Path records = file("{\"text\":\"a\",\"label\":1.0}", "{\"text\":\"b\",\"label\":\"0.0\"}", "{\"text\":\"c\",\"label\":-2}",
                "{\"text\":\"d\",\"label\":\"1.5\"}", "{\"text\":\"e\",\"label\":\" v2.0 \"}");
        assertThat(DataFiles.read(records, OnError.FAIL).dataset().examples()).extracting(e -> e.label().orElseThrow())
                .containsExactly("1", "0", "-2", "1.5", "v2.0");
        Path csv = dir.resolve("gaps.csv");
        Files.writeString(csv, "x,label\n1,1.0\n2,\n3,0.00\n");
        assertThat(DataFiles.read(csv, OnError.FAIL).dataset().examples()).extracting(e -> e.label().orElse(null))
                .containsExactly("1", null, "0");
    }

    @Test
    void aTableWrittenAsJsonRecordsIsReadAsTheSameTableAsCsvIs() throws Exception {
        // pandas' to_json(orient="records", lines=True); Spark leaves out a null value's key (line 3 lacks "income")
        Path records = file("{\"id\":\"r1\",\"age\":30,\"income\":\"$41,000\",\"region\":\"north\",\"label\":\"a\"}",
                "{\"id\":\"r2\",\"age\":40.5,\"income\":52000,\"region\":\"south\",\"label\":\"b\"}",
                "{\"id\":\"r3\",\"age\":null,\"region\":\"north\",\"label\":\"b\",\"owner\":true}",
                "", "{\"id\":\"r4\",\"age\":50,\"income\":60000,\"region\":\"south\",\"label\":\"a\",\"owner\":false}");
        Path csv = dir.resolve("same.csv");
        Files.writeString(csv, "id,age,income,region,label,owner\nr1,30,\"$41,000\",north,a,\nr2,40.5,52000,south,b,\n"
                + "r3,,,north,b,true\nr4,50,60000,south,a,false\n");
        ReadResult fromRecords = DataFiles.read(records, OnError.FAIL);
        ReadResult fromCsv = DataFiles.read(csv, OnError.FAIL);
        assertThat(fromRecords.dataset().schema().featureNames()).isEqualTo(fromCsv.dataset().schema().featureNames())
                .containsExactly("age", "income", "region=north", "region=south", "owner=false", "owner=true");
        for (int i = 0; i < 4; i++) {
            Example r = fromRecords.dataset().get(i);
            Example c = fromCsv.dataset().get(i);
            assertThat(r.id()).isEqualTo(c.id());
            assertThat(r.label()).isEqualTo(c.label());
            assertThat(r.features()).containsExactly(c.features());
        }
        assertThat(fromRecords.dataset().get(2).features()[1]).isNaN();
        assertThat(fromRecords.warnings()).anySatisfy(w -> assertThat(w).contains("column 'region' of " + records, "holds categories"));
        // a value that is no table cell is a bad record, named by line and key, counted under skip
        Path nested = file("{\"age\":30,\"label\":\"a\"}", "{\"age\":[1,2],\"label\":\"b\"}", "not json", "{\"age\":2,\"label\":\"b\"}");
        assertThatThrownBy(() -> DataFiles.read(nested, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data.jsonl:line 2").hasMessageContaining("'age' is an array");
        ReadResult skipped = DataFiles.read(nested, OnError.SKIP);
        assertThat(skipped.skipped()).isEqualTo(2);
        assertThat(skipped.dataset().size()).isEqualTo(2);
        // nested objects, as an API or a document store exports records, are columns named by their path
        Path objects = file("{\"customer\":{\"age\":30,\"address\":{\"region\":\"north\"}},\"label\":\"a\"}",
                "{\"customer\":{\"age\":41,\"address\":{\"region\":\"south\"}},\"label\":\"b\"}");
        ReadResult flat = DataFiles.read(objects, OnError.FAIL);
        assertThat(flat.dataset().schema().featureNames()).containsExactly("customer.age", "customer.address.region=north",
                "customer.address.region=south");
        assertThat(flat.dataset().get(1).features()).containsExactly(41f, 0f, 1f);
        // a table's record among texts is said as such
        Path mixed = file("{\"text\":\"win a cruise\",\"label\":\"spam\"}", "{\"age\":30,\"label\":\"a\"}");
        assertThatThrownBy(() -> DataFiles.read(mixed, OnError.FAIL)).hasMessageContaining("data.jsonl:line 2")
                .hasMessageContaining("a column per key (a table's record)").hasMessageContaining("every record like the first: \"text\"");
        // a review beside its stars is a table with a free-text column, as the same rows in a CSV file are (train reads
        // the text instead where it cross-validates better)
        Path review = file("{\"body\":\"Arrived broken and the seller never answered\",\"stars\":1,\"label\":\"neg\"}",
                "{\"body\":\"Works as described, would buy from them again\",\"stars\":5,\"label\":\"pos\"}");
        ReadResult reviews = DataFiles.read(review, OnError.FAIL);
        assertThat(reviews.dataset().schema().featureNames()).containsExactly("stars");
        assertThat(reviews.warnings()).anyMatch(w -> w.contains("column 'body'") && w.contains("holds free text"));
        assertThat(DataFiles.freeTextColumns(review, ColumnNames.DEFAULT)).containsExactly("body");
        // every value a string, as curate passes a CSV table's cells on: the same table (numbers in strings read as numbers)
        Path strings = file("{\"body\":\"Arrived broken and the seller never answered\",\"stars\":\"1\",\"label\":\"neg\"}",
                "{\"body\":\"Works as described, would buy from them again\",\"stars\":\"5\",\"label\":\"pos\"}");
        ReadResult fromStrings = DataFiles.read(strings, OnError.FAIL);
        assertThat(fromStrings.dataset().schema().featureNames()).containsExactly("stars");
        assertThat(fromStrings.dataset().get(1).features()).containsExactly(5f);
        assertThat(DataFiles.freeTextColumns(strings, ColumnNames.DEFAULT)).containsExactly("body");
    }

    @Test
    void aJsonFileHoldingOneArrayOfObjectsIsReadAsItsLinesWouldBe() throws Exception {
        // pandas' to_json(orient="records") and most exports: one array, pretty-printed or not, a byte-order mark or not
        Path texts = dir.resolve("texts.json");
        Files.writeString(texts, "\uFEFF[\n  {\"id\": \"m1\", \"text\": \"win a cruise\", \"label\": \"spam\"},\n  7,\n"
                + "  {\n    \"id\": \"m2\",\n    \"text\": \"lunch?\",\n    \"label\": \"ham\"\n  }\n]\n");
        assertThatThrownBy(() -> DataFiles.read(texts, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("texts.json:line 3").hasMessageContaining("found NUMBER");
        ReadResult r = DataFiles.read(texts, OnError.SKIP);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("m1", "m2");
        assertThat(r.dataset().get(1).text()).isEqualTo("lunch?");
        Path table = dir.resolve("table.json");
        Files.writeString(table, "[{\"age\": 30, \"region\": \"north\", \"label\": \"a\"},\n {\"age\": 41, \"region\": \"south\", \"label\": \"b\"}]");
        assertThat(DataFiles.read(table, OnError.FAIL).dataset().schema().featureNames()).containsExactly("age", "region=north", "region=south");
        // broken JSON inside the array stops the read where it is, whatever the policy: no next element can be found
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "[\n{\"text\": \"a\", \"label\": \"x\"},\n{\"text\": \"b\" \"label\": \"y\"}\n]");
        assertThatThrownBy(() -> DataFiles.read(broken, OnError.SKIP)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("broken.json:line 3").hasMessageContaining("malformed JSON");
        Path named = Files.writeString(dir.resolve("named.jsonl"), "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": jane, \"label\": \"y\"}\n");
        assertThat(DataFiles.read(named, OnError.SKIP).skipReasons()).singleElement().asString()
                .contains("named.jsonl:line 2: malformed JSON: Unrecognized token (not shown)").doesNotContain("jane");
        Path unclosed = dir.resolve("unclosed.json");
        Files.writeString(unclosed, "[{\"text\": \"a\", \"label\": \"x\"},\n");
        assertThatThrownBy(() -> DataFiles.read(unclosed, OnError.SKIP)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("unclosed.json:line");
    }

    @Test
    void anApiAnswerHoldingItsRecordsUnderOneKeyAndOnePrettyPrintedRecordAreRead() throws Exception {
        // {"meta": ..., "data": [...]}, pretty-printed: it was "malformed JSON ... expected one JSON object per line"
        Path wrapped = Files.writeString(dir.resolve("answer.json"), "{\n  \"meta\": {\"count\": 2, \"pages\": [1]},\n"
                + "  \"data\": [\n    {\"id\": \"m1\", \"text\": \"win a cruise\", \"label\": \"spam\"},\n"
                + "    {\"id\": \"m2\", \"text\": \"lunch?\", \"label\": \"ham\"}\n  ],\n  \"next\": null\n}\n");
        ReadResult r = DataFiles.read(wrapped, OnError.FAIL);
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("m1", "m2");
        assertThat(r.recordLines()).containsExactly(4, 5);
        // on one line, as most APIs answer: it was one record, "neither text nor features"
        Path oneLine = Files.writeString(dir.resolve("items.json"), "{\"items\": [{\"age\": 30, \"label\": \"a\"},"
                + " {\"age\": 41, \"label\": \"b\"}], \"total\": 2}");
        assertThat(DataFiles.read(oneLine, OnError.FAIL).dataset().size()).isEqualTo(2);
        assertThat(DataFiles.copiesRecords(wrapped)).isFalse(); // its parts are written as JSON Lines
        // one record written over several lines, as a user writes one to predict
        Path one = Files.writeString(dir.resolve("one.json"), "{\n  \"text\": \"win a cruise\",\n  \"label\": \"spam\"\n}\n");
        assertThat(DataFiles.read(one, OnError.FAIL).dataset().get(0).text()).isEqualTo("win a cruise");
        // objects one after another, pretty-printed, as jq prints them
        Path stream = Files.writeString(dir.resolve("jq.json"), "{\n  \"text\": \"a\",\n  \"label\": \"x\"\n}\n"
                + "{\n  \"text\": \"b\",\n  \"label\": \"y\"\n}\n");
        ReadResult streamed = DataFiles.read(stream, OnError.FAIL);
        assertThat(streamed.dataset().examples()).extracting(Example::text).containsExactly("a", "b");
        assertThat(streamed.recordLines()).containsExactly(1, 5);
        // JSON Lines stay JSON Lines, a record's list of objects no wrapper: two records of one line each
        Path lines = Files.writeString(dir.resolve("lines.jsonl"), "{\"text\": \"a\", \"label\": \"x\", \"spans\": [{\"at\": 1}]}\n"
                + "{\"text\": \"b\", \"label\": \"y\", \"spans\": [{\"at\": 2}]}\n");
        assertThat(DataFiles.read(lines, OnError.FAIL).dataset().size()).isEqualTo(2);
        assertThat(DataFiles.copiesRecords(lines)).isTrue();
    }

    @Test
    void aLabelIsReadWithoutTheWhiteSpaceAroundItAndAnEmptyOneIsNoLabelAsInACsvFile() throws Exception {
        Path f = file("{\"text\": \"win cash\", \"label\": \"spam\"}", "{\"text\": \"hi bob\", \"label\": \"\"}",
                "{\"text\": \"lunch\", \"label\": \" ham \"}", "{\"text\": \"meeting\", \"label\": \"ham\"}");
        Dataset d = JsonlFormat.read(f, OnError.FAIL).dataset();
        assertThat(d.schema().labels()).containsExactly("ham", "spam");
        assertThat(d.get(1).hasLabel()).isFalse();
        assertThat(d.get(2).label()).contains("ham");
    }

    @Test
    void aListOfLabelsIsSaidToBeSeveralLabelsForOneRecord() throws Exception {
        Path f = file("{\"text\": \"win cash\", \"label\": [\"spam\", \"promo\"]}", "{\"text\": \"hi\", \"label\": {\"a\": 1}}",
                "{\"text\": \"lunch?\", \"label\": \"ham\"}");
        assertThatThrownBy(() -> JsonlFormat.read(f, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data.jsonl:line 1").hasMessageContaining("label is a list [\"spam\",\"promo\"] (several labels for one record)")
                .hasMessageContaining("train one model a label");
        ReadResult r = JsonlFormat.read(f, OnError.SKIP);
        assertThat(r.skipReasons().get(1)).contains("line 2", "label is an object").doesNotContain("several labels");
    }

    @Test
    void theLabelAndTextKeysMayHaveOtherNamesAndATextUnderAnotherKeyIsNamed() throws Exception {
        Path f = file("{\"body\":\"win a cruise\",\"category\":\"spam\",\"note\":\"x\"}");
        Dataset d = JsonlFormat.read(f, OnError.FAIL, new ColumnNames("category", "body")).dataset();
        assertThat(d.get(0).text()).isEqualTo("win a cruise");
        assertThat(d.get(0).label()).contains("spam");
        assertThatThrownBy(() -> JsonlFormat.read(f, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("neither text nor features (its keys of strings: body, category, note; if 'body' holds the"
                        + " text, name it with --text-column body)");
    }

    @Test
    void aRecordsOneKeyOfWordsBesideItsIdAndLabelIsTheFilesLoneWordsColumn() throws Exception {
        Path words = file("{\"word\":\"abandon\",\"sentiment\":\"negative\"}", "{\"word\":\"adore\",\"sentiment\":\"positive\"}");
        assertThat(DataFiles.loneWordsColumn(words, new ColumnNames("sentiment", null))).contains("word");
        assertThat(DataFiles.loneWordsColumn(words, ColumnNames.DEFAULT)).as("its labels not named: two keys").isEmpty();
        assertThat(DataFiles.loneWordsColumn(file("{\"id\":\"7\",\"body\":\"the late fee\"}"), ColumnNames.DEFAULT)).contains("body");
        assertThat(DataFiles.loneWordsColumn(file("{\"text\":\"fine\",\"label\":\"a\"}"), ColumnNames.DEFAULT)).isEmpty();
        assertThat(DataFiles.loneWordsColumn(file("{\"age\":\"41\",\"label\":\"a\"}"), ColumnNames.DEFAULT)).as("a number").isEmpty();
        assertThat(DataFiles.loneWordsColumn(file("{\"word\":\"fine\",\"age\":3,\"label\":\"a\"}"), ColumnNames.DEFAULT)).isEmpty();
    }

    @Test
    void readsTextRecordsWithDefaultsAndNumericLabels() throws Exception {
        Path f = file("{\"id\":\"a\",\"text\":\"hello\",\"label\":\"ham\"}", "", "{\"text\":\"win money\",\"label\":\"spam\"}",
                "{\"text\":\"no label\"}");
        ReadResult r = JsonlFormat.read(f, OnError.FAIL);
        Dataset d = r.dataset();
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.get(1).id()).isEqualTo("line-3");
        assertThat(d.get(2).hasLabel()).isFalse();
        assertThat(d.schema().labels()).containsExactly("ham", "spam");
        assertThat(r.skipped()).isZero();
    }

    @Test
    void readsDenseFeaturesWithShape() throws Exception {
        Path f = file("{\"features\":[0,1,2,3],\"shape\":[1,2,2],\"label\":10}", "{\"features\":[4,5,6,7],\"label\":2}");
        Dataset d = JsonlFormat.read(f, OnError.FAIL).dataset();
        assertThat(d.schema().featureShape()).containsExactly(1L, 2L, 2L);
        assertThat(d.get(1).features()).containsExactly(4, 5, 6, 7);
        // numeric labels sort numerically, not as strings
        assertThat(d.schema().labels()).containsExactly("2", "10");
    }

    @Test
    void malformedLineFailsNamingFileAndLine() throws Exception {
        Path f = file("{\"text\":\"ok\",\"label\":\"a\"}", "{\"text\": \"broken", "{\"text\":\"ok\",\"label\":\"b\"}");
        assertThatThrownBy(() -> JsonlFormat.read(f, OnError.FAIL))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data.jsonl:line 2")
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void skipModeSkipsAndCountsEveryKindOfBadRecord() throws Exception {
        Path f = file("{\"text\":\"ok\",\"label\":\"a\"}", "not json", "[1,2]", "{\"label\":\"a\"}",
                "{\"text\":\"x\",\"features\":[1]}", "{\"features\":[1,2]}", "{\"text\":\"fine\",\"label\":\"b\"}");
        ReadResult r = JsonlFormat.read(f, OnError.SKIP);
        assertThat(r.dataset().size()).isEqualTo(2);
        assertThat(r.skipped()).isEqualTo(5);
        assertThat(r.skipReasons()).hasSize(5).allMatch(s -> s.contains("data.jsonl:line "));
        assertThat(r.skipReasons().get(4)).contains("line 6").contains("mixes text and features");
    }

    @Test
    void nonFiniteFeatureIsRejected() throws Exception {
        Path f = file("{\"features\":[1, \"x\"],\"label\":\"a\"}");
        assertThatThrownBy(() -> JsonlFormat.read(f, OnError.FAIL)).hasMessageContaining("features[1]")
                .hasMessageContaining("a finite number");
    }

    @Test
    void emptyFileIsAnError() throws Exception {
        Path f = file("", "  ");
        assertThatThrownBy(() -> JsonlFormat.read(f, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("empty data set");
    }

    @Test
    void allRecordsBadUnderSkipIsStillAnError() throws Exception {
        Path f = file("nope", "nope");
        assertThatThrownBy(() -> JsonlFormat.read(f, OnError.SKIP)).hasMessageContaining("all 2 records were bad");
    }

    @Test
    void writeThenReadRoundTrips() throws Exception {
        Dataset d = Dataset.infer("x", List.of(
                Example.dense("a", new float[] {0.5f, 1f}, "cat", "s"), Example.dense("b", new float[] {0f, 0.25f}, "dog", "s")),
                List.of(2L));
        Path f = dir.resolve("out.jsonl");
        JsonlFormat.write(d, f);
        Dataset back = JsonlFormat.read(f, OnError.FAIL).dataset();
        assertThat(back.size()).isEqualTo(2);
        assertThat(back.get(0).features()).containsExactly(0.5f, 1f);
        assertThat(back.get(1).label()).contains("dog");
        assertThat(back.schema().featureShape()).containsExactly(2L);
    }

    @Test
    void featureNamesRoundTripOnTheFirstRecordAndBadOnesAreABadRecord() throws Exception {
        Dataset d = CsvFormat.read(Files.writeString(dir.resolve("in.csv"), "age,income,label\n30,2.5,a\n41,1.0,b\n"),
                OnError.FAIL).dataset();
        assertThat(d.schema().featureNames()).containsExactly("age", "income");
        Path f = dir.resolve("named.jsonl");
        JsonlFormat.write(d, f);
        assertThat(Files.readAllLines(f).get(0)).contains("\"feature_names\":[\"age\",\"income\"]");
        assertThat(Files.readAllLines(f).get(1)).doesNotContain("feature_names");
        assertThat(JsonlFormat.read(f, OnError.FAIL).dataset().schema()).isEqualTo(d.schema());

        ReadResult r = JsonlFormat.read(file("{\"features\": [1, 2], \"feature_names\": [\"a\", \"a\"], \"label\": \"x\"}",
                "{\"features\": [3, 4], \"label\": \"y\"}"), OnError.SKIP);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.skipReasons().get(0)).contains("line 1", "feature_names", "2 distinct non-empty strings");
        assertThat(r.dataset().size()).isEqualTo(1);
        assertThat(r.dataset().schema().featureNames()).isEmpty();
    }

    @Test
    void unknownLabelAgainstAnotherSchemaNamesTheExample() throws Exception {
        Dataset train = JsonlFormat.read(file("{\"text\":\"a\",\"label\":\"ham\"}", "{\"text\":\"b\",\"label\":\"spam\"}"),
                OnError.FAIL).dataset();
        Path other = dir.resolve("test.jsonl");
        Files.write(other, List.of("{\"id\":\"m7\",\"text\":\"c\",\"label\":\"eggs\"}"));
        Dataset test = JsonlFormat.read(other, OnError.FAIL).dataset();
        assertThatThrownBy(() -> test.withSchema(train.schema()))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("m7").hasMessageContaining("unknown label 'eggs'").hasMessageContaining("[ham, spam]");
    }

    @Test
    void aTablesRecordsKeepTheirIdsWhenAKeyOfFreeTextIsReadAsTheText() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            lines.append("{\"order_no\": ").append(7000 + 3 * i).append(", \"stars\": ").append(i % 5)
                    .append(", \"review\": \"the kettle broke after ").append(i).append(" weeks of use\", \"label\": \"")
                    .append(i % 2 == 0 ? "a" : "b").append("\"}\n");
        }
        Path file = java.nio.file.Files.writeString(dir.resolve("reviews.jsonl"), lines);
        List<String> asTable = DataFiles.read(file, OnError.FAIL).dataset().examples().stream().map(Example::id).toList();
        List<String> asText = DataFiles.read(file, OnError.FAIL, new ColumnNames("label", "review")).dataset().examples().stream()
                .map(Example::id).toList();
        assertThat(asTable).startsWith("7000", "7003");
        assertThat(asText).isEqualTo(asTable);
    }
}
