package dev.distillery.curate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The embedded engine: builds the configured steps and streams the corpus through them in order, each
 * step's report recording what it removed and changed. Records are processed in chunks on all cores;
 * only deduplication steps keep anything per record (a hash, a MinHash sketch), so memory grows with
 * those keys, not with the records.
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
            case "near-dedup" -> new NearDedup(num(o, "threshold", NearDedup.DEFAULT_THRESHOLD),
                    (int) num(o, "shingle", NearDedup.DEFAULT_SHINGLE), (int) num(o, "permutations", NearDedup.DEFAULT_PERMUTATIONS),
                    (long) num(o, "seed", NearDedup.DEFAULT_SEED));
            case "quality" -> {
                QualityFilter.Rules d = QualityFilter.Rules.DEFAULT;
                yield new QualityFilter(new QualityFilter.Rules((int) num(o, "min_words", d.minWords()),
                        (int) num(o, "max_words", d.maxWords()), num(o, "min_mean_word_length", d.minMeanWordLength()),
                        num(o, "max_mean_word_length", d.maxMeanWordLength()), num(o, "max_symbol_ratio", d.maxSymbolRatio()),
                        num(o, "min_alpha_word_ratio", d.minAlphaWordRatio()),
                        num(o, "max_duplicate_line_ratio", d.maxDuplicateLineRatio()),
                        num(o, "max_top_bigram_ratio", d.maxTopBigramRatio())));
            }
            case "semantic-dedup" -> new SemanticDedup(num(o, "threshold", 0.9), (int) num(o, "max_tokens", 128), (long) num(o, "seed", 42));
            // fields: "all" (the default) redacts every text field of a record; a list names the fields besides the text.
            case "pii" -> new PiiRedactor(o.get("fields") == null || "all".equals(o.get("fields")) ? null : strings(o, "fields", List.of()));
            case "language" -> new LanguageFilter(strings(o, "candidates", LanguageFilter.DEFAULT_CANDIDATES), strings(o, "keep", List.of()),
                    (int) num(o, "max_chars", 1000));
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

    private static List<String> strings(Map<String, Object> o, String key, List<String> fallback) {
        Object v = o.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(v.toString().split("\\s*,\\s*"));
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

    /** Runs every step over records in memory; returns the kept records and one report per step. */
    public Curated run(List<Doc> docs, Consumer<String> log) {
        List<Doc> kept = new ArrayList<>();
        Result r = run(DocSource.of(docs), kept::add, log);
        return new Curated(kept, r.reports());
    }

    /**
     * Streams {@code source} through every step and hands the kept records, in input order, to {@code sink}
     * (called from one thread). The source is read once per deduplication step, which keeps a compact key
     * per record, and once more to judge and write; memory holds one chunk of records at a time.
     */
    public Result run(DocSource source, Consumer<Doc> sink, Consumer<String> log) {
        int n = steps.size();
        StepReport[] reports = new StepReport[n];
        for (int i = 0; i < n; i++) {
            reports[i] = new StepReport(steps.get(i).name());
        }
        CorpusStep.Decision[] decisions = new CorpusStep.Decision[n];
        long[] observeNanos = new long[n];
        int passes = (int) steps.stream().filter(CorpusStep.class::isInstance).count() + 1;
        int pass = 0;
        for (int k = 0; k < n; k++) {
            if (steps.get(k) instanceof CorpusStep corpusStep) {
                CorpusStep.Pass observer = corpusStep.begin();
                int upTo = k;
                long[] seen = new long[1];
                source.read(chunk, records -> {
                    long t0 = System.nanoTime();
                    records.parallelStream().forEach(d -> {
                        Doc x = through(d, upTo, decisions, null);
                        if (x != null) {
                            observer.observe(x.id(), x.text());
                        }
                    });
                    seen[0] += records.size();
                    observeNanos[upTo] += System.nanoTime() - t0;
                });
                long t0 = System.nanoTime();
                decisions[k] = observer.decide(reports[k]);
                observeNanos[k] += System.nanoTime() - t0;
                pass++;
                say(log, String.format("pass %d/%d: %,d records read, %s decided (%.1f s)", pass, passes, seen[0],
                        steps.get(k).name(), observeNanos[k] / 1e9));
            }
        }
        Counters c = new Counters(n);
        long[] read = new long[1];
        long[] written = new long[1];
        source.read(chunk, records -> {
            List<Doc> kept = records.parallelStream().map(d -> through(d, n, decisions, new Tally(c, reports))).toList();
            read[0] += records.size();
            for (Doc d : kept) {
                if (d != null) {
                    sink.accept(d);
                    written[0]++;
                }
            }
        });
        say(log, String.format("pass %d/%d: %,d records read, %,d kept", passes, passes, read[0], written[0]));
        // Thread time over the threads that did the work: the common pool's workers and the calling thread.
        int threads = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1;
        List<StepReport> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double seconds = (observeNanos[i] + c.nanos.get(i) / threads) / 1e9;
            reports[i].counts(Math.toIntExact(c.in.get(i)), Math.toIntExact(c.out.get(i)), seconds);
            out.add(reports[i]);
            say(log, String.format("%-14s %,9d in %,9d out  (%.1f s)", reports[i].step(), reports[i].in(), reports[i].out(), seconds));
        }
        return new Result(read[0], written[0], out);
    }

    private int chunk = 8192;

    /** Records per chunk (default 8,192): the unit read, processed in parallel and written at once. */
    public Curator chunkSize(int records) {
        if (records < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, got: " + records);
        }
        this.chunk = records;
        return this;
    }

    /** Per-step counts of the final pass, updated from many threads. */
    private record Counters(java.util.concurrent.atomic.AtomicLongArray in, java.util.concurrent.atomic.AtomicLongArray out,
            java.util.concurrent.atomic.AtomicLongArray nanos) {
        Counters(int n) {
            this(new java.util.concurrent.atomic.AtomicLongArray(n), new java.util.concurrent.atomic.AtomicLongArray(n),
                    new java.util.concurrent.atomic.AtomicLongArray(n));
        }
    }

    /** Where the final pass records what each step did; earlier passes record nothing. */
    private record Tally(Counters counters, StepReport[] reports) {}

    /** Runs {@code doc} through the first {@code upTo} steps; the record as it leaves them, or null if one removed it. */
    private Doc through(Doc doc, int upTo, CorpusStep.Decision[] decisions, Tally tally) {
        Doc d = doc;
        for (int i = 0; i < upTo; i++) {
            long t0 = tally == null ? 0 : System.nanoTime();
            if (tally != null) {
                tally.counters().in().incrementAndGet(i);
            }
            Doc next;
            if (steps.get(i) instanceof RecordStep step) {
                next = tally == null ? RecordStep.keptAs(step, d, step.check(d.text()), (kind, n) -> { })
                        : RecordStep.apply(step, d, tally.reports()[i]);
            } else {
                String why = decisions[i].removedFor(d.id(), d.text());
                if (why != null && tally != null) {
                    tally.reports()[i].removed(d, why);
                }
                next = why == null ? d : null;
            }
            if (tally != null) {
                tally.counters().nanos().addAndGet(i, System.nanoTime() - t0);
                if (next != null) {
                    tally.counters().out().incrementAndGet(i);
                }
            }
            if (next == null) {
                return null;
            }
            d = next;
        }
        return d;
    }

    private static void say(Consumer<String> log, String line) {
        if (log != null) {
            log.accept(line);
        }
    }

    /** Records read and kept, and the funnel. */
    public record Result(long in, long out, List<StepReport> reports) {}

    /** Kept records (in memory) and the funnel. */
    public record Curated(List<Doc> kept, List<StepReport> reports) {}
}
