package dev.distillery.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.NgramBagSpec;
import dev.distillery.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelingProjectTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static final TrainConfig TRAIN = new TrainConfig(5, 16, 2e-2f, TrainConfig.Optimizer.ADAM, TrainConfig.Schedule.COSINE, 0f, 0, 3);

    @Test
    void labelStudioRoundTripFeedsTheNextBatch() throws Exception {
        Dataset labeled = TestData.texts(30, 5);
        Map<String, String> truth = new HashMap<>();
        labeled.examples().forEach(e -> truth.put(e.id(), e.label().orElseThrow()));
        Dataset pool = labeled.subset("pool", labeled.examples().stream().map(e -> e.withLabel(null)).toList());
        LabelingProject project = LabelingProject.openOrCreate(dir, "pool.jsonl", labeled.schema().labels());

        LabelingProject.Batch first = project.next(pool, 10, Strategy.MARGIN, new NgramBagSpec(8, 4096, 2, 100), TRAIN, null);
        assertThat(first.strategy()).as("no answers yet: random").isEqualTo(Strategy.RANDOM);
        assertThat(first.ids()).hasSize(10).doesNotHaveDuplicates();
        JsonNode tasks = JSON.readTree(first.labelStudio().toFile());
        assertThat(tasks).hasSize(10);
        assertThat(tasks.get(0).path("data").path("text").asText()).isNotEmpty();
        assertThat(Files.readString(dir.resolve("label-studio-config.xml"))).contains("<Choice value=\"spam\"/>");
        // the CSV an annotator fills in shows each text beside its empty label, in the batch's order
        List<dev.distillery.data.CsvFormat.Row> rows = dev.distillery.data.CsvFormat.rows(first.csv());
        assertThat(rows.get(0).cells()).containsExactly("id", "label", "text");
        assertThat(rows.subList(1, rows.size())).extracting(r -> r.cells()[0]).containsExactlyElementsOf(first.ids());
        for (var row : rows.subList(1, rows.size())) {
            String text = pool.examples().stream().filter(e -> e.id().equals(row.cells()[0])).findFirst().orElseThrow().text();
            assertThat(row.cells()).containsExactly(row.cells()[0], "", text);
        }

        // What Label Studio exports after annotation: each task with its data and a choices result; one task skipped.
        ArrayNode export = JSON.createArrayNode();
        for (int i = 0; i < tasks.size(); i++) {
            ObjectNode task = JSON.createObjectNode();
            task.put("id", 100 + i);
            task.set("data", tasks.get(i).get("data"));
            ArrayNode annotations = task.putArray("annotations");
            if (i < 9) {
                ObjectNode result = JSON.createObjectNode();
                result.put("type", "choices");
                result.put("from_name", "label");
                result.put("to_name", "text");
                result.putObject("value").putArray("choices").add(truth.get(tasks.get(i).path("data").path("ref_id").asText()));
                annotations.addObject().putArray("result").add(result);
            }
            export.add(task);
        }
        Path exportFile = dir.resolve("export.json");
        JSON.writeValue(exportFile.toFile(), export);
        LabelingProject.ImportReport report = project.importAnswers(exportFile);
        assertThat(report.added()).isEqualTo(9);
        assertThat(report.skippedUnanswered()).isEqualTo(1);
        assertThat(project.answers()).hasSize(9).allSatisfy((id, label) -> assertThat(label).isEqualTo(truth.get(id)));

        LabelingProject.Batch second = project.next(pool, 10, Strategy.MARGIN, new NgramBagSpec(8, 4096, 2, 100), TRAIN, null);
        if (project.answers().values().stream().distinct().count() >= 2) {
            assertThat(second.strategy()).isEqualTo(Strategy.MARGIN);
        }
        assertThat(second.number()).isEqualTo(2);
        assertThat(second.ids()).doesNotContainAnyElementsOf(project.answers().keySet());
    }

    @Test
    void aBatchAwaitingAnswersIsNotHandedOutAgainUntilItsAnswersComeBack() throws Exception {
        Dataset labeled = TestData.texts(15, 6); // 30 texts
        Dataset pool = labeled.subset("pool", labeled.examples().stream().map(e -> e.withLabel(null)).toList());
        LabelingProject project = LabelingProject.openOrCreate(dir, "pool.jsonl", labeled.schema().labels());
        NgramBagSpec spec = new NgramBagSpec(8, 4096, 2, 100);

        LabelingProject.Batch first = project.next(pool, 10, Strategy.MARGIN, spec, TRAIN, null);
        LabelingProject.Batch second = project.next(pool, 10, Strategy.MARGIN, spec, TRAIN, null);
        assertThat(second.ids()).hasSize(10).doesNotContainAnyElementsOf(first.ids());
        assertThat(second.stillOut()).isEqualTo(10);
        LabelingProject.Batch third = project.next(pool, 10, Strategy.MARGIN, spec, TRAIN, null);
        assertThat(third.ids()).doesNotContainAnyElementsOf(first.ids()).doesNotContainAnyElementsOf(second.ids());
        assertThatThrownBy(() -> project.next(pool, 10, Strategy.MARGIN, spec, TRAIN, null))
                .hasMessageContaining("in a batch awaiting answers (30)");

        // One answer brings the first batch back: the examples its annotators left blank return to the pool.
        Path answers = dir.resolve("answers.csv");
        Files.writeString(answers, "id,label\n" + first.ids().get(0) + "," + labeled.schema().labels().get(0) + "\n");
        project.importAnswers(answers);
        LabelingProject.Batch fourth = project.next(pool, 10, Strategy.MARGIN, spec, TRAIN, null);
        assertThat(fourth.stillOut()).isEqualTo(20);
        assertThat(first.ids().subList(1, 10)).containsAll(fourth.ids());

        // The answers as a data set to train on: the pool's examples with their labels; an id the pool lacks is counted.
        Files.writeString(answers, "id,label\n" + second.ids().get(0) + "," + labeled.schema().labels().get(1) + "\ngone,"
                + labeled.schema().labels().get(1) + "\n");
        project.importAnswers(answers);
        LabelingProject.Labeled written = project.writeLabeled(pool);
        assertThat(written.examples()).isEqualTo(2);
        assertThat(written.notInPool()).isEqualTo(1);
        Dataset back = dev.distillery.data.DataFiles.read(written.file(), dev.distillery.data.OnError.FAIL).dataset();
        Map<String, String> labels = new HashMap<>();
        back.examples().forEach(e -> labels.put(e.id(), e.label().orElseThrow()));
        assertThat(labels).isEqualTo(Map.of(first.ids().get(0), labeled.schema().labels().get(0),
                second.ids().get(0), labeled.schema().labels().get(1)));
    }

    @Test
    void aPoolOfPhotosIsAnnotatedOnThePhotosThemselves() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (int i = 0; i < 4; i++) {
            java.awt.image.BufferedImage color = new java.awt.image.BufferedImage(12, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
            color.setRGB(i, 0, 0x3366cc);
            javax.imageio.ImageIO.write(color, "png", photos.resolve("p" + i + ".png").toFile());
        }
        Dataset pool = dev.distillery.data.DataFiles.read(photos, dev.distillery.data.OnError.FAIL).dataset();
        LabelingProject project = LabelingProject.openOrCreate(dir.resolve("project"), photos.toString(), List.of("ok", "scratch"));
        LabelingProject.Batch batch = project.next(pool, 2, Strategy.MARGIN, null, TRAIN, null);
        // color, not square: the pixels could not be drawn again, and the annotator is shown the file itself
        List<dev.distillery.data.CsvFormat.Row> rows = dev.distillery.data.CsvFormat.rows(batch.csv());
        assertThat(rows.get(0).cells()).containsExactly("id", "label", "image");
        for (var row : rows.subList(1, rows.size())) {
            assertThat(Path.of(row.cells()[2])).isEqualTo(photos.resolve(row.cells()[0]).toAbsolutePath()).exists();
        }
        assertThat(dir.resolve("project/images")).doesNotExist();

        // a table naming the photos: the same, each shown as its file
        Path list = Files.writeString(dir.resolve("list.csv"), "image\nphotos/p0.png\nphotos/p1.png\nphotos/p2.png\n");
        Dataset listed = dev.distillery.data.DataFiles.read(list, dev.distillery.data.OnError.FAIL).dataset();
        LabelingProject fromList = LabelingProject.openOrCreate(dir.resolve("listed"), list.toString(), List.of("ok", "scratch"));
        List<dev.distillery.data.CsvFormat.Row> listedRows = dev.distillery.data.CsvFormat.rows(
                fromList.next(listed, 2, Strategy.MARGIN, null, TRAIN, null).csv());
        assertThat(listedRows).hasSize(3);
        for (var row : listedRows.subList(1, listedRows.size())) {
            assertThat(row.cells()[0]).startsWith("photos/p");
            assertThat(Path.of(row.cells()[row.cells().length - 1])).isEqualTo(dir.resolve(row.cells()[0]).toAbsolutePath()).exists();
        }
        assertThat(dir.resolve("listed/images")).doesNotExist();

        // ids naming the photos, beside labels under another name: the project reads its pool by its own columns
        dev.distillery.data.ColumnNames columns = new dev.distillery.data.ColumnNames("class", "text");
        Path ids = Files.writeString(dir.resolve("ids.csv"), "id,class\np0,\np1,\np2,\n");
        Dataset byId = dev.distillery.data.DataFiles.read(ids, dev.distillery.data.OnError.FAIL, columns).dataset();
        LabelingProject fromIds = LabelingProject.openOrCreate(dir.resolve("by-id"), ids.toString(), List.of("ok", "scratch"), columns);
        List<dev.distillery.data.CsvFormat.Row> idRows = dev.distillery.data.CsvFormat.rows(
                fromIds.next(byId, 2, Strategy.MARGIN, null, TRAIN, null).csv());
        for (var row : idRows.subList(1, idRows.size())) {
            assertThat(Path.of(row.cells()[row.cells().length - 1])).isEqualTo(photos.resolve(row.cells()[0] + ".png").toAbsolutePath());
        }
        assertThat(dir.resolve("by-id/images")).doesNotExist();
    }

    /** A labeling project over the table {@code csv} (written as {@code name}), its first batch of {@code n}, and the batch CSV's rows. */
    private TableBatch tableBatch(String name, String csv, List<String> labels, int n) throws Exception {
        Path table = Files.writeString(dir.resolve(name), csv);
        Dataset pool = dev.distillery.data.DataFiles.read(table, dev.distillery.data.OnError.FAIL).dataset();
        LabelingProject project = LabelingProject.openOrCreate(dir.resolve("project-" + name), table.toString(), labels);
        LabelingProject.Batch batch = project.next(pool, n, Strategy.MARGIN, null, TRAIN, null);
        return new TableBatch(project, batch, dev.distillery.data.CsvFormat.rows(batch.csv()));
    }

    private record TableBatch(LabelingProject project, LabelingProject.Batch batch, List<dev.distillery.data.CsvFormat.Row> rows) {}

    @Test
    void aPoolOfTableRowsIsAnnotatedOnItsNamedValues() throws Exception {
        TableBatch t = tableBatch("loans.csv", "id,age,income,debt ratio\nC1,30,41000.5,0.25\nC2,55,23000,0.75\nC3,41,35000,0.5\n",
                List.of("default", "repaid"), 2);
        LabelingProject project = t.project();
        LabelingProject.Batch batch = t.batch();
        // four numbers were drawn as a 2x2-pixel image; a spreadsheet shows the columns by name instead
        List<dev.distillery.data.CsvFormat.Row> rows = t.rows();
        assertThat(rows.get(0).cells()).containsExactly("id", "label", "age", "income", "debt ratio");
        Map<String, List<String>> values = Map.of("C1", List.of("30", "41000.5", "0.25"), "C2", List.of("55", "23000", "0.75"),
                "C3", List.of("41", "35000", "0.5"));
        assertThat(rows).hasSize(3);
        for (var row : rows.subList(1, rows.size())) {
            assertThat(List.of(row.cells()).subList(1, 5)).as(row.cells()[0])
                    .isEqualTo(java.util.stream.Stream.concat(java.util.stream.Stream.of(""), values.get(row.cells()[0]).stream()).toList());
        }
        assertThat(dir.resolve("project-loans.csv/images")).doesNotExist();
        assertThat(Files.readString(dir.resolve("project-loans.csv/label-studio-config.xml")))
                .contains("<Table name=\"table\" value=\"$item\"/>", "toName=\"table\"");
        assertThat(JSON.readTree(Files.readAllLines(batch.jsonl()).get(0)).get("item").has("debt ratio")).as("the JSONL names them too").isTrue();
        JsonNode task = JSON.readTree(batch.labelStudio().toFile()).get(0).get("data");
        assertThat(task.get("item").has("income")).isTrue();
        assertThat(task.get("item").get("age").isNumber()).isTrue();

        // the filled-in CSV imports as any batch does
        Files.writeString(batch.csv(), Files.readString(batch.csv()).replaceFirst("\n(C\\d),,", "\n$1,default,"));
        assertThat(project.importAnswers(batch.csv()).added()).isEqualTo(1);
    }

    @Test
    void aTableRowShowsACategoryColumnOnceWithItsValue() throws Exception {
        TableBatch people = tableBatch("people.csv", "id,age,region\nP1,30,north\nP2,41,south\nP3,50,\n", List.of("yes", "no"), 3);
        LabelingProject.Batch batch = people.batch();
        List<dev.distillery.data.CsvFormat.Row> rows = people.rows();
        assertThat(rows.get(0).cells()).containsExactly("id", "label", "age", "region");
        Map<String, List<String>> shown = new HashMap<>();
        rows.subList(1, rows.size()).forEach(r -> shown.put(r.cells()[0], List.of(r.cells()).subList(2, 4)));
        assertThat(shown).containsEntry("P1", List.of("30", "north")).containsEntry("P3", List.of("50", ""));
        JsonNode p2 = java.util.stream.StreamSupport.stream(JSON.readTree(batch.labelStudio().toFile()).spliterator(), false)
                .filter(t -> t.get("data").get("ref_id").asText().equals("P2")).findFirst().orElseThrow();
        assertThat(p2.get("data").get("item").toString()).isEqualTo("{\"age\":41,\"region\":\"south\"}");
    }

    @Test
    void annotatorsSeeEachRecordAsThePoolFileHoldsItButItsPersonalData() throws Exception {
        Path tickets = Files.writeString(dir.resolve("tickets.csv"), "ticket_no,priority,opened,description,contact,label\n"
                + "T-7,high,2026-03-01,the printer on floor two jams every morning,ann@example.com,\n"
                + "T-8,low,2026-03-02,cannot log in since the password reset,bob@example.com,\n"
                + "T-9,high,2026-03-04,screen flickers when the dock is attached,cy@example.com,\n");
        var read = dev.distillery.data.DataFiles.read(tickets, dev.distillery.data.OnError.FAIL);
        var records = dev.distillery.data.SourceRecords.of(tickets, read, dev.distillery.data.ColumnNames.DEFAULT);
        LabelingProject project = LabelingProject.openOrCreate(dir.resolve("tickets"), tickets.toString(), List.of("hardware", "access"));
        LabelingProject.Batch batch = project.next(read.dataset(), 3, Strategy.RANDOM, null, TRAIN, null, records);

        // the model reads the priority alone; the annotator needs the description and the date beside it
        List<dev.distillery.data.CsvFormat.Row> rows = dev.distillery.data.CsvFormat.rows(batch.csv());
        assertThat(rows.get(0).cells()).containsExactly("id", "label", "ticket_no", "priority", "opened", "description");
        assertThat(rows).anySatisfy(r -> assertThat(r.cells()).containsExactly("T-8", "", "T-8", "low", "2026-03-02",
                "cannot log in since the password reset"));
        String written = Files.readString(batch.csv()) + Files.readString(batch.jsonl()) + Files.readString(batch.labelStudio());
        assertThat(written).contains("printer on floor two").doesNotContain("example.com");
        JsonNode task = JSON.readTree(batch.labelStudio().toFile()).get(0).get("data");
        assertThat(task.get("item").get("opened").asText()).startsWith("2026-03-0");
        // the filled-in CSV imports as any batch does
        Files.writeString(batch.csv(), Files.readString(batch.csv()).replaceFirst("\nT-8,,", "\nT-8,access,"));
        assertThat(project.importAnswers(batch.csv()).added()).isEqualTo(1);
        // and the answers are written as the pool's records, labeled: a data set whose description train can read
        LabelingProject.Labeled labeled = project.writeLabeled(read.dataset(), records);
        assertThat(labeled.file().getFileName().toString()).isEqualTo("labeled.csv");
        assertThat(labeled.examples()).isEqualTo(1);
        assertThat(Files.readAllLines(labeled.file())).containsExactly("ticket_no,priority,opened,description,label",
                "T-8,low,2026-03-02,cannot log in since the password reset,access");
    }

    @Test
    void theRankingModelIsChosenOnTheAnswersAndFittedAsTrainFitsIt() throws Exception {
        Dataset labeled = TestData.texts(15, 6);
        Dataset pool = labeled.subset("pool", labeled.examples().stream().map(e -> e.withLabel(null)).toList());
        LabelingProject project = LabelingProject.openOrCreate(dir, "pool.jsonl", labeled.schema().labels());
        StringBuilder answers = new StringBuilder("id,label\n");
        labeled.examples().stream().limit(8).forEach(e -> answers.append(e.id()).append(',').append(e.label().orElseThrow()).append('\n'));
        project.importAnswers(Files.writeString(dir.resolve("answers.csv"), answers));

        List<String> said = new java.util.ArrayList<>();
        LabelingProject.Batch auto = project.next(pool, 5, Strategy.MARGIN, null, TRAIN, TestData.collecting(said));
        assertThat(auto.strategy()).isEqualTo(Strategy.MARGIN);
        assertThat(said).anyMatch(m -> m.startsWith("auto: chose"));
        // the linear model by its solver, not by gradient steps, which end an epoch after epoch
        int[] epochs = {0};
        project.next(pool, 5, Strategy.MARGIN, dev.distillery.model.LinearSpec.DEFAULT, TRAIN, new dev.distillery.train.TrainListener() {
            @Override
            public void onEpochEnd(dev.distillery.train.EpochStats stats) {
                epochs[0]++;
            }
        });
        assertThat(epochs[0]).isZero();
    }

    @Test
    void csvAndJsonlAnswersImportAndAWrongLabelNamesTheLine() throws Exception {
        LabelingProject project = LabelingProject.openOrCreate(dir, "pool.jsonl", List.of("ham", "spam"));
        Path csv = dir.resolve("answers.csv");
        Files.writeString(csv, "id,label\na,spam\n\"b,1\",ham\nc,\n");
        assertThat(project.importAnswers(csv)).isEqualTo(new LabelingProject.ImportReport(2, 0, 0, 1));
        Path jsonl = dir.resolve("more.jsonl");
        Files.writeString(jsonl, "{\"id\":\"a\",\"label\":\"ham\"}\n{\"id\":\"d\",\"label\":\"spam\"}\n");
        assertThat(project.importAnswers(jsonl)).isEqualTo(new LabelingProject.ImportReport(1, 1, 0, 0));
        assertThat(project.answers()).containsEntry("a", "ham").containsEntry("b,1", "ham").hasSize(3);
        Files.writeString(csv, "id,label,text\nf,spam,\"Dear friend,\nyou won\"\ng,,\"no answer, yet\"\n");
        assertThat(project.importAnswers(csv)).as("a batch CSV filled in: its text column is read past, quoted lines and all")
                .isEqualTo(new LabelingProject.ImportReport(1, 0, 0, 1));
        assertThat(project.answers()).containsEntry("f", "spam");
        Files.writeString(csv, "id,label,text\nh,spam,one,two\n");
        assertThatThrownBy(() -> project.importAnswers(csv)).hasMessageContaining("line 2: expected 3 cells");
        Files.writeString(csv, "label,id\nspam,i\n");
        assertThatThrownBy(() -> project.importAnswers(csv)).hasMessageContaining("expected a header starting id,label");
        Files.writeString(csv, "id,label\ne,eggs\n");
        assertThatThrownBy(() -> project.importAnswers(csv)).hasMessageContaining(csv + ", line 2")
                .hasMessageContaining("'eggs'");
    }

    @Test
    void aProjectKeepsTheColumnsItsPoolIsReadByAndRefusesOthers() throws Exception {
        dev.distillery.data.ColumnNames named = new dev.distillery.data.ColumnNames("queue", "body");
        assertThat(LabelingProject.columnsFor(dir, named)).as("no project yet: as given").isEqualTo(named);
        LabelingProject.openOrCreate(dir, "tickets.csv", List.of("billing", "tech"), named);
        // later calls need not name them again, and may not name others
        assertThat(LabelingProject.columnsFor(dir, dev.distillery.data.ColumnNames.DEFAULT)).isEqualTo(named);
        assertThat(LabelingProject.openOrCreate(dir, null, null).config().columns()).isEqualTo(named);
        assertThatThrownBy(() -> LabelingProject.columnsFor(dir, new dev.distillery.data.ColumnNames("queue", "subject")))
                .hasMessageContaining("reads its pool by the label column 'queue' and the text column 'body'");
        // a project started before columns could be named reads by the defaults
        Path old = Files.createDirectories(dir.resolve("old"));
        Files.writeString(old.resolve(LabelingProject.CONFIG), "{\"pool\": \"pool.jsonl\", \"labels\": [\"ham\", \"spam\"]}");
        assertThat(LabelingProject.openOrCreate(old, null, null).config().columns()).isEqualTo(dev.distillery.data.ColumnNames.DEFAULT);
    }
}
