package dev.distillery.recipe;

import dev.distillery.data.DataFormatException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The order a recipe's stages run in: a stage runs after every stage it refers to ({@code ${stages.NAME.OUTPUT}}) or
 * lists under {@code after}. Unknown stages, unknown outputs and cycles are refused with the line that says them.
 */
public record Dag(List<Recipe.Stage> order, Map<String, Set<String>> dependsOn) {
    /** {@code ${stages.NAME.OUTPUT}}: the run directory, its saved model, or the stage's {@code out} option. */
    static final Pattern REFERENCE = Pattern.compile("\\$\\{stages\\.([A-Za-z][A-Za-z0-9_-]*)\\.([a-z]+)}");
    /** What a stage's output may be named: its run, its model, its {@code out}, or a file its run recorded (data split's parts). */
    static final Set<String> OUTPUTS = Set.of("run", "model", "out", "train", "test");

    public static Dag of(Recipe recipe) {
        Map<String, Set<String>> deps = new LinkedHashMap<>();
        for (Recipe.Stage s : recipe.stages()) {
            Set<String> d = new LinkedHashSet<>();
            for (Map.Entry<String, String> keyed : values(s)) {
                Matcher m = REFERENCE.matcher(keyed.getValue());
                while (m.find()) {
                    String target = m.group(1);
                    String output = m.group(2);
                    Recipe.Stage t = recipe.stage(target);
                    String where = recipe.file() + ":" + s.lineOf(keyed.getKey());
                    if (t == null) {
                        throw new DataFormatException(where, "stage " + s.name() + " refers to an unknown stage '" + target + "'",
                                "one of " + recipe.stages().stream().map(Recipe.Stage::name).toList());
                    }
                    if (!OUTPUTS.contains(output)) {
                        throw new DataFormatException(where, "stage " + s.name() + " refers to an unknown output '" + output + "' of "
                                + target, "run, model, out, train or test");
                    }
                    if (output.equals("out") && !t.options().containsKey("out")) {
                        throw new DataFormatException(where, "stage " + s.name() + " refers to " + target + ".out, but " + target
                                + " has no 'out' option", "an 'out:' under the with: of " + target);
                    }
                    d.add(target);
                }
            }
            for (String a : s.after()) {
                if (recipe.stage(a) == null) {
                    throw new DataFormatException(recipe.file() + ":" + s.lineOf("after"), "stage " + s.name() + " runs after an unknown stage '" + a + "'",
                            "one of " + recipe.stages().stream().map(Recipe.Stage::name).toList());
                }
                d.add(a);
            }
            if (d.contains(s.name())) {
                throw new DataFormatException(recipe.file() + ":" + s.line(), "stage " + s.name() + " depends on itself", "no cycles");
            }
            deps.put(s.name(), d);
        }
        List<Recipe.Stage> order = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        while (order.size() < recipe.stages().size()) {
            boolean progressed = false;
            for (Recipe.Stage s : recipe.stages()) { // file order among the ready ones: a stable, readable order
                if (!done.contains(s.name()) && done.containsAll(deps.get(s.name()))) {
                    order.add(s);
                    done.add(s.name());
                    progressed = true;
                }
            }
            if (!progressed) {
                List<String> stuck = recipe.stages().stream().map(Recipe.Stage::name).filter(n -> !done.contains(n)).toList();
                Recipe.Stage first = recipe.stage(stuck.get(0));
                throw new DataFormatException(recipe.file() + ":" + first.line(), "the stages " + stuck + " depend on each other in a cycle",
                        "each stage to depend only on stages that can finish before it");
            }
        }
        return new Dag(List.copyOf(order), deps);
    }

    /** Every string a stage's command line is made of, where references may appear, with its key (args or option). */
    static List<Map.Entry<String, String>> values(Recipe.Stage s) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        s.args().forEach(a -> out.add(Map.entry("args", a)));
        for (Map.Entry<String, Object> o : s.options().entrySet()) {
            if (o.getValue() instanceof List<?> l) {
                l.forEach(x -> out.add(Map.entry(o.getKey(), String.valueOf(x))));
            } else {
                out.add(Map.entry(o.getKey(), String.valueOf(o.getValue())));
            }
        }
        return out;
    }

    /** The stages that depend on {@code name}, directly or not, in run order. */
    public List<String> descendants(String name) {
        Set<String> found = new LinkedHashSet<>();
        found.add(name);
        for (Recipe.Stage s : order) {
            if (dependsOn.get(s.name()).stream().anyMatch(found::contains)) {
                found.add(s.name());
            }
        }
        found.remove(name);
        return List.copyOf(found);
    }
}
