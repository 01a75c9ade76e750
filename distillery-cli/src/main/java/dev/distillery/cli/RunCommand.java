package dev.distillery.cli;

import dev.distillery.recipe.Recipe;
import dev.distillery.recipe.RecipeParser;
import dev.distillery.recipe.RecipeRunner;
import dev.distillery.recipe.StageState;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a recipe: a YAML file of stages, each a distillery command, that refer to each other's outputs "
                + "($${stages.NAME.run}, .model, .out).",
                "Unchanged stages are not run again (their identity: command line, code version, input checksums); a stage "
                        + "killed mid-way resumes from its checkpoint; a changed stage runs with everything below it. Ends with "
                        + "report.html under $DISTILLERY_HOME/recipes/NAME/."})
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RECIPE", description = "The recipe file (see recipes/ for examples); the relative paths in it are"
            + " read from its directory.")
    Path recipe;

    @Option(names = "--plan", description = "Print the stages in order, which are cached, and for the others an estimate of "
            + "time and peak memory on this machine; run nothing.")
    boolean plan;

    @Option(names = "--from", paramLabel = "STAGE", description = "Run STAGE and every stage below it again, cached or not.")
    String from;

    @Override
    public Integer call() {
        Context ctx = Context.fromEnvironment();
        Recipe r = RecipeParser.parse(recipe);
        RecipeRunner runner = runner(ctx);
        if (plan) {
            RecipeRunner.Outcome p = runner.plan(r, from);
            System.out.printf("recipe %s: %d stages%n", r.name(), r.stages().size());
            System.out.printf("%-14s %-22s %-16s %-8s %12s %14s%n", "stage", "command", "after", "action", "estimate s", "est. peak MiB");
            for (Recipe.Stage s : p.dag().order()) {
                StageState st = p.states().get(s.name());
                System.out.printf("%-14s %-22s %-16s %-8s %12s %14s%n", s.name(), s.commandLine(),
                        String.join(",", p.dag().dependsOn().get(s.name())), p.actions().get(s.name()),
                        p.actions().get(s.name()).equals("cached") ? "-" : st.estimateSeconds() < 0 ? "unknown" : String.format("%.0f", st.estimateSeconds()),
                        p.actions().get(s.name()).equals("cached") ? "-" : st.estimatePeakMb() <= 0 ? "unknown" : String.format("%.0f", st.estimatePeakMb()));
            }
            return 0;
        }
        return execute(runner, r, from).exitCode();
    }

    static RecipeRunner runner(Context ctx) {
        return new RecipeRunner(ctx.runs(), ctx.catalog(), ctx.home().root().resolve("recipes"), new PicocliStages(), System.out::println);
    }

    /** Runs {@code r} and prints each stage's action and status, the report, and a failed stage. */
    static RecipeRunner.Outcome execute(RecipeRunner runner, Recipe r, String from) {
        RecipeRunner.Outcome o = runner.run(r, from);
        System.out.printf("%nrecipe %s:%n", r.name());
        for (Recipe.Stage s : o.dag().order()) {
            StageState st = o.states().get(s.name());
            String action = o.actions().get(s.name());
            System.out.printf("  %-14s %-8s %s%n", s.name(), action, action.equals("not run") || st == null ? ""
                    : st.status() + (action.equals("cached") ? "" : String.format(" in %.1f s", st.seconds())));
        }
        System.out.println("report: " + o.report());
        if (o.failedStage() != null) {
            System.out.println("stage " + o.failedStage() + " failed; the stages before it are cached for the next run");
        }
        return o;
    }
}
