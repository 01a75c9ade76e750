package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Damaged files and mismatched inputs, as a user would feed them: one clear error and exit 2, or a counted skip. */
class BadInputTest extends CliTestBase {
    /** A CSV of {@code columns} numeric features whose first feature separates two classes. */
    private Path denseCsv(String name, int columns, int rows) throws Exception {
        Random rng = new Random(7);
        List<String> lines = new ArrayList<>();
        IntFunction<String> header = j -> "f" + j;
        StringBuilder h = new StringBuilder();
        for (int j = 0; j < columns; j++) {
            h.append(header.apply(j)).append(',');
        }
        lines.add(h.append("label").toString());
        for (int i = 0; i < rows; i++) {
            StringBuilder row = new StringBuilder();
            int label = i % 2;
            for (int j = 0; j < columns; j++) {
                row.append(String.format(java.util.Locale.ROOT, "%.3f,", (j == 0 ? 3 * label : 0) + rng.nextGaussian()));
            }
            lines.add(row.append(label == 0 ? "a" : "b").toString());
        }
        Path f = dir.resolve(name);
        Files.write(f, lines);
        return f;
    }

    private String trainedRun(Path data) {
        Result train = run("train", "--data", data.toString(), "--model", "linear");
        assertThat(train.exitCode()).as(train.err()).isZero();
        return train.runId();
    }

    /**
     * A {@code size} x {@code size} image: a bar whose place depends on {@code label}, white or orange, and a corner
     * pixel of gray level {@code mark} so that no two images are the same.
     */
    private Path image(String relative, int label, int size, boolean color, int mark) throws Exception {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(size, size, color
                ? java.awt.image.BufferedImage.TYPE_INT_RGB : java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean on = (label == 0 ? x : y) < size / 2;
                image.setRGB(x, y, on ? (color ? 0xff8000 : 0xffffff) : 0);
            }
        }
        image.setRGB(size - 1, size - 1, mark * 0x010101);
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        javax.imageio.ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void aPhotoOfAnotherSizeOrInColorIsPredictedAtTheModelsSizeAndChannels() throws Exception {
        for (int i = 0; i < 12; i++) {
            image("photos/left/" + i + ".png", 0, 8, false, 10 * i);
            image("photos/top/" + i + ".png", 1, 8, false, 10 * i);
        }
        Result train = run("train", "--data", dir.resolve("photos").toString(), "--model", "mlp", "--epochs", "20");
        assertThat(train.exitCode()).as(train.err()).isZero();
        String model = train.runId();

        Path photo = image("new/big-top.png", 1, 32, true, 0);
        Result one = run("predict", model, "--data", photo.toString());
        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(one.out().lines()).singleElement().asString().contains("\"id\":\"big-top.png\"", "\"label\":\"top\"");
        assertThat(one.err()).contains("read as the model reads images, 8x8 pixels in gray", "1 of 1 images scaled",
                "1 of 1 read as gray");
        Result eval = run("eval", model, "--data", dir.resolve("photos").toString());
        assertThat(eval.exitCode()).as(eval.err()).isZero();
    }

    @Test
    void predictChecksEveryInputAgainstTheModel() throws Exception {
        String model = trainedRun(denseCsv("train.csv", 4, 60));

        Result ok = run("predict", "--model", model, "--input", denseCsv("same.csv", 4, 6).toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out().lines()).hasSize(6);
        Result asEvalNamesIt = run("predict", "--model", model, "--data", dir.resolve("same.csv").toString());
        assertThat(asEvalNamesIt.out()).isEqualTo(ok.out());

        // columns in another order are read by their header names: the same answers
        List<String> same = Files.readAllLines(dir.resolve("same.csv"));
        List<String> reordered = new ArrayList<>();
        for (String line : same) {
            String[] c = line.split(",");
            reordered.add(String.join(",", c[4], c[2], c[0], c[3], c[1]));
        }
        Files.write(dir.resolve("reordered.csv"), reordered);
        Result byName = run("predict", "--model", model, "--input", dir.resolve("reordered.csv").toString());
        assertThat(byName.exitCode()).as(byName.err()).isZero();
        assertThat(byName.out()).isEqualTo(ok.out());

        Result fewer = run("predict", "--model", model, "--input", denseCsv("fewer.csv", 3, 6).toString());
        assertThat(fewer.exitCode()).isEqualTo(2);
        assertThat(fewer.err()).contains("fewer.csv", "lacks column 'f3'", "columns the model was trained on, in any order");
        assertThat(fewer.out()).isEmpty();

        Result more = run("predict", "--model", model, "--input", denseCsv("more.csv", 5, 6).toString());
        assertThat(more.exitCode()).isEqualTo(2);
        assertThat(more.err()).contains("more.csv", "has column 'f4' the model was not trained on").doesNotContain("Exception");

        // records without column names are read by position, and checked by count
        Files.writeString(dir.resolve("fewer.jsonl"), "{\"features\": [1, 2, 3]}\n");
        Result unnamed = run("predict", "--model", model, "--input", dir.resolve("fewer.jsonl").toString());
        assertThat(unnamed.exitCode()).isEqualTo(2);
        assertThat(unnamed.err()).contains("fewer.jsonl", "record line-1", "has 3 features", "expected 4 numeric features");

        Result text = run("predict", "--model", model, "--text", "hello");
        assertThat(text.exitCode()).isEqualTo(2);
        assertThat(text.err()).contains("--text", "is text", "expected 4 numeric features");

        Result eval = run("eval", "--model", model, "--data", denseCsv("eval-fewer.csv", 3, 6).toString());
        assertThat(eval.exitCode()).isEqualTo(2);
        assertThat(eval.err()).contains("eval-fewer.csv", "lacks column 'f3'");

        // a table has no synthesis generator: said first, in words about tables, not images
        Result synth = run("synth", dir.resolve("same.csv").toString(), "--teacher", model, "--out", dir.resolve("s.jsonl").toString());
        assertThat(synth.exitCode()).isEqualTo(2);
        assertThat(synth.err()).contains("4 numeric features (columns f0, f1, f2, f3), for which there is no generator")
                .doesNotContain("one-channel images (shape");
    }

    @Test
    void labelsInAnUnlabeledFileAreSaidToBeUnused() throws Exception {
        Path labeled = dir.resolve("labeled.csv");
        Files.writeString(labeled, "text,label\nwin money now,spam\nlunch at noon,ham\nfree prize inside,spam\nminutes attached,ham\n"
                + "cheap pills here,spam\nsee you monday,ham\n");
        Path pool = dir.resolve("pool.csv");
        Files.writeString(pool, "text,label\nclaim your prize,spam\nagenda for friday,\n");
        Result r = run("train", "--data", labeled.toString(), "--unlabeled", pool.toString(), "--model", "ngram", "--epochs", "1");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("note: 1 of 2 records of " + pool + " carry a label; as --unlabeled data their labels are not used");
    }

    @Test
    void labelIssuesShowRowsAsReadWithTheirGapsNotTheMediansTheModelsRead() throws Exception {
        // x2 has a value (777) on two rows only: every other row's gap is filled with 777 for the models, never shown so
        StringBuilder csv = new StringBuilder("id,x1,x2,label\n");
        for (int i = 0; i < 40; i++) {
            boolean a = i % 2 == 0;
            boolean flipped = i % 10 == 0; // a wrong label to flag
            csv.append("r").append(i).append(',').append(a ? 1 + i % 3 : 8 + i % 3).append(',').append(i < 2 ? "777" : "")
                    .append(',').append(a != flipped ? "a" : "b").append('\n');
        }
        Path gaps = Files.writeString(dir.resolve("gaps.csv"), csv.toString());
        Result issues = run("label", "issues", gaps.toString(), "--model", "linear", "--seed", "1");
        assertThat(issues.exitCode()).as(issues.out() + issues.err()).isZero();
        assertThat(issues.out()).contains("38 of 40 records of " + gaps + " lack a value")
                .containsPattern("\\| r10 \\|[^\\n]*\\| x1 2 \\|\\n"); // r10 has no x2: none is shown
    }

    @Test
    void labelIssuesOnTwoTextsAClassRunsToTheEnd() throws Exception {
        // With 2 texts a class the folds train the n-gram model on 3 texts; its only gradient-trained layer is the last
        // linear one, whose gradients add up to zero in exact arithmetic, and DJL's first-step check ("gradient values
        // are all zeros") stopped the run on one fold where the sum came out exactly zero in floats.
        Path csv = dir.resolve("four.csv");
        Files.writeString(csv, "text,label\nx y,a\nz w,b\nx q,a\nz r,b\n");
        Result issues = run("label", "issues", csv.toString(), "--seed", "42");
        assertThat(issues.exitCode()).as(issues.out() + issues.err()).isZero();
        assertThat(issues.out()).contains("run saved to").contains("4 examples checked")
                .contains("fold 5/5: nothing to score") // 4 examples in 5 folds: the empty one trains no model
                .containsPattern("Out-of-sample accuracy of the model on the given labels: [01]\\.\\d{4}")
                .contains("Caution: the smallest class has 2 examples, so each fold learns it from at most 1");
    }

    @Test
    void recordsWithoutLabelsAreCountedAndImagesWithoutLabelsSayWhy() throws Exception {
        Path csv = denseCsv("some-unlabeled.csv", 4, 60);
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        for (int i = 1; i <= 5; i++) {
            lines.set(i, lines.get(i).replaceAll(",[ab]$", ","));
        }
        Files.write(csv, lines);
        Result train = run("train", "--data", csv.toString(), "--model", "linear");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("have no label and are not trained on");
        String runDir = train.runDir().toString();
        var results = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(runDir, "results.json").toFile());
        assertThat(results.get("unlabeled_train_records").asInt() + results.get("unlabeled_test_records").asInt()).isEqualTo(5);

        // 3 images of 2x2 pixels in IDX, no labels file beside them
        java.nio.ByteBuffer idx = java.nio.ByteBuffer.allocate(4 + 12 + 12);
        idx.putInt(0x00000803).putInt(3).putInt(2).putInt(2);
        Path images = dir.resolve("train-images-idx3-ubyte");
        Files.write(images, idx.array());
        Result inspect = run("data", "inspect", images.toString());
        assertThat(inspect.exitCode()).isZero();
        assertThat(inspect.out()).contains("no record has a label");
        Result idxTrain = run("train", "--data", images.toString());
        assertThat(idxTrain.exitCode()).isEqualTo(2);
        assertThat(idxTrain.err()).contains("train-images-idx3-ubyte", "none of its 3 records has a label", "labels file");
    }

    @Test
    void dataWithASingleLabelIsRefusedByName() throws Exception {
        Path one = Files.writeString(dir.resolve("one.csv"), "a,b,label\n1,2,x\n2,3,x\n3,4,x\n");
        Result train = run("train", "--data", one.toString());
        assertThat(train.exitCode()).isEqualTo(2);
        assertThat(train.err()).contains("one.csv: all 3 labeled records have the label 'x'", "at least two labels");

        // test data without labels is refused before training, not after it
        Path two = Files.writeString(dir.resolve("two.csv"), "a,b,label\n1,2,x\n2,3,y\n3,4,x\n4,5,y\n");
        Path unlabeledTest = Files.writeString(dir.resolve("new.csv"), "a,b\n1,2\n");
        Result noLabels = run("train", "--data", two.toString(), "--test", unlabeledTest.toString());
        assertThat(noLabels.exitCode()).isEqualTo(2);
        assertThat(noLabels.err()).contains("new.csv: none of its 1 records has a label", "use distillery predict");
        assertThat(noLabels.out()).doesNotContain("test accuracy");
        // the same one check for every command that scores on a test set, before it trains anything
        for (String[] command : List.of(new String[] {"label", "simulate", two.toString()}, new String[] {"federate", two.toString()})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--test", unlabeledTest.toString()));
            Result r = run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).contains("new.csv: none of its 1 records has a label", "use distillery predict");
        }

        // labels under another header are read as a category column, which the error names
        Path species = Files.writeString(dir.resolve("iris.csv"), "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n");
        Result unnamed = run("train", "--data", species.toString());
        assertThat(unnamed.exitCode()).isEqualTo(2);
        assertThat(unnamed.err()).contains("none of its 2 records has a label ('species' was read as categories: if it holds "
                + "the labels, train with --label-column species)");
        // labels as 0/1 under another header (Titanic's Survived) were read as a number column: named, not the ages
        StringBuilder passengers = new StringBuilder("age,fare,survived\n");
        for (int i = 0; i < 12; i++) {
            passengers.append(20 + i).append(',').append(7.25 + i).append(',').append(i % 2).append('\n');
        }
        Path survived = Files.writeString(dir.resolve("passengers.csv"), passengers);
        Result numbers = run("train", "--data", survived.toString());
        assertThat(numbers.exitCode()).isEqualTo(2);
        assertThat(numbers.err()).contains("none of its 12 records has a label ('survived' (0, 1) holds a few whole numbers: if it"
                + " holds the labels, train with --label-column survived)").doesNotContain("'age'");
        assertThat(run("data", "inspect", survived.toString()).out()).contains("no record has a label",
                "inspect with --label-column survived");
        // a split of it says so before it writes files whose labels training could not find
        Result split = run("data", "split", survived.toString(), "--out", dir.resolve("split").toString());
        assertThat(split.exitCode()).isEqualTo(0);
        assertThat(split.out()).contains("none of the 12 records", "has a label, so the split is not stratified",
                "split with --label-column survived");
        // short reviews and their sentiment: two word columns, one of them the text
        Path reviews = Files.writeString(dir.resolve("reviews.csv"), "review,sentiment\n\"Love it\",positive\n\"Broke at once\",negative\n");
        Result both = run("train", "--data", reviews.toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("('review', 'sentiment' were read as categories: if one holds the labels, train with "
                + "--label-column NAME, and if one is a text to classify, --text-column NAME)");
    }

    @Test
    void aColumnOfAmountsIsRefusedAsLabelsByEveryCommandThatLearnsFromLabels() throws Exception {
        // a wage table: wages to the cent repeat (5.00 on many rows), so most rows share their value, most values do not
        StringBuilder rows = new StringBuilder("education,experience,wage\n");
        Random rng = new Random(5);
        for (int i = 0; i < 80; i++) {
            String wage = i % 3 == 0 ? String.format(java.util.Locale.ROOT, "%.2f", 3 + 20 * rng.nextDouble()) : String.valueOf(4 + i % 4);
            rows.append(8 + rng.nextInt(10)).append(',').append(rng.nextInt(40)).append(',').append(wage).append('\n');
        }
        Path wages = Files.writeString(dir.resolve("wages.csv"), rows);
        for (String[] command : List.of(new String[] {"train", wages.toString()}, new String[] {"label", "issues", wages.toString()},
                new String[] {"label", "simulate", wages.toString(), "--test", wages.toString()},
                new String[] {"federate", wages.toString()})) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of("--label-column",
                    "wage")).toArray(String[]::new);
            Result r = run(args);
            assertThat(r.exitCode()).as(String.join(" ", command) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).contains("wages.csv: its labels look like numbers to predict", "different numbers on its 80 labeled"
                    + " records", "bin it into classes");
        }
    }

    @Test
    void aBadRecordSaysHowToSkipItAndEveryInputOfACommandFollowsItsPolicy() throws Exception {
        Path gaps = Files.writeString(dir.resolve("gaps.csv"), "x1,x2,label\n1,2,a\n1,2..5,b\n3,4,a\n");
        Result train = run("train", "--data", gaps.toString());
        assertThat(train.exitCode()).isEqualTo(2);
        assertThat(train.err()).contains("gaps.csv:line 3", "column 2 ('x2') is '2..5'", "--on-error skip");
        Path quote = Files.writeString(dir.resolve("quote.csv"), "x1,label\n\"1,a\n");
        Result broken = run("train", "--data", quote.toString());
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err()).as("broken quoting is not a record to skip").contains("malformed CSV").doesNotContain("--on-error");

        // curate's test file is read under the same policy as its input: named under fail, skipped and counted under skip
        Path corpus = Files.writeString(dir.resolve("corpus.jsonl"), "{\"id\":\"a\",\"text\":\"a record long enough to keep, with some"
                + " words in it\"}\n");
        Path test = Files.writeString(dir.resolve("test.jsonl"), "{\"text\":\"another record\"}\n{\"text\": 7}\n");
        Path out = dir.resolve("clean.jsonl");
        Result strict = run("curate", corpus.toString(), "--out", out.toString(), "--test", test.toString());
        assertThat(strict.exitCode()).isEqualTo(2);
        assertThat(strict.err()).contains("test.jsonl:line 2", "--on-error skip");
        Result lenient = run("curate", corpus.toString(), "--out", out.toString(), "--test", test.toString(), "--on-error", "skip");
        assertThat(lenient.exitCode()).as(lenient.err()).isZero();
        assertThat(lenient.out()).contains("skipped 1 bad record in " + test + ":\n  " + test + ":line 2: ");
    }

    @Test
    void evaluatingOnTheDataAModelTrainedOnSaysItMeasuresMemory() throws Exception {
        Path data = denseCsv("train.csv", 4, 40);
        String model = trainedRun(data);
        Result same = run("eval", "--model", model, "--data", data.toString());
        assertThat(same.exitCode()).as(same.err()).isZero();
        assertThat(same.out() + same.err()).contains("is the data the model was trained on", "partly measure memory");
        Result other = run("eval", "--model", model, "--data", denseCsv("other.csv", 4, 10).toString());
        assertThat(other.exitCode()).as(other.err()).isZero();
        assertThat(other.out() + other.err()).doesNotContain("trained on");
    }

    @Test
    void badInputLeavesNoRunAndDamagedRunsDoNotBreakTheStore() throws Exception {
        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, "{\"text\": oops}\n");
        assertThat(run("train", "--data", broken.toString()).exitCode()).isEqualTo(2);
        assertThat(run("train", "--data", dir.resolve("missing.jsonl").toString()).exitCode()).isEqualTo(2);
        Result none = run("runs", "list");
        assertThat(none.exitCode()).isZero();
        assertThat(none.out()).contains("no runs yet");

        trainedRun(denseCsv("train.csv", 4, 40));
        Path runs = dir.resolve("home").resolve("runs");
        Path empty = Files.createDirectories(runs.resolve("20260101-000000-train-aaaaaa"));
        Path damaged = Files.createDirectories(runs.resolve("20260101-000001-train-bbbbbb"));
        Files.writeString(damaged.resolve("provenance.json"), "{\"status\": \"runn");
        Result list = run("runs", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("aaaaaa", "incomplete", "bbbbbb", "unreadable", "finished");
        assertThat(list.out()).as("the reason beside the status word, not cut to the column")
                .contains("unreadable  provenance.json is damaged", "incomplete  no provenance.json");
        Result lastOne = run("runs", "list", "--last", "1");
        assertThat(lastOne.out()).contains("finished", "(1 of 3 runs)").doesNotContain("aaaaaa", "bbbbbb"); // the newest
        Result splits = run("runs", "list", "--command", "data split");
        assertThat(splits.out()).contains("no runs of 'data split' among the 3");
        Result trains = run("runs", "list", "--command", "train", "--last", "5");
        assertThat(trains.out().lines().filter(l -> l.matches("\\d{8}-\\d{6}-train-.*"))).hasSize(3);

        Result resumeEmpty = run("resume", empty.getFileName().toString());
        assertThat(resumeEmpty.exitCode()).isEqualTo(2);
        assertThat(resumeEmpty.err()).contains("cannot be resumed", "incomplete").doesNotContain("Exception");
        Result resumeDamaged = run("train", "--resume", damaged.toString());
        assertThat(resumeDamaged.exitCode()).isEqualTo(2);
        assertThat(resumeDamaged.err()).contains("cannot be resumed", "unreadable");

        Result nothingNamed = run("runs", "rm");
        assertThat(nothingNamed.exitCode()).isEqualTo(2);
        assertThat(nothingNamed.err()).contains("name the runs to delete");
        Result typo = run("runs", "rm", "aaaaaa", "nope");
        assertThat(typo.exitCode()).as("a bad name deletes nothing").isEqualTo(2);
        assertThat(empty).isDirectory();
        Result dry = run("runs", "rm", "--failed", "--dry-run");
        assertThat(dry.out()).contains("would delete 2 runs", "nothing deleted").doesNotContain("(finished");
        assertThat(empty).isDirectory();
        Result failed = run("runs", "rm", "--failed");
        assertThat(failed.exitCode()).as(failed.err()).isZero();
        assertThat(failed.out()).contains("deleted " + empty.getFileName() + " (incomplete", "deleted " + damaged.getFileName()
                + " (unreadable", "deleted 2 runs");
        assertThat(empty).doesNotExist();
        assertThat(damaged).doesNotExist();
        String finished = run("runs", "list").out().lines().filter(l -> l.contains("finished")).findFirst().orElseThrow().split(" ")[0];
        dev.distillery.run.Run live = new dev.distillery.run.RunStore(runs).create("eval");
        live.start("eval", List.of(), 1, List.of()); // this process: alive
        Result withLive = run("runs", "rm", finished, live.id());
        assertThat(withLive.exitCode()).isEqualTo(2);
        assertThat(withLive.err()).contains("is still running", "nothing was deleted");
        assertThat(runs.resolve(finished)).as("checked before anything went").isDirectory();
        dev.distillery.run.Run user = new dev.distillery.run.RunStore(runs).create("eval");
        user.start("eval", List.of("--model", finished), 1, List.of()); // an eval of the run about to go
        Result one = run("runs", "rm", finished.substring(finished.length() - 6));
        assertThat(one.out()).contains("deleted " + finished + " (finished, ", "KiB)", "deleted 1 run, ",
                "note: " + finished + " is named by " + user.id());
        assertThat(run("runs", "list").out()).contains(live.id()).doesNotContain(finished);
    }

    @Test
    void aWriteCleansUpTheTemporaryFileAKilledWriteLeftBehind() throws Exception {
        Path out = dir.resolve("out.jsonl");
        Path stale = Files.writeString(dir.resolve(".out.jsonl8123456789.tmp"), "");
        Path other = Files.writeString(dir.resolve(".other.jsonl123.tmp"), "");
        dev.distillery.util.AtomicFiles.writeString(out, "{}\n");
        assertThat(out).hasContent("{}");
        assertThat(stale).doesNotExist();
        assertThat(other).exists();
    }

    @Test
    void curateCleansATablesOneColumnOfFreeTextWhereNoColumnIsNamedText() throws Exception {
        StringBuilder rows = new StringBuilder("ticket_no,product,description,label\n");
        String[][] words = {"the printer screen in our office is broken cracked and will not print since the fall".split(" "),
            "my laptop will not connect to the network wifi router since the update this morning".split(" ")};
        Random rng = new Random(9);
        for (int i = 0; i < 40; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                text.append(w == 0 ? "" : " ").append(words[i % 2][rng.nextInt(words[i % 2].length)]).append(w == 5 ? i : "");
            }
            rows.append(100 + i).append(',').append(i % 3 == 0 ? "app" : "web").append(',').append(text).append(',')
                    .append(i % 2 == 0 ? "hardware" : "network").append('\n');
        }
        Path tickets = Files.writeString(dir.resolve("tickets.csv"), rows);
        Path out = dir.resolve("clean.jsonl");
        Result r = run("curate", tickets.toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("'description' is read as the text, the file's one column of free text");
        List<String> kept = Files.readAllLines(out);
        assertThat(kept).isNotEmpty().allSatisfy(line -> assertThat(line).contains("\"description\":\"", "\"product\":"));
        // a CSV out of a CSV: the input's columns in its order, the kept records' cells as they were
        Path csvOut = dir.resolve("clean.csv");
        Result asCsv = run("curate", tickets.toString(), "--out", csvOut.toString());
        assertThat(asCsv.exitCode()).as(asCsv.err()).isZero();
        List<String> csvLines = Files.readAllLines(csvOut);
        assertThat(csvLines.get(0)).isEqualTo("ticket_no,product,description,label");
        assertThat(csvLines).hasSize(kept.size() + 1);
        assertThat(rows.toString().lines().toList()).containsAll(csvLines);
        // and train reads it as the ticket table it is, its text chosen
        Result train = run("train", csvOut.toString());
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("columns: 'description' is read as the text");
        // a file of ids and one column of text under another name ("id,body"): that column, where --text-column was needed
        StringBuilder bodies = new StringBuilder("id,body\n");
        for (int i = 0; i < 40; i++) {
            bodies.append(i + 1).append(",\"").append(rows.toString().lines().skip(i + 1).findFirst().orElseThrow().split(",")[2])
                    .append("\"\n");
        }
        Result body = run("curate", Files.writeString(dir.resolve("bodies.csv"), bodies).toString(), "--out",
                dir.resolve("bodies.jsonl").toString());
        assertThat(body.exitCode()).as(body.err()).isZero();
        assertThat(body.out()).contains("'body' is read as the text, the file's one column beside its id and labels");
        assertThat(Files.readAllLines(dir.resolve("bodies.jsonl"))).isNotEmpty().allSatisfy(line -> assertThat(line).contains("\"body\":\""));
    }

    @Test
    void curateRefusesMissingDirectoryAndEmptyInputsByName() throws Exception {
        Path out = dir.resolve("out.jsonl");
        Result missing = run("curate", dir.resolve("nope.jsonl").toString(), "--out", out.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.jsonl", "file not found");
        Result directory = run("curate", dir.toString(), "--out", out.toString());
        assertThat(directory.exitCode()).isEqualTo(2);
        assertThat(directory.err()).contains("is a directory");
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n  \n");
        Result none = run("curate", empty.toString(), "--out", out.toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("empty.jsonl", "holds no records");
        Path jsonl = Files.writeString(dir.resolve("corpus.jsonl"), "{\"id\":\"a\",\"text\":\"some words to keep\"}\n");
        Result csvOut = run("curate", jsonl.toString(), "--out", dir.resolve("clean.csv").toString());
        assertThat(csvOut.exitCode()).isEqualTo(2);
        assertThat(csvOut.err()).contains("clean.csv", "curate writes a CSV or TSV file only from one");
        assertThat(out).doesNotExist();
        Result missingTest = run("train", "--data", denseCsv("t.csv", 4, 20).toString(), "--test", dir.resolve("gone.csv").toString());
        assertThat(missingTest.exitCode()).isEqualTo(2);
        assertThat(missingTest.err()).contains("gone.csv");
    }

    @Test
    void ourOwnArgumentChecksAreBadInputButALibrarysAreAFailureWithItsTraceInAFile() throws Exception {
        IllegalArgumentException ours = new IllegalArgumentException("--epochs must be >= 1");
        ours.setStackTrace(new StackTraceElement[] {new StackTraceElement("dev.distillery.train.TrainConfig", "check", "TrainConfig.java", 1)});
        IllegalArgumentException library = new IllegalArgumentException("shape (3, 4) does not match (3, 5)");
        library.setStackTrace(new StackTraceElement[] {new StackTraceElement("ai.djl.ndarray.NDArray", "matMul", "NDArray.java", 1)});
        assertThat(Main.isBadInput(ours)).isTrue();
        assertThat(Main.isBadInput(library)).isFalse();
        assertThat(Main.isBadInput(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("x.jsonl")))).isTrue();

        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(Main.handle(library, cl, null)).isEqualTo(1);
        assertThat(err.toString()).contains("failed:", "shape (3, 4)", "full trace:");
        Path logs = dir.resolve("home").resolve("logs");
        try (var files = Files.list(logs)) {
            Path trace = files.findFirst().orElseThrow();
            assertThat(Files.readString(trace)).contains("ai.djl.ndarray.NDArray.matMul");
        }
        assertThat(Main.handle(ours, cl, null)).isEqualTo(2);
    }

    @Test
    void aFailureQuotingTheDataItFailedOnKeepsItsPersonalDataOutOfTheMessageAndTheTraceFile() throws Exception {
        NumberFormatException parse = new NumberFormatException("For input string: \"ann.lee@example.com 078-05-1120\"");
        parse.setStackTrace(new StackTraceElement[] {new StackTraceElement("java.lang.Float", "parseFloat", "Float.java", 1)});
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(Main.handle(parse, cl, null)).isEqualTo(1);
        assertThat(err.toString()).contains("failed:", "For input string", "[EMAIL]", "[NATIONAL_ID]")
                .doesNotContain("ann.lee@example.com", "078-05-1120");
        try (var files = Files.list(dir.resolve("home").resolve("logs"))) {
            String trace = Files.readString(files.findFirst().orElseThrow());
            assertThat(trace).contains("java.lang.Float.parseFloat", "[EMAIL]").doesNotContain("ann.lee@example.com", "078-05-1120");
        }
    }

    @Test
    void emptyTextsAreTrainedOnWithAWarningAndCounted() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String text = i % 10 == 0 ? "  " : (i % 2 == 0 ? "free money prize offer " : "meeting agenda review notes ") + i;
            lines.add("{\"text\": \"" + text + "\", \"label\": \"" + (i % 2 == 0 ? "spam" : "ham") + "\"}");
        }
        Path f = Files.write(dir.resolve("texts.jsonl"), lines);
        Result train = run("train", "--data", f.toString(), "--model", "linear", "--test-fraction", "0.25");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("labeled training texts are empty or blank");
        String runDir = train.runDir().toString();
        var results = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(runDir, "results.json").toFile());
        assertThat(results.get("empty_train_texts").asInt()).isPositive();
    }
}
