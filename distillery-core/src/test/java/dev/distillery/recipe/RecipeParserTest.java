package dev.distillery.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.data.DataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeParserTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("r.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static final String GOOD = """
            name: demo
            stages:
              split:
                command: data split
                args: [data.jsonl]
                with: {out: "${recipe.work}/split", test-fraction: 0.3}
              teacher:
                command: train
                with:
                  data: "${stages.split.out}/train.jsonl"
                  no-augment: true
                  epochs: 3
              small:
                command: quantize
                args: ["${stages.teacher.run}"]
              check:
                command: eval
                with: {model: "${stages.small.run}", data: "${stages.split.out}/test.jsonl"}
            """;

    @Test
    void readsStagesAndOrdersThemByTheirReferences() throws Exception {
        Recipe r = RecipeParser.parse(write(GOOD));
        assertThat(r.name()).isEqualTo("demo");
        assertThat(r.stage("teacher").options()).containsEntry("no-augment", true).containsEntry("epochs", "3");
        Dag dag = Dag.of(r);
        assertThat(dag.order()).extracting(Recipe.Stage::name).containsExactly("split", "teacher", "small", "check");
        assertThat(dag.dependsOn().get("check")).containsExactlyInAnyOrder("small", "split");
        assertThat(dag.descendants("teacher")).containsExactly("small", "check");
        assertThat(dag.descendants("split")).containsExactly("teacher", "small", "check");
        assertThat(RecipeRunner.argv(r.stage("teacher"), ref -> "<" + ref + ">"))
                .containsExactly("train", "--data", "<split.out>/train.jsonl", "--no-augment", "--epochs", "3");
    }

    @Test
    void everyMistakeNamesTheFileTheLineAndWhatWasExpected() throws Exception {
        String[][] cases = {
                {GOOD.replace("    with:\n      data", "    wiht:\n      data"), ":9", "unknown key 'wiht'"},
                {GOOD.replace("stages:", "stage:"), ":2", "unknown key 'stage'"},
                {GOOD.replace("${stages.teacher.run}", "${stages.techer.run}"), ":15", "unknown stage 'techer'"},
                {GOOD.replace("${stages.teacher.run}", "${stages.teacher.weights}"), ":15", "unknown output 'weights'"},
                {GOOD.replace("${stages.split.out}/test", "${stages.teacher.out}/test"), ":18", "teacher has no 'out' option"},
                {GOOD.replace("args: [data.jsonl]", "args: [data.jsonl]\n    after: [check]"), "", "in a cycle"},
                {GOOD.replace("command: quantize", "commmand: quantize"), ":14", "unknown key 'commmand'"},
                {"stages: [1, 2\n", ":", "not valid YAML"},
                // a whole command line under command: would hide its references from the stages' order
                {GOOD.replace("command: quantize", "command: quantize ${stages.teacher.run} --bits 8"), ":14",
                        "stage small's command holds options or references ('${stages.teacher.run} --bits 8')"},
        };
        for (String[] c : cases) {
            Path f = write(c[0]);
            assertThatThrownBy(() -> RecipeParser.parse(f)).as(c[2]).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining(f + c[1]).hasMessageContaining(c[2]);
        }
    }

    @Test
    void planAndRunUseTheStateOfEarlierRuns() {
        // argv expansion of lists and booleans
        Recipe.Stage s = new Recipe.Stage("x", List.of("distill"), List.of(), new java.util.LinkedHashMap<>(java.util.Map.of("sweep",
                List.of("4", "8"))), List.of(), 1, null);
        assertThat(RecipeRunner.argv(s, ref -> ref)).containsExactly("distill", "--sweep", "4,8");
    }
}
