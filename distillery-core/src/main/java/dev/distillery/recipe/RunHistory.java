package dev.distillery.recipe;

import dev.distillery.run.RunStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Estimates from the run store: how long the most recent finished runs of a command took on this machine, scaled by
 * the size of the inputs. The store already records every run's start, end and inputs, so the estimate costs no
 * calibration run; a command never run here has no estimate (-1).
 */
final class RunHistory {
    private static final int LOOK_BACK = 200;

    private RunHistory() {}

    /**
     * {seconds, peak MiB (unknown from the store: -1)} for the command line {@code argv} with {@code inputBytes} of input:
     * among the recent finished runs of the same command, the one whose recorded command line shares the most
     * arguments with {@code argv} (run directories count as alike), the most recent on a tie.
     */
    static double[] estimate(RunStore runs, List<String> argv, long inputBytes) {
        String command = argv.get(0).equals("data") || argv.get(0).equals("label") ? String.join(" ", argv.subList(0, 2)) : argv.get(0);
        List<String> wanted = normalize(argv);
        List<Path> all = runs.list();
        Map<String, Object> best = null;
        int bestScore = -1;
        for (int i = all.size() - 1, seen = 0; i >= 0 && seen < LOOK_BACK; i--, seen++) {
            Map<String, Object> p;
            try {
                p = runs.at(all.get(i)).provenance();
            } catch (RuntimeException e) {
                continue;
            }
            if (!command.equals(String.valueOf(p.get("command"))) || !"finished".equals(p.get("status"))
                    || p.get("started") == null || p.get("finished") == null) {
                continue;
            }
            List<String> theirs = p.get("args") instanceof List<?> l ? normalize(l.stream().map(String::valueOf).toList()) : List.of();
            int score = (int) wanted.stream().filter(theirs::contains).count();
            if (score > bestScore) {
                best = p;
                bestScore = score;
            }
        }
        if (best == null) {
            return new double[] {-1, -1};
        }
        double seconds = Duration.between(Instant.parse(String.valueOf(best.get("started"))),
                Instant.parse(String.valueOf(best.get("finished")))).toMillis() / 1000.0;
        if (best.get("cache_fill_seconds") instanceof Number filled && inputsUnchanged(best)) {
            // that run filled caches (embeddings, teacher outputs) keyed by the content of inputs that are still the
            // same: a run now reads them instead of computing them
            seconds = Math.max(0, seconds - filled.doubleValue());
        }
        long theirBytes = inputBytes(best);
        double scale = theirBytes > 0 && inputBytes > 0 ? inputBytes / (double) theirBytes : 1;
        Object peak = best.get("peak_rss_mib");
        return new double[] {seconds * scale, peak instanceof Number n ? n.doubleValue() : -1};
    }

    /** Arguments with run directories replaced by one token: which run a stage refers to does not change its cost. */
    private static List<String> normalize(List<String> args) {
        return args.stream().map(a -> a.matches(".*/runs/\\d{8}-\\d{6}-[a-z-]+-[0-9a-f]{6}(/model)?") ? "<run>" : a).toList();
    }

    /** Whether every input the run recorded still has the checksum it recorded. */
    private static boolean inputsUnchanged(Map<String, Object> provenance) {
        if (!(provenance.get("inputs") instanceof Map<?, ?> inputs) || inputs.isEmpty()) {
            return false;
        }
        for (Map.Entry<?, ?> e : inputs.entrySet()) {
            Path p = Path.of(String.valueOf(e.getKey()));
            try {
                String now = java.nio.file.Files.isDirectory(p) ? dev.distillery.util.Hashing.sha256Tree(p)
                        : java.nio.file.Files.isRegularFile(p) ? dev.distillery.util.Hashing.sha256(p) : null;
                if (now == null || !now.equals(String.valueOf(e.getValue()))) {
                    return false;
                }
            } catch (RuntimeException ex) {
                return false;
            }
        }
        return true;
    }

    private static long inputBytes(Map<String, Object> provenance) {
        if (provenance.get("input_bytes") instanceof Number recorded) {
            return recorded.longValue();
        }
        Object inputs = provenance.get("inputs"); // a run recorded before input_bytes: its files as they are now
        long total = 0;
        if (inputs instanceof Map<?, ?> m) {
            for (Object file : m.keySet()) {
                try {
                    total += dev.distillery.util.AtomicFiles.sizeOf(Path.of(String.valueOf(file)));
                } catch (RuntimeException e) {
                    // a file gone since: counts as nothing
                }
            }
        }
        return total;
    }
}
