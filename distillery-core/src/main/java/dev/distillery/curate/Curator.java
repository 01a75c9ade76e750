package dev.distillery.curate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The embedded engine: builds the configured steps and runs them in order over the corpus, each
 * step's report recording what it removed and changed. Per-record steps run on all cores.
 */
public final class Curator {
    private final List<CurateStep> steps;

    /** {@code testTexts} reads a test file for decontamination; only called if the config has that step. */
    public Curator(CurateConfig config, Function<String, List<String>> testTexts) {
        this.steps = new ArrayList<>();
        for (CurateConfig.StepConfig s : config.steps()) {
            steps.add(build(s, testTexts));
        }
    }

    public List<CurateStep> steps() {
        return steps;
    }

    static CurateStep build(CurateConfig.StepConfig s, Function<String, List<String>> testTexts) {
        Map<String, Object> o = s.options();
        return switch (s.name()) {
            case "normalize" -> new Normalize();
            case "exact-dedup" -> new ExactDedup();
            case "near-dedup" -> new NearDedup(num(o, "threshold", 0.8), (int) num(o, "shingle", 5), (int) num(o, "permutations", 128),
                    (long) num(o, "seed", 42));
            case "quality" -> {
                QualityFilter.Rules d = QualityFilter.Rules.DEFAULT;
                yield new QualityFilter(new QualityFilter.Rules((int) num(o, "min_words", d.minWords()),
                        (int) num(o, "max_words", d.maxWords()), num(o, "min_mean_word_length", d.minMeanWordLength()),
                        num(o, "max_mean_word_length", d.maxMeanWordLength()), num(o, "max_symbol_ratio", d.maxSymbolRatio()),
                        num(o, "min_alpha_word_ratio", d.minAlphaWordRatio()),
                        num(o, "max_duplicate_line_ratio", d.maxDuplicateLineRatio()),
                        num(o, "max_top_bigram_ratio", d.maxTopBigramRatio())));
            }
            case "pii" -> new PiiRedactor();
            case "decontaminate" -> {
                Object test = o.get("test");
                if (test == null) {
                    throw new IllegalArgumentException("the decontaminate step needs a 'test' file");
                }
                yield new Decontaminate(testTexts.apply(test.toString()), (int) num(o, "ngram", 13), num(o, "min_overlap", 0.5),
                        (int) num(o, "boilerplate_docs", 3));
            }
            default -> throw new IllegalArgumentException("unknown step '" + s.name() + "'");
        };
    }

    private static double num(Map<String, Object> o, String key, double fallback) {
        Object v = o.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option '" + key + "' must be a number, got: " + v);
        }
    }

    /** Runs every step; returns the kept records and one report per step. */
    public Result run(List<Doc> docs, Consumer<String> log) {
        List<StepReport> reports = new ArrayList<>();
        List<Doc> current = docs;
        for (CurateStep step : steps) {
            StepReport report = new StepReport(step.name());
            long t0 = System.nanoTime();
            List<Doc> next = step.apply(current, report);
            report.counts(current.size(), next.size(), (System.nanoTime() - t0) / 1e9);
            reports.add(report);
            if (log != null) {
                log.accept(String.format("%-14s %,9d in %,9d out  (%.1f s)", step.name(), current.size(), next.size(),
                        report.seconds()));
            }
            current = next;
        }
        return new Result(current, reports);
    }

    /** Kept records and the funnel. */
    public record Result(List<Doc> kept, List<StepReport> reports) {}
}
