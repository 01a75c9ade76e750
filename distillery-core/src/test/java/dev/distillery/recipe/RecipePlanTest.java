package dev.distillery.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipePlanTest {
    @TempDir
    Path dir;

    /** A finished run of {@code command} in the store, started as every command starts, that took {@code seconds}. */
    private static void pastRun(RunStore runs, String command, List<String> args, Path input, int seconds) throws Exception {
        Run run = runs.create(command);
        run.start(command, args, 42, List.of(input));
        Map<String, Object> p = new LinkedHashMap<>(run.provenance());
        Instant started = Instant.parse(String.valueOf(p.get("started")));
        p.put("status", "finished");
        p.put("finished", started.plusSeconds(seconds).toString());
        new ObjectMapper().writeValue(run.dir().resolve(Run.PROVENANCE).toFile(), p);
    }

    /** A recipe {@code name} that splits {@code data} and trains on the split's training file; more stages may follow. */
    private static String splitThenTrain(String name, Path data) {
        return """
                name: %s
                stages:
                  split:
                    command: data split
                    args: ["%s"]
                    with: {out: "${recipe.work}/split"}
                  model:
                    command: train
                    with: {data: "${stages.split.out}/train.jsonl"}
                """.formatted(name, data);
    }

    private static final StageCommands CHECK_ONLY = new StageCommands() {
        @Override
        public void check(String where, List<String> argv) {}

        @Override
        public Executed run(List<String> argv) {
            throw new AssertionError("a plan runs nothing");
        }

        @Override
        public Executed resume(Path runDir) {
            throw new AssertionError("a plan runs nothing");
        }

        @Override
        public boolean resumable(List<String> command) {
            return false;
        }
    };

    @Test
    void aNewRecipesEstimatesScaleWithItsOwnDataNotWithWhateverRanLast() throws Exception {
        RunStore runs = new RunStore(Files.createDirectories(dir.resolve("runs")));
        Path big = dir.resolve("big.jsonl");
        Files.writeString(big, "x".repeat(100_000));
        pastRun(runs, "train", List.of("--data", big.toString()), big, 200);
        Files.delete(big); // its size was recorded when it ran
        Path small = dir.resolve("small.jsonl");
        Files.writeString(small, "x".repeat(1_000));
        Path recipe = Files.writeString(dir.resolve("new.yaml"), splitThenTrain("new", small));
        RecipeRunner runner = new RecipeRunner(runs, new DataCatalog(dir.resolve("datasets")), dir.resolve("recipes"), CHECK_ONLY, line -> {});

        StageState model = runner.plan(RecipeParser.parse(recipe), null).states().get("model");

        // The split's output does not exist yet; the data flowing into it is the 1,000-byte file, a hundredth of what
        // the 200-second run read (a file since deleted).
        assertThat(model.inputBytes()).isEqualTo(1_000);
        assertThat(model.estimateSeconds()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void aStageThatReadsAModelIsNotEstimatedByTheDataItsModelWasTrainedOn() throws Exception {
        RunStore runs = new RunStore(Files.createDirectories(dir.resolve("runs")));
        Path model = Files.writeString(dir.resolve("weights.bin"), "w".repeat(100));
        pastRun(runs, "quantize", List.of("some-run"), model, 4); // a quantize run records its model's size
        Path data = Files.writeString(dir.resolve("data.jsonl"), "x".repeat(100_000));
        Path recipe = Files.writeString(dir.resolve("q.yaml"), splitThenTrain("q", data) + """
                  small:
                    command: quantize
                    args: ["${stages.model.run}"]
                """);
        RecipeRunner runner = new RecipeRunner(runs, new DataCatalog(dir.resolve("datasets")), dir.resolve("recipes"), CHECK_ONLY, line -> {});

        var states = runner.plan(RecipeParser.parse(recipe), null).states();

        assertThat(states.get("model").inputBytes()).as("the split's data flows into training").isEqualTo(100_000);
        // scaled by 100,000 / 100 bytes it was 4,000 s
        assertThat(states.get("small").estimateSeconds()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void relativePathsAreReadBesideTheRecipeAndAMissingOneIsNamedBeforeAnythingRuns() throws Exception {
        RunStore runs = new RunStore(Files.createDirectories(dir.resolve("runs")));
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("mine.csv"), "x".repeat(700));
        // a directory named as a command word, where the recipe lives: no input of the stage
        Files.writeString(Files.createDirectories(project.resolve("train")).resolve("big.bin"), "y".repeat(5_000));
        Path recipe = project.resolve("r.yaml");
        Files.writeString(recipe, """
                name: beside
                stages:
                  model:
                    command: train
                    with: {data: mine.csv, test: gone.csv}
                  other:
                    command: src
                    with: {data: mine.csv}
                """);
        List<String> said = new java.util.ArrayList<>();
        RecipeRunner runner = new RecipeRunner(runs, new DataCatalog(dir.resolve("datasets")), dir.resolve("recipes"), CHECK_ONLY, said::add);
        Recipe parsed = RecipeParser.parse(recipe); // the tests run in the module directory, not beside the recipe

        StageState model = runner.plan(parsed, null).states().get("model");

        assertThat(model.inputBytes()).as("mine.csv beside the recipe, not the 'train' directory").isEqualTo(700);
        // the tests' working directory holds src/: a command's word is still no input
        assertThat(runner.plan(parsed, null).states().get("other").inputBytes()).isEqualTo(700);
        assertThat(runner.commandLine(parsed, parsed.stage("model"), reference -> reference))
                .containsExactly("train", "--data", project.resolve("mine.csv").toString(), "--test", "gone.csv");
        assertThat(said).anySatisfy(line -> assertThat(line).contains("stage model", "gone.csv does not exist",
                "read from the recipe's directory, " + project));
        assertThat(said).noneMatch(line -> line.contains("mine.csv"));
    }
}
