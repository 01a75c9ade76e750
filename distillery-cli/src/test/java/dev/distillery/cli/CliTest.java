package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest extends CliTestBase {
    @Test
    void helpListsEveryStageAndExitCodes() {
        Result r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("quickstart", "data", "train", "eval", "predict", "runs", "ui", "Exit codes", "bad input");
    }

    @Test
    void everyCommandsHelpRendersWithoutAWarning() {
        // a '%' in a description is a format directive to picocli: "a 10% hold-out" printed three warnings over --help
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(20);
        for (List<String> path : paths) {
            Result r = run(with(path, "--help"));
            assertThat(r.exitCode()).as(String.join(" ", path)).isZero();
            assertThat(r.err()).as(String.join(" ", path)).doesNotContain("WARN");
            assertThat(r.out()).as(String.join(" ", path)).contains("Usage:");
        }
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandName().equals(name)) { // aliases are the same command
                List<String> deeper = new ArrayList<>(path);
                deeper.add(name);
                collect(sub, deeper, out);
            }
        });
    }

    @Test
    void trainAndDataFetchHelpNameEveryKnownDataSet() {
        String train = run("train", "--help").out().replaceAll("\\s+", " ");
        String fetch = run("data", "fetch", "--help").out().replaceAll("\\s+", " ");
        var known = new dev.distillery.data.sources.DataCatalog(dir.resolve("datasets")).known();
        assertThat(known).hasSizeGreaterThan(2);
        for (var data : known) {
            assertThat(train).as("train --help").contains(data.name());
            assertThat(fetch).as("data fetch --help").contains(data.name());
        }
    }

    @Test
    void aSplitsHalvesKeepTheColumnNamesTheFileWasReadWith() throws Exception {
        // a ticket export: the text under 'body', the class under 'queue'
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(spamFile(20))) {
            lines.add(line.replace("\"text\"", "\"body\"").replace("\"label\"", "\"queue\""));
        }
        Path tickets = Files.write(dir.resolve("tickets.jsonl"), lines);
        Path split = dir.resolve("split");
        assertThat(run("data", "split", tickets.toString(), "--label-column", "queue", "--text-column", "body", "--out",
                split.toString()).exitCode()).isZero();
        assertThat(Files.readAllLines(split.resolve("test.jsonl")).get(0)).contains("\"body\":", "\"queue\":").doesNotContain("\"text\"");
        // read as the original is: with the same options, and by a model trained on the original
        Result onHalf = run("train", "--data", split.resolve("train.jsonl").toString(), "--test", split.resolve("test.jsonl").toString(),
                "--label-column", "queue", "--text-column", "body", "--model", "linear");
        assertThat(onHalf.exitCode()).as(onHalf.err()).isZero();
        Result whole = run("train", "--data", tickets.toString(), "--label-column", "queue", "--text-column", "body", "--model", "linear");
        assertThat(whole.exitCode()).as(whole.err()).isZero();
        Result eval = run("eval", "--model", whole.runId(), "--data", split.resolve("test.jsonl").toString());
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        // new tickets with columns of their own: predict reads the text and passes over the rest without a word
        Path fresh = Files.writeString(dir.resolve("fresh.csv"), "ref,note,body\nT1,urgent,free money winner\nT2,,kernel patch review\n");
        Result predicted = run("predict", "--model", whole.runId(), "--data", fresh.toString());
        assertThat(predicted.exitCode()).as(predicted.err()).isZero();
        assertThat(predicted.out().lines()).hasSize(2);
        assertThat(predicted.err()).doesNotContain("not read").doesNotContain("warning");
        Result federated = run("federate", "--data", split.resolve("train.jsonl").toString(), "--test", split.resolve("test.jsonl").toString(),
                "--label-column", "queue", "--text-column", "body", "--clients", "2", "--rounds", "1");
        assertThat(federated.exitCode()).as(federated.err()).isZero();
        assertThat(run("data", "split", tickets.toString(), "--label-column", "queue", "--text-column", "body", "--out",
                dir.resolve("csv").toString(), "--format", "csv").exitCode()).isZero();
        assertThat(Files.readAllLines(dir.resolve("csv/train.csv")).get(0)).isEqualTo("id,queue,body");
    }

    @Test
    void trainAppliesLabelCorrectionsCountsThemAndRecordsTheFileAsAnInput() throws Exception {
        Path data = spamFile(20);
        Path corrections = dir.resolve("corrections.jsonl");
        Files.writeString(corrections, "{\"id\":\"m0\",\"action\":\"relabel\",\"label\":\"ham\"}\n"
                + "{\"id\":\"m1\",\"action\":\"remove\"}\n{\"id\":\"m2\",\"action\":\"keep\"}\n");
        Result r = run("train", "--data", data.toString(), "--test-fraction", "0.25", "--model", "ngram", "--epochs", "1",
                "--corrections", corrections.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("corrections: 1 relabeled, 1 removed, 1 confirmed as given");
        Path runDir = r.runDir();
        assertThat(Files.readString(runDir.resolve("provenance.json"))).contains(corrections.toAbsolutePath().toString());

        Files.writeString(corrections, "{\"id\":\"nobody\",\"action\":\"keep\"}\n");
        Result wrong = run("train", "--data", data.toString(), "--test-fraction", "0.25", "--corrections", corrections.toString());
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains(corrections.toString(), "nobody");
    }

    @Test
    void everyCommandsHelpRendersWithoutFormatWarningsOrUnresolvedVariables() {
        // picocli formats descriptions with String.format: a bare '%' (as in "1% of the labels") garbles the text
        // and prints a warning instead of the help a user asked for.
        PrintStream originalErr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        List<String> rendered = new ArrayList<>();
        try {
            CommandLine root = Main.commandLine();
            List<CommandLine> pending = new ArrayList<>(List.of(root));
            while (!pending.isEmpty()) {
                CommandLine cl = pending.remove(pending.size() - 1);
                rendered.add(cl.getCommandName());
                // picocli reads ${...} in a description as a variable and prints "null" for one it cannot resolve
                // and names an option's value by its Java field ("--port=<port>") where it has no label of its own
                assertThat(cl.getUsageMessage()).as(cl.getCommandName()).doesNotContainPattern("\\bnull\\b").doesNotContain("=<");
                pending.addAll(cl.getSubcommands().values());
            }
        } finally {
            System.setErr(originalErr);
        }
        assertThat(rendered).contains("collapse", "quickstart", "train", "split", "issues");
        assertThat(warnings.toString(StandardCharsets.UTF_8)).doesNotContain("WARN");
    }

    @Test
    void missingDataFileIsBadInputNamingTheFile() {
        Result r = run("train", "--data", dir.resolve("missing.jsonl").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("missing.jsonl").contains("file not found");
    }

    @Test
    void unknownOptionValueIsBadInput() {
        Result r = run("train", "--data", "x.jsonl", "--optimizer", "magic");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("magic");
    }

    @Test
    void fixMatchViewsAndWeightAverageAreBadInputWithAnotherMethodOrOutOfRange() {
        assertBadInput("--ssl-views applies to --ssl-method fixmatch only",
                "train", "--data", "x.jsonl", "--labeled", "10", "--unlabeled", "rest", "--ssl-views", "mild");
        assertBadInput("expected paper or mild",
                "train", "--data", "x.jsonl", "--labeled", "10", "--unlabeled", "rest", "--ssl-method", "fixmatch", "--ssl-views", "strong");
        assertBadInput("--ssl-ema applies to --ssl-method fixmatch only",
                "train", "--data", "x.jsonl", "--labeled", "10", "--unlabeled", "rest", "--ssl-ema", "0.99");
        assertBadInput("weight-average decay must be in [0, 1), got: 1.0",
                "train", "--data", "x.jsonl", "--labeled", "10", "--unlabeled", "rest", "--ssl-method", "fixmatch", "--ssl-ema", "1");
    }

    /** The command fails as bad input (exit 2) and says {@code message}. */
    private void assertBadInput(String message, String... args) {
        Result r = run(args);
        assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
        assertThat(r.err()).contains(message);
    }

    @Test
    void malformedRecordFailsWithLineNumberThenSkipsWhenAsked() throws Exception {
        Path f = spamFile(40);
        Files.writeString(f, "{\"text\": oops}\n", java.nio.file.StandardOpenOption.APPEND);
        Result failed = run("train", "--data", f.toString(), "--epochs", "1");
        assertThat(failed.exitCode()).isEqualTo(2);
        assertThat(failed.err()).contains("mail.jsonl:line 81").contains("malformed JSON");
        Result skipped = run("train", "--data", f.toString(), "--epochs", "1", "--on-error", "skip", "--lr", "0.02");
        assertThat(skipped.exitCode()).isZero();
        assertThat(skipped.out()).contains("skipped 1 bad record:\n  " + f + ":line 81: malformed JSON");
    }

    @Test
    void trainPredictEvalAndRunsWorkTogether() throws Exception {
        Path f = spamFile(60);
        Result train = run("train", "--data", f.toString(), "--epochs", "4", "--lr", "0.02", "--model", "ngram", "--width", "8");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("test accuracy", "run saved to");
        String runId = train.runId();

        Result predict = run("predict", "--model", runId, "--text", "free money winner offer", "--top-k", "2");
        assertThat(predict.exitCode()).as(predict.err()).isZero();
        assertThat(predict.out()).contains("\"label\":\"spam\"").contains("\"top\"");
        assertThat(predict.err()).doesNotContain("blank");
        Result blank = run("predict", "--model", runId, "--text", " ", "--text", "free money winner offer");
        assertThat(blank.exitCode()).as(blank.err()).isZero();
        assertThat(blank.out().lines().filter(l -> l.startsWith("{"))).hasSize(2);
        assertThat(blank.err()).contains("1 of 2 texts are empty or blank");

        Path out = dir.resolve("pred.jsonl");
        Result predictFile = run("predict", "--model", runId, "--input", f.toString(), "--output", out.toString());
        assertThat(predictFile.exitCode()).isZero();
        assertThat(Files.readAllLines(out)).hasSize(120).allMatch(l -> l.contains("\"true_label\""));
        assertThat(predictFile.err()).doesNotContain("does not know");
        Path numbered = dir.resolve("numbered.jsonl");
        Files.writeString(numbered, "{\"text\": \"free money\", \"label\": \"1\"}\n{\"text\": \"lunch today\", \"label\": \"0\"}\n");
        Result wrongLabels = run("predict", "--model", runId, "--input", numbered.toString());
        assertThat(wrongLabels.exitCode()).as(wrongLabels.err()).isZero();
        assertThat(wrongLabels.err()).contains("2 of 2 labeled records carry labels the model does not know");

        Result eval = run("eval", "--model", runId, "--data", f.toString());
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("macro F1", "latency p50").doesNotContain("no label");

        // records without a label cannot be scored: they are counted and said, never dropped silently
        Path partly = dir.resolve("partly-labeled.jsonl");
        Files.writeString(partly, Files.readString(f) + "{\"id\":\"u1\",\"text\":\"meeting notes attached\"}\n"
                + "{\"id\":\"u2\",\"text\":\"win money now\",\"label\":null}\n");
        Result partial = run("eval", "--model", runId, "--data", partly.toString());
        assertThat(partial.exitCode()).as(partial.err()).isZero();
        assertThat(partial.out()).contains("2 of 122 records of " + partly + " have no label and are not scored");
        Path partialRun = partial.runDir();
        assertThat(Files.readString(partialRun.resolve("results.json"))).containsPattern("\"unlabeled_records\" ?: ?2");
        assertThat(Files.readString(partialRun.resolve("summary.md"))).contains("2 records without a label, not scored");

        Result list = run("runs", "list");
        assertThat(list.out()).contains(runId).contains("-eval-");
        Result show = run("runs", "show", runId);
        assertThat(show.out()).contains("test accuracy").contains("model/weights.params").contains("seed:     42")
                .containsPattern("cost: +\\d+\\.\\d{3} CPU-hours \\([\\d,]+ CPU seconds, every thread\\)");

        // a finished run has nothing to resume, and a run of a command without checkpoints is refused by name
        assertBadInput("finished; there is nothing to resume", "resume", runId);
        assertBadInput("finished; there is nothing to resume", "train", "--resume", runId);
        String evalRun = list.out().lines().filter(l -> l.contains("-eval-")).findFirst().orElseThrow().trim().split("\\s+")[0];
        assertBadInput("is a 'eval' run, which keeps no checkpoints", "resume", evalRun);
        assertBadInput("no run 'nosuchrun'", "resume", "nosuchrun");
        // and a run without a model is named for what it is when asked for one
        assertBadInput("has no saved model: it is a 'eval' run, which saves none", "predict", "--model", evalRun, "--text", "hi");
    }

    @Test
    void distillSynthAndCollapseReadTextUnderAnotherNameThanTheTeachersWithTheColumnOptions() throws Exception {
        Path f = spamFile(30);
        // the same messages exported by another system: the text under 'message', the class under 'category'
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            lines.add(line.replace("\"text\"", "\"message\"").replace("\"label\"", "\"category\""));
        }
        Path export = Files.write(dir.resolve("export.jsonl"), lines);
        Result teacher = run("train", f.toString(), "--model", "linear");
        assertThat(teacher.exitCode()).as(teacher.err()).isZero();
        String[] columns = {"--text-column", "message", "--label-column", "category"};

        Result distill = run(with(List.of("distill", "--teacher", teacher.runId(), "--student", "ngram", "--width", "2",
                "--transfer", export.toString(), "--test", export.toString(), "--epochs", "1"), columns));
        assertThat(distill.exitCode()).as(distill.err()).isZero();
        Result synth = run(with(List.of("synth", export.toString(), "--teacher", teacher.runId(), "--candidates", "20",
                "--out", dir.resolve("synth.jsonl").toString()), columns));
        assertThat(synth.exitCode()).as(synth.err()).isZero();
        assertThat(synth.out()).contains("candidates accepted");

        // collapse read such a CSV file as a table and asked for test images; now it says to name the text column
        Path csv = dir.resolve("export.csv");
        assertThat(run("data", "split", export.toString(), "--test-fraction", "0.5", "--out", dir.resolve("csv").toString(),
                "--format", "csv", "--text-column", "message", "--label-column", "category").exitCode()).isZero();
        Files.move(dir.resolve("csv/train.csv"), csv);
        assertThat(Files.readAllLines(csv).get(0)).isEqualTo("id,category,message");
        Result asTable = run("collapse", csv.toString(), "--generations", "1", "--seeds", "1");
        assertThat(asTable.exitCode()).isEqualTo(2);
        assertThat(asTable.err()).contains("was read as", "--text-column").doesNotContain("holds images");
        Result collapse = run("collapse", csv.toString(), "--generations", "1", "--seeds", "1", "--text-column", "message");
        assertThat(collapse.exitCode()).as(collapse.err()).isZero();
        assertThat(collapse.out()).contains("perplexity");
    }

    @Test
    void loraAdaptsATextModelToANewDomainsOwnLabeledExamples() throws Exception {
        Path source = spamFile(40);
        Result base = run("train", source.toString(), "--model", "ngram", "--width", "4", "--epochs", "1");
        assertThat(base.exitCode()).as(base.err()).isZero();
        assertThat(base.out()).contains("warning: the test part holds 16 examples, so each moves test accuracy by 6 points");
        // the new domain's messages, exported by another system under other names
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(spamFile(30))) {
            lines.add(line.replace("\"text\"", "\"message\"").replace("\"label\"", "\"category\""));
        }
        Path target = Files.write(dir.resolve("target.jsonl"), lines);
        Result lora = run("lora", base.runId(), "--data", target.toString(), "--text-column", "message", "--label-column",
                "category", "--full", "--epochs", "1");
        assertThat(lora.exitCode()).as(lora.err()).isZero();
        assertThat(lora.out()).contains("base on the new data", "lora rank 8", "full fine-tune", "LoRA rank 8:")
                .contains("at least 200 optimizer steps") // few labels: a small-data schedule, not 1 epoch of 48 examples
                .contains("warning: the test part holds 12 examples") // as train says of a small test part
                .contains("train on the new examples alone: distillery train --data " + target + " --test-fraction 0.2"
                        + " --label-column category --text-column message");
        Path runDir = lora.runDir();
        assertThat(Files.readString(runDir.resolve("config.json"))).contains(target.toString());
        assertThat(Files.readString(runDir.resolve("provenance.json"))).contains(target.toString());
        assertThat(runDir.resolve("adapter")).isDirectory();

        // one way to name the new domain at a time; labels the model does not know are refused before any training
        assertThat(run("lora", base.runId(), "--data", target.toString(), "--shift", "invert").exitCode()).isEqualTo(2);
        assertThat(run("lora", base.runId(), "--test", target.toString()).exitCode()).isEqualTo(2);
        Result both = run("lora", base.runId(), "--data", target.toString(), "--test", target.toString(), "--test-fraction", "0.3");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--test and --test-fraction both given");
        Result badFraction = run("lora", base.runId(), "--data", target.toString(), "--test-fraction", "1.5");
        assertThat(badFraction.exitCode()).isEqualTo(2);
        assertThat(badFraction.err()).contains("--test-fraction must be between 0 and 1, exclusive, got 1.5");
        Result noDomain = run("lora", base.runId()); // the image shift cannot turn texts
        assertThat(noDomain.exitCode()).isEqualTo(2);
        assertThat(noDomain.err()).contains("this model reads text", "--data");
        Path otherLabels = Files.writeString(dir.resolve("other.jsonl"),
                "{\"text\": \"free money\", \"label\": \"urgent\"}\n{\"text\": \"the agenda\", \"label\": \"later\"}\n");
        Result unknown = run("lora", base.runId(), "--data", otherLabels.toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("urgent");
    }

    @Test
    void splitThenDistillAnNgramTeacherIntoASmallerStudent() throws Exception {
        Path f = spamFile(80);
        Path split = dir.resolve("split");
        Result s = run("data", "split", f.toString(), "--test-fraction", "0.25", "--out", split.toString());
        assertThat(s.exitCode()).as(s.err()).isZero();
        assertThat(Files.readAllLines(split.resolve("test.jsonl"))).hasSize(40);
        Result teacher = run("train", "--data", split.resolve("train.jsonl").toString(), "--test", split.resolve("test.jsonl").toString(),
                "--model", "ngram", "--width", "16", "--epochs", "3");
        assertThat(teacher.exitCode()).as(teacher.err()).isZero();
        String teacherRun = teacher.runId();
        Result distill = run("distill", "--teacher", teacherRun, "--student", "ngram", "--width", "2",
                "--transfer", split.resolve("train.jsonl").toString(), "--labeled", "0",
                "--test", split.resolve("test.jsonl").toString(), "--epochs", "3");
        assertThat(distill.exitCode()).as(distill.err()).isZero();
        assertThat(distill.out()).contains("teacher", "student", "student / teacher", "run saved to")
                .doesNotContain("duplicate in the transfer set"); // the split kept duplicates on one side

        // testing on the transfer set itself is said: the student learned those examples
        Result leaky = run("distill", "--teacher", teacherRun, "--student", "ngram", "--width", "2",
                "--transfer", split.resolve("train.jsonl").toString(), "--test", split.resolve("train.jsonl").toString(), "--epochs", "1");
        assertThat(leaky.exitCode()).as(leaky.err()).isZero();
        assertThat(leaky.out()).contains("warning: 120 of 120 test examples have an exact or near duplicate in the transfer set");
    }

    @Test
    void aSimulatedFederationSaysWhichModelItTrainsAndHoldsOutATestPartWhereNoTestSetIsGiven() throws Exception {
        Path f = spamFile(40);
        Result none = run("federate", "--clients", "2");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing the data", "--data DATA", "a subcommand: coordinator, join");
        Result badFraction = run("federate", "--data", f.toString(), "--test-fraction", "1");
        assertThat(badFraction.exitCode()).isEqualTo(2);
        assertThat(badFraction.err()).contains("--test-fraction must be between 0 and 1");
        // a fraction beside a test set would be ignored without a word: refused, as train and lora refuse it
        for (String command : List.of("federate", "train")) {
            Result both = run(command, "--data", f.toString(), "--test", f.toString(), "--test-fraction", "0.3");
            assertThat(both.exitCode()).as(command).isEqualTo(2);
            assertThat(both.err()).as(command).contains("--test and --test-fraction both given");
        }
        // as train does: a stratified part of --data held out before the rest is split over the clients; a record
        // without a label is counted, not dropped unsaid
        int messages = Files.readAllLines(f).size();
        Files.writeString(f, "{\"id\":\"unlabeled\",\"text\":\"free money\"}\n", java.nio.file.StandardOpenOption.APPEND);
        Result alone = run("federate", "--data", f.toString(), "--test-fraction", "0.25", "--clients", "2", "--rounds", "1");
        assertThat(alone.exitCode()).as(alone.err()).isZero();
        assertThat(alone.out()).contains("1 of " + (messages + 1) + " records of " + f + " have no label and are not trained on",
                "test split: ", "2 clients (dirichlet:0.3): [", "1 round of 1 local epoch, ");
        var clients = java.util.regex.Pattern.compile("2 clients \\(dirichlet:0.3\\): \\[(\\d+), (\\d+)\\]").matcher(alone.out());
        assertThat(clients.find()).as(alone.out()).isTrue();
        assertThat(Integer.parseInt(clients.group(1)) + Integer.parseInt(clients.group(2))).as("the messages less a quarter")
                .isEqualTo(messages * 3 / 4);
        Path split = dir.resolve("split");
        assertThat(run("data", "split", f.toString(), "--out", split.toString()).exitCode()).isZero();
        Result fed = run("federate", "--data", split.resolve("train.jsonl").toString(), "--test", split.resolve("test.jsonl").toString(),
                "--clients", "2", "--rounds", "1");
        assertThat(fed.exitCode()).as(fed.err()).isZero();
        assertThat(fed.out()).contains("model: NgramBagSpec[width=32", "the network for this kind of data",
                "fedavg of NgramBagSpec[width=32", "1 round of 1 local epoch, ");
    }

    @Test
    void aTableIsSplitIntoCsvFilesThatReadBackAsTheSameColumns() throws Exception {
        StringBuilder csv = new StringBuilder("age,income,region,label\n");
        for (int i = 0; i < 40; i++) {
            csv.append(20 + i).append(',').append(i == 7 ? "" : "\"$" + (30 + i) + ",000\"").append(',')
                    .append(i % 2 == 0 ? "north" : "south").append(',').append(i % 4 < 2 ? "repaid" : "default").append('\n');
        }
        Path table = Files.writeString(dir.resolve("loans.csv"), csv.toString());
        Path split = dir.resolve("csv-split");
        Result s = run("data", "split", table.toString(), "--test-fraction", "0.25", "--out", split.toString());
        assertThat(s.exitCode()).as(s.err()).isZero();
        var original = dev.distillery.data.CsvFormat.read(table, dev.distillery.data.OnError.FAIL).dataset();
        var train = dev.distillery.data.CsvFormat.read(split.resolve("train.csv"), dev.distillery.data.OnError.FAIL).dataset();
        var test = dev.distillery.data.CsvFormat.read(split.resolve("test.csv"), dev.distillery.data.OnError.FAIL).dataset();
        // the file's own records, each under the id it was read with there (its line), the income as written
        assertThat(Files.readAllLines(split.resolve("train.csv")).get(0)).isEqualTo("id,age,income,region,label");
        assertThat(Files.readString(split.resolve("test.csv")) + Files.readString(split.resolve("train.csv"))).contains("line-9,27,,south,default");
        assertThat(train.size() + test.size()).isEqualTo(40);
        assertThat(test.size()).isEqualTo(10);
        assertThat(train.schema().featureNames()).isEqualTo(original.schema().featureNames());
        var byId = new java.util.HashMap<String, float[]>();
        original.examples().forEach(e -> byId.put(e.id(), e.features()));
        for (var part : List.of(train, test)) { // every record as it was read, a gap kept as a gap
            part.examples().forEach(e -> assertThat(e.features()).containsExactly(byId.get(e.id())));
        }
        assertThat(split.resolve("train.jsonl")).doesNotExist();
    }

    @Test
    void distillWithAnUnknownStudentTypeIsBadInput() {
        Result r = run("distill", "--teacher", "x", "--student", "transformer", "--transfer", "a.jsonl", "--test", "b.jsonl");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown model type 'transformer'");
    }

    @Test
    void dataInspectShowsSchemaAndCounts() throws Exception {
        Path f = spamFile(5);
        Result r = run("data", "inspect", f.toString(), "--head", "1");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("examples: 10 (10 labeled)").contains("spam").contains("TEXT");
        // the examples shown are a text's start with its personal data masked, as every report shows texts
        Path notes = Files.writeString(dir.resolve("notes.jsonl"),
                "{\"id\": \"n1\", \"text\": \"Patient Anna Kahn (anna.kahn@example.org) reports knee pain\", \"label\": \"ortho\"}\n");
        assertThat(run("data", "inspect", notes.toString()).out()).contains("- n1 [ortho] Patient [NAME] ([EMAIL]) reports knee pain")
                .doesNotContain("Kahn");

        Path table = dir.resolve("table.csv");
        Files.writeString(table, "id,age,income,label\nc1,30,41000.5,a\nc2,55,23000,b\n");
        Result t = run("data", "inspect", table.toString());
        assertThat(t.out()).contains("feature shape [2]", "columns:  age, income", "- c1 [a] age 30 · income 41000.5");
        Path categories = dir.resolve("categories.csv");
        Files.writeString(categories, "id,age,region,label\nc1,30,north,a\nc2,55,south,b\n");
        assertThat(run("data", "inspect", categories.toString()).out()).as("a category column once, with its values")
                .contains("columns:  age, region (north, south)\n");
    }

    @Test
    void aTableWithGapsTrainsAndItsModelFillsTheGapsOfEveryFileItReadsWithItsTrainingMedians() throws Exception {
        Random rng = new Random(3);
        StringBuilder csv = new StringBuilder("id,age,income,region,label\n");
        for (int i = 0; i < 80; i++) {
            boolean a = i % 2 == 0;
            String age = rng.nextInt(8) == 0 ? "" : Integer.toString((a ? 30 : 50) + rng.nextInt(10));
            String income = rng.nextInt(8) == 0 ? "NA" : Integer.toString((a ? 20_000 : 40_000) + rng.nextInt(5_000));
            csv.append("r").append(i).append(',').append(age).append(',').append(income).append(',')
                    .append(rng.nextBoolean() ? "north" : "south").append(',').append(a ? "a" : "b").append('\n');
        }
        Path table = Files.writeString(dir.resolve("gaps.csv"), csv.toString());
        Result train = run("train", "--data", table.toString(), "--test-fraction", "0.25", "--model", "mlp", "--epochs", "3", "--seed", "1");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("gaps.csv:train lack a value, each filled with the column's median over this training data",
                "gaps.csv:test lack a value, each filled with the model's value for the column");
        Path runDir = train.runDir();
        var model = new com.fasterxml.jackson.databind.ObjectMapper().readTree(runDir.resolve("model/model.json").toFile());
        assertThat(model.at("/schema/fill").fieldNames()).toIterable().containsExactly("age", "income");
        float ageFill = (float) model.at("/schema/fill/age").asDouble();

        // a new file with a gap, its columns in another order: the model's median, not the file's own, fills it
        Path fresh = Files.writeString(dir.resolve("fresh.csv"), "id,region,income,age\nn1,north,21000,\nn2,south,41000,55\n");
        Result predict = run("predict", "--model", runDir.getFileName().toString(), "--data", fresh.toString());
        assertThat(predict.exitCode()).as(predict.err()).isZero();
        assertThat(predict.out().lines()).hasSize(2);
        assertThat(predict.err()).contains("1 of 2 records of " + fresh + " lack a value", "'age' in 1 (" + (long) ageFill);
        Path filled = Files.writeString(dir.resolve("filled.csv"), "id,region,income,age\nn1,north,21000," + ageFill + "\nn2,south,41000,55\n");
        assertThat(run("predict", "--model", runDir.getFileName().toString(), "--data", filled.toString()).out())
                .as("a gap answers as its fill value would").isEqualTo(predict.out());

        // the export's card says what a missing value is read as
        Result export = run("export", runDir.getFileName().toString());
        assertThat(export.exitCode()).as(export.err() + export.out()).isZero();
        String line = export.out().lines().filter(l -> l.startsWith("wrote model.onnx")).findFirst().orElseThrow();
        var card = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(line.substring(line.lastIndexOf(" to ") + 4))
                .resolve("featurizer.json").toFile());
        assertThat(card.at("/input/fill")).isEqualTo(model.at("/schema/fill"));
        String inspected = run("data", "inspect", table.toString()).out();
        long ageGaps = csv.toString().lines().skip(1).filter(l -> l.split(",", -1)[1].isEmpty()).count();
        assertThat(inspected).containsPattern("  age +number +" + ageGaps + "  min \\d+, median \\d+, max \\d+\\n")
                .containsPattern("  region +category +0  (north|south) \\d+, (north|south) \\d+\\n")
                .contains("missing numbers are filled with the column's median");
    }

    @Test
    void labelsUnderAnotherColumnNameTrainWithLabelColumnAndTheModelReadsLaterFilesByTheSameName() throws Exception {
        Random rng = new Random(5);
        StringBuilder csv = new StringBuilder("sepal,petal,species\n");
        for (int i = 0; i < 60; i++) {
            boolean a = i % 2 == 0;
            csv.append(String.format(java.util.Locale.ROOT, "%.2f,%.2f,%s%n", (a ? 5 : 7) + rng.nextGaussian() * 0.3,
                    (a ? 1.4 : 4.7) + rng.nextGaussian() * 0.3, a ? "setosa" : "versicolor"));
        }
        Path iris = Files.writeString(dir.resolve("iris.csv"), csv.toString());
        Result train = run("train", "--data", iris.toString(), "--label-column", "species", "--model", "linear");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).doesNotContain("holds categories");
        String runId = train.runId();
        assertThat(Files.readString(dir.resolve("home/runs").resolve(runId).resolve("config.json"))).contains("\"species\"");
        // eval reads the labels from the model's column without the option given again; predict echoes them
        Result eval = run("eval", "--model", runId, "--data", iris.toString());
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("accuracy");
        Result predict = run("predict", "--model", runId, "--data", iris.toString());
        assertThat(predict.out().lines().findFirst().orElseThrow()).contains("\"true_label\":\"setosa\"");
        assertThat(run("data", "inspect", iris.toString(), "--label-column", "species").out()).contains("columns:  sepal, petal",
                "setosa", "versicolor");
        // new flowers come without the label column: predict needs none and says nothing of it; eval names where it looked
        Path fresh = Files.writeString(dir.resolve("fresh.csv"), "petal,sepal\n1.5,5.1\n4.5,6.9\n");
        Result unlabeled = run("predict", "--model", runId, "--data", fresh.toString());
        assertThat(unlabeled.exitCode()).as(unlabeled.err()).isZero();
        assertThat(unlabeled.out().lines()).hasSize(2);
        assertThat(unlabeled.err()).doesNotContain("warning");
        Result cannot = run("eval", "--model", runId, "--data", fresh.toString());
        assertThat(cannot.exitCode()).isEqualTo(2);
        assertThat(cannot.err()).contains("fresh.csv: none of its 2 records has a label (labels are read from the column or key"
                + " 'species'; --label-column names another)", "use distillery predict");
        // a hold-out file whose labels sit under another name: named for eval alone
        Path holdout = Files.writeString(dir.resolve("holdout.csv"), Files.readString(iris).replaceFirst("species", "kind"));
        Result named = run("eval", "--model", runId, "--data", holdout.toString(), "--label-column", "kind");
        assertThat(named.exitCode()).as(named.err()).isZero();
        assertThat(named.out()).contains("accuracy");
    }

    @Test
    void aRareClassIsWarnedOfAndItsPrecisionRecallThresholdsAreWhatPredictAndEvalTake() throws Exception {
        Random rng = new Random(8);
        StringBuilder csv = new StringBuilder("amount,hour,label\n");
        for (int i = 0; i < 300; i++) {
            boolean fraud = i % 16 == 0; // 19 of 300: 6%
            csv.append(String.format(java.util.Locale.ROOT, "%.1f,%d,%s%n", (fraud ? 150 : 60) + rng.nextGaussian() * 40,
                    rng.nextInt(24), fraud ? "fraud" : "ok"));
        }
        Path payments = Files.writeString(dir.resolve("payments.csv"), csv.toString());
        Result train = run("train", "--data", payments.toString(), "--model", "linear", "--test-fraction", "0.3");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("warning: the classes are imbalanced: 'fraud' is 6.3% of the 300 labeled records",
                "(always 'ok': ", "hardest to find            'fraud', average precision");
        Path runDir = train.runDir();
        assertThat(Files.readString(runDir.resolve("summary.md"))).contains("## Finding 'fraud'", "`predict --threshold fraud=P`")
                .containsPattern("\\| \\*\\*test accuracy\\*\\* \\| \\*\\*0\\.\\d{4}\\*\\* \\(always 'ok': 0\\.\\d{4}\\) \\|");
        assertThat(Files.readString(runDir.resolve("results.json"))).contains("\"hardest_class\" : \"fraud\"");
        assertThat(runDir.resolve("plots/precision_recall.png")).isRegularFile();

        // with a threshold, 'fraud' is answered wherever its probability reaches it (and only there), more often than
        // without; eval measures the same answers; a wrong label is refused
        String id = runDir.getFileName().toString();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> plain = new ArrayList<>();
        for (String l : run("predict", id, "--data", payments.toString()).out().lines().toList()) {
            plain.add(json.readTree(l));
        }
        List<com.fasterxml.jackson.databind.JsonNode> low = new ArrayList<>();
        for (String l : run("predict", id, "--data", payments.toString(), "--threshold", "fraud=0.05").out().lines().toList()) {
            low.add(json.readTree(l));
        }
        assertThat(low).hasSize(300).allSatisfy(n -> assertThat(n.get("label").asText().equals("fraud")
                ? n.get("probability").asDouble() >= 0.05 : n.get("probability").asDouble() > 0.95).isTrue());
        long plainFraud = plain.stream().filter(n -> n.get("label").asText().equals("fraud")).count();
        long lowFraud = low.stream().filter(n -> n.get("label").asText().equals("fraud")).count();
        assertThat(lowFraud).isGreaterThan(plainFraud);
        Result eval = run("eval", id, "--data", payments.toString(), "--threshold", "fraud=0.05");
        long fraudAnswered = low.stream().filter(n -> n.get("label").asText().equals("fraud")).count();
        assertThat(eval.out()).containsPattern("(?m)^0 fraud\\s+\\d+\\s+\\d+$");
        String[] confusionRow = eval.out().lines().filter(l -> l.startsWith("1 ok")).findFirst().orElseThrow().trim().split("\\s+");
        String[] fraudRow = eval.out().lines().filter(l -> l.startsWith("0 fraud")).findFirst().orElseThrow().trim().split("\\s+");
        assertThat(Long.parseLong(confusionRow[2]) + Long.parseLong(fraudRow[2])).as("eval answers 'fraud' where predict does")
                .isEqualTo(fraudAnswered);
        // the same answers as CSV for a spreadsheet
        Path csvOut = dir.resolve("predictions.csv");
        assertThat(run("predict", id, "--data", payments.toString(), "--threshold", "fraud=0.05", "--top-k", "2", "--output",
                csvOut.toString()).exitCode()).isZero();
        List<dev.distillery.data.CsvFormat.Row> rows = dev.distillery.data.CsvFormat.rows(csvOut);
        assertThat(rows.get(0).cells()).containsExactly("id", "label", "probability", "true_label", "top2_label", "top2_probability");
        assertThat(rows).hasSize(301);
        for (int i = 0; i < 300; i++) {
            assertThat(rows.get(i + 1).cells()[1]).isEqualTo(low.get(i).get("label").asText());
            assertThat(Float.parseFloat(rows.get(i + 1).cells()[2])).isEqualTo((float) low.get(i).get("probability").asDouble());
        }
        Result typo = run("predict", id, "--data", payments.toString(), "--threshold", "frad=0.2");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("--threshold frad=0.2: expected LABEL=P with LABEL one of [fraud, ok]");

        // where the model ranks every class perfectly, no class is named as the hardest
        Path apart = Files.writeString(dir.resolve("apart.csv"), csv.toString().lines().skip(1)
                .map(l -> l.endsWith("fraud") ? "1000" + l.substring(l.indexOf(',')) : l).collect(
                        java.util.stream.Collectors.joining("\n", "amount,hour,label\n", "\n")));
        Result perfect = run("train", "--data", apart.toString(), "--model", "linear", "--test-fraction", "0.3");
        assertThat(perfect.out()).contains("hardest to find            none: every class's average precision is 1.000");
    }

    @Test
    void theCommandToTrainOnAProjectsAnswersReadsTheLabelsWhereThePoolHasThem() throws Exception {
        StringBuilder iris = new StringBuilder("sepal,petal,species\n");
        for (int i = 0; i < 12; i++) {
            iris.append(5 + i * 0.1).append(',').append(i % 2 == 0 ? 1.4 : 4.7).append(",\n");
        }
        Path pool = Files.writeString(dir.resolve("pool.csv"), iris);
        Path project = dir.resolve("species-project");
        Result next = run("label", "next", pool.toString(), "--project", project.toString(), "--n", "6", "--label-column", "species",
                "--labels", "setosa,versicolor");
        assertThat(next.exitCode()).as(next.err()).isZero();
        List<String> filled = new ArrayList<>();
        for (String row : Files.readAllLines(project.resolve("batch-001.csv"))) {
            String[] cells = row.split(",");
            filled.add(row.startsWith("id,") ? "id,label" : cells[0] + "," + (cells[3].equals("1.4") ? "setosa" : "versicolor"));
        }
        Path answers = Files.write(dir.resolve("species-answers.csv"), filled);
        Result imported = run("label", "import", answers.toString(), "--project", project.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        // the command it prints is run as given: the labels are under 'species' in the labeled file too
        String command = imported.out().lines().filter(l -> l.contains("train on them: ")).findFirst().orElseThrow()
                .replaceFirst(".*train on them: distillery ", "");
        assertThat(command).endsWith(" --label-column species");
        Result train = run((command + " --model linear").split(" "));
        assertThat(train.exitCode()).as(command + ": " + train.err()).isZero();
        assertThat(train.out()).contains("test accuracy");
    }

    @Test
    void dataListWorksOnAnEmptyCache() {
        Result r = run("data", "list");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("fashion-mnist").contains("spamassassin").contains("no");
    }

    @Test
    void aLabelingProjectsAnswersBecomeADataSetToTrainOn() throws Exception {
        Path pool = spamFile(10);
        Path project = dir.resolve("project");
        Result next = run("label", "next", pool.toString(), "--project", project.toString(), "--n", "4");
        assertThat(next.exitCode()).as(next.err()).isZero();
        // the annotator fills in the label column of the batch's CSV (the pool's own labels are the truth here)
        List<String> filled = new ArrayList<>();
        for (String row : Files.readAllLines(project.resolve("batch-001.csv"))) {
            String id = row.split(",")[0];
            filled.add(row.startsWith("id,") ? "id,label" : id + "," + (Integer.parseInt(id.substring(1)) % 2 == 0 ? "spam" : "ham"));
        }

        // saved by a spreadsheet as Windows-1252: refused by line, with how to convert it, not a failure of the tool
        Path legacy = Files.write(dir.resolve("answers-1252.csv"), (String.join("\n", filled) + ",vérifié\n")
                .getBytes(java.nio.charset.Charset.forName("windows-1252")));
        Result refused = run("label", "import", legacy.toString(), "--project", project.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("answers-1252.csv:line 5", "Windows-1252", "iconv");
        // saved as "Unicode Text" (UTF-16 with its byte-order mark): read
        Path answers = Files.write(dir.resolve("answers.csv"), ("\uFEFF" + String.join("\r\n", filled) + "\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
        Result imported = run("label", "import", answers.toString(), "--project", project.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("4 answers in total", "labeled.jsonl: 4 labeled examples", "distillery train --data");
        Result inspect = run("data", "inspect", project.resolve("labeled.jsonl").toString());
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("4");
    }

    @Test
    void runsListGivesEachCommandsHeadline() {
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("test_accuracy", 0.91234))).isEqualTo("accuracy 0.9123");
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("records_in", 4231, "records_out", 3491)))
                .isEqualTo("kept 3,491 of 4,231 records");
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("train_examples", 50000, "test_examples", 10000)))
                .isEqualTo("train 50,000 / test 10,000");
        java.util.Map<String, Object> labels = new java.util.LinkedHashMap<>();
        labels.put("random", 2250);
        labels.put("entropy", -1);
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("labels_to_target", labels)))
                .isEqualTo("labels to target: random 2,250 entropy not reached");
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("teacher", java.util.Map.of("accuracy", 0.81), "students",
                List.of(java.util.Map.of("accuracy", 0.8555))))).isEqualTo("teacher 0.8100, student 0.8555");
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("base", java.util.Map.of("test_accuracy", 0.9), "chosen", "int8",
                "variants", List.of(java.util.Map.of("name", "base", "test_accuracy", 0.9, "size_ratio", 1.0),
                        java.util.Map.of("name", "int8", "test_accuracy", 0.89, "size_ratio", 3.9)))))
                .isEqualTo("int8: accuracy 0.8900 (base 0.9000), 3.9x smaller");
        // lora keeps the size: its line gives full fine-tuning's accuracy beside it instead of "1.0x smaller"
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("base", java.util.Map.of("test_accuracy", 0.4959), "chosen",
                "lora rank 8", "variants", List.of(java.util.Map.of("name", "lora rank 8", "test_accuracy", 0.5012, "size_ratio", 1.0),
                        java.util.Map.of("name", "full fine-tune", "test_accuracy", 0.6467, "size_ratio", 1.0)))))
                .isEqualTo("lora rank 8: accuracy 0.5012 (base 0.4959); full fine-tune 0.6467");
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("flagged", 38, "examples", 600)))
                .isEqualTo("38 likely label issues of 600");
        assertThat(RunsCommand.ListRuns.headline(java.util.Map.of("anything", "else"))).isEmpty();
    }

    @Test
    void runsListNamesWhatEachRunRead() {
        assertThat(RunsCommand.ListRuns.shortName("/data/credit.csv")).isEqualTo("credit.csv");
        assertThat(RunsCommand.ListRuns.shortName("credit.csv")).isEqualTo("credit.csv");
        assertThat(RunsCommand.ListRuns.shortName("/home/runs/20261206-161615-train-f36dcc/model")).isEqualTo("train-f36dcc");
        assertThat(RunsCommand.ListRuns.shortName("20261206-162941-train-4e76c1")).isEqualTo("train-4e76c1");
        assertThat(RunsCommand.ListRuns.shortName("/x/" + "a".repeat(30) + ".csv")).hasSize(24).startsWith("…").endsWith("aaa.csv");
        assertThat(RunsCommand.ListRuns.shortName("")).isEmpty();
    }
}
