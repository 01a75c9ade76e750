package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeTest extends CliTestBase {
    private static final String RECIPE = """
            name: tiny
            stages:
              split:
                command: data split
                args: ["%s"]
                with: {test-fraction: 0.25, out: "${recipe.work}/split"}
              teacher:
                command: train
                with:
                  data: "${stages.split.train}"
                  test: "${stages.split.test}"
                  model: ngram
                  width: 8
                  epochs: 2
              small:
                command: quantize
                args: ["${stages.teacher.run}"]
              check:
                command: eval
                with: {model: "${stages.small.run}", data: "${stages.split.out}/test.jsonl"}
            intended_use: sorting a test mailbox; not for deleting mail unseen
            """;

    /** What each stage did in the run whose output is {@code out}: stage name to run / cached / resume / not run. */
    private static Map<String, String> actions(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        boolean table = false;
        for (String line : out.lines().toList()) {
            if (line.startsWith("recipe tiny:")) {
                table = true;
            } else if (table && line.startsWith("  ")) {
                String[] parts = line.trim().split("\\s+");
                m.put(parts[0], parts[1].equals("not") ? "not run" : parts[1]);
            }
        }
        return m;
    }

    @Test
    void aStageNamesTheSplitsPartsWhateverFormatTheyAreIn() throws Exception {
        StringBuilder csv = new StringBuilder("age,income,note,label\n");
        for (int i = 0; i < 40; i++) {
            csv.append(20 + i).append(',').append(30 + (i % 2) * 40 + i % 7).append(",seen on day ").append(i).append(',')
                    .append(i % 2 == 0 ? "low" : "high").append('\n');
        }
        Path data = Files.writeString(dir.resolve("loans.csv"), csv);
        String recipe = """
                name: table
                stages:
                  split:
                    command: data split
                    args: ["%s"]
                    with: {test-fraction: 0.25, out: "${recipe.work}/split"}
                  model:
                    command: train
                    with: {data: "${stages.split.%s}", test: "${stages.split.test}", model: linear}
                """;
        Files.writeString(dir.resolve("table.yaml"), recipe.formatted(data, "train"));
        Result r = run("run", dir.resolve("table.yaml").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("split/train.csv --test ", "split/test.csv", "test accuracy");

        Files.writeString(dir.resolve("table.yaml"), recipe.formatted(data, "trian"));
        Result typo = run("run", dir.resolve("table.yaml").toString(), "--plan");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("unknown output 'trian'", "train or test");
    }

    @Test
    void runsOnceCachesThenRerunsExactlyWhatChangedAndWhatDependsOnIt() throws Exception {
        Path data = spamFile(60);
        Path recipe = dir.resolve("tiny.yaml");
        Files.writeString(recipe, RECIPE.formatted(data));

        Result first = run("run", recipe.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(actions(first.out())).containsExactly(Map.entry("split", "run"), Map.entry("teacher", "run"),
                Map.entry("small", "run"), Map.entry("check", "run"));
        Path report = dir.resolve("home/recipes/tiny/report.html");
        String html = Files.readString(report);
        assertThat(html).contains("teacher", "quantize", "test_accuracy", "Lineage").contains(dir.resolve("home/recipes/tiny/work/split/train.jsonl").toString())
                .doesNotContain("http://", "https://", "<script src");
        // The final model's card: the quantized model, its intended use, the raw data it descends from with its checksum,
        // and the figures the eval stage measured on it.
        String card = html.substring(html.indexOf("<h2>Final model</h2>"), html.indexOf("<h2>Lineage</h2>"));
        assertThat(card).contains("stage small", "sorting a test mailbox; not for deleting mail unseen",
                "split (data split) &rarr; teacher (train) &rarr; small (quantize)", data.toString(),
                dev.distillery.util.Hashing.sha256(data), "(stage check on ");

        assertThat(actions(run("run", recipe.toString()).out())).containsOnlyKeys("split", "teacher", "small", "check")
                .allSatisfy((k, v) -> assertThat(v).isEqualTo("cached"));

        Files.writeString(recipe, RECIPE.formatted(data).replace("epochs: 2", "epochs: 3"));
        assertThat(actions(run("run", recipe.toString()).out())).containsExactly(Map.entry("split", "cached"),
                Map.entry("teacher", "run"), Map.entry("small", "run"), Map.entry("check", "run"));

        assertThat(actions(run("run", recipe.toString(), "--from", "small").out())).containsExactly(Map.entry("split", "cached"),
                Map.entry("teacher", "cached"), Map.entry("small", "run"), Map.entry("check", "run"));

        Result plan = run("run", recipe.toString(), "--plan");
        assertThat(plan.exitCode()).isZero();
        assertThat(plan.out()).contains("split").contains("cached");

        // A cached stage whose run was deleted runs again; what reads its output stays cached, for the output is the same
        // to the byte (the stages are deterministic, and a stage's identity holds its inputs' checksums, not their paths).
        String small = run("run", recipe.toString()).out().lines().filter(l -> l.startsWith("stage small: cached (run "))
                .findFirst().orElseThrow().replaceAll(".*\\(run (.*)\\)$", "$1");
        assertThat(run("runs", "rm", small).exitCode()).isZero();
        assertThat(actions(run("run", recipe.toString()).out())).containsExactly(Map.entry("split", "cached"),
                Map.entry("teacher", "cached"), Map.entry("small", "run"), Map.entry("check", "cached"));
    }

    @Test
    void aTypoIsOneErrorWithItsLineAndAFailedStageLeavesTheOthersCached() throws Exception {
        Path data = spamFile(40);
        Path recipe = dir.resolve("tiny.yaml");
        Files.writeString(recipe, RECIPE.formatted(data).replace("width: 8", "widht: 8"));
        Result typo = run("run", recipe.toString());
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("tiny.yaml:7 (stage teacher)").contains("--widht");
        assertThat(dir.resolve("home/runs")).doesNotExist(); // nothing ran
        Files.writeString(recipe, RECIPE.formatted(data).replace("command: train", "command: trian"));
        Result unknown = run("run", recipe.toString(), "--plan");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("(stage teacher): 'trian' is not a distillery command (expected one of [", " train]");

        Files.writeString(recipe, RECIPE.formatted(data).replace("data: \"${stages.split.out}/test.jsonl\"", "data: missing.jsonl"));
        Result failed = run("run", recipe.toString());
        assertThat(failed.exitCode()).isEqualTo(2);
        assertThat(failed.out()).contains("stage check failed");
        assertThat(Files.readString(dir.resolve("home/recipes/tiny/report.html"))).contains("stage check failed").contains("missing.jsonl");
        assertThat(actions(run("run", recipe.toString()).out())).containsEntry("split", "cached").containsEntry("teacher", "cached")
                .containsEntry("small", "cached").containsEntry("check", "run");

        Path lock = dir.resolve("home/recipes/tiny/lock");
        try (FileChannel held = FileChannel.open(lock, StandardOpenOption.WRITE); var l = held.lock()) {
            Result busy = run("run", recipe.toString());
            assertThat(busy.exitCode()).isEqualTo(2);
            assertThat(busy.err()).contains("another run of recipe tiny is in progress");
        }
    }

    @Test
    void everyShippedRecipeChecksOut() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent().resolve("recipes");
        try (var files = Files.list(root)) {
            List<Path> recipes = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(recipes).extracting(p -> p.getFileName().toString()).contains("fashion-mnist.yaml", "quickstart.yaml", "spamassassin.yaml", "template.yaml");
            for (Path recipe : recipes) {
                Result plan = run("run", recipe.toString(), "--plan"); // parses, resolves references, checks every stage's options
                assertThat(plan.exitCode()).as(recipe + ": " + plan.err()).isZero();
                assertThat(plan.out()).contains("stages");
            }
        }
    }
}
