package dev.distillery.cli;

import dev.distillery.data.sources.FashionMnist;
import dev.distillery.recipe.Recipe;
import dev.distillery.recipe.RecipeParser;
import dev.distillery.recipe.RecipeRunner;
import dev.distillery.run.Run;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The whole job on real data, embedded: fetch Fashion-MNIST (verified), train the default CNN as a " +
                        "teacher, distill it into a student with about 6%% of its parameters, and compare the two on the " +
                        "10,000 test images.",
                "It runs the recipe recipes/quickstart.yaml (bundled), so a second run is cached and ends with report.html; "
                        + "copy that file to change a setting and run it with 'distillery run'. About 4 minutes on 2 CPU cores."})
final class QuickstartCommand implements Callable<Integer> {
    static final String RECIPE = "/recipes/quickstart.yaml";

    @Override
    public Integer call() {
        Context ctx = Context.fromEnvironment();
        System.out.println("Distillery quickstart: Fashion-MNIST -> CNN teacher -> distilled student (recipe " + RECIPE.substring(1) + ")");
        var report = ctx.catalog().require(FashionMnist.NAME).fetch(System.out::println);
        System.out.println("data: " + report.origin() + (report.fromCache() ? " (verified cached copy)" : ""));
        Path file = ctx.home().root().resolve("recipes").resolve("quickstart").resolve("recipe.yaml");
        AtomicFiles.writeString(file, bundledRecipe());
        Recipe recipe = RecipeParser.parse(file);
        RecipeRunner.Outcome o = RunCommand.execute(RunCommand.runner(ctx), recipe, null);
        if (o.exitCode() != 0) {
            return o.exitCode();
        }
        Run teacher = ctx.runs().open(o.states().get("teacher").run());
        Run student = ctx.runs().open(o.states().get("student").run());
        compare(student.results());
        System.out.println("runs: teacher " + teacher.dir() + "\n      student " + student.dir());
        System.out.println("next: distillery runs show " + student.id() + "   |   distillery predict --model " + student.id()
                + " --input fashion-mnist:test --output predictions.jsonl");
        return 0;
    }

    /** The student against its teacher, from the distillation run's recorded results (the same whether it ran now or was cached). */
    @SuppressWarnings("unchecked")
    private static void compare(Map<String, Object> results) {
        Map<String, Object> t = (Map<String, Object>) results.get("teacher");
        Map<String, Object> s = ((List<Map<String, Object>>) results.get("students")).get(0);
        System.out.printf("%nteacher: accuracy %.4f, %,d parameters; student: accuracy %.4f, %,d parameters%n",
                number(t, "accuracy"), (long) number(t, "parameters"), number(s, "accuracy"), (long) number(s, "parameters"));
        System.out.printf("The student keeps %.1f%% of the teacher's accuracy with %.1f%% of its parameters, "
                        + "answers in %.2f ms instead of %.2f ms (p50), and is %.1fx smaller on disk.%n",
                100 * number(s, "accuracy_ratio"), 100 * number(s, "param_ratio"), number(s, "latency_p50_ms"),
                number(t, "latency_p50_ms"), number(t, "bytes_on_disk") / number(s, "bytes_on_disk"));
    }

    private static double number(Map<String, Object> row, String key) {
        return ((Number) row.get(key)).doubleValue();
    }

    private static String bundledRecipe() {
        try (InputStream in = QuickstartCommand.class.getResourceAsStream(RECIPE)) {
            if (in == null) {
                throw new IllegalStateException(RECIPE + " is missing from the build (distillery-cli bundles recipes/quickstart.yaml)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
