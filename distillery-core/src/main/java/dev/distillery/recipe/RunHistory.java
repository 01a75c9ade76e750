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

    /** {seconds, peak MiB (unknown from the store: -1)} for {@code command} with {@code inputBytes} of input. */
    static double[] estimate(RunStore runs, String command, long inputBytes) {
        List<Path> all = runs.list();
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
            double seconds = Duration.between(Instant.parse(String.valueOf(p.get("started"))),
                    Instant.parse(String.valueOf(p.get("finished")))).toMillis() / 1000.0;
            long theirBytes = inputBytes(p);
            double scale = theirBytes > 0 && inputBytes > 0 ? inputBytes / (double) theirBytes : 1;
            return new double[] {seconds * scale, -1};
        }
        return new double[] {-1, -1};
    }

    private static long inputBytes(Map<String, Object> provenance) {
        Object inputs = provenance.get("inputs");
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
