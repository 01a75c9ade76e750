package dev.distillery.recipe;

/**
 * What a recipe remembers of one stage between runs ({@code state.json}): the identity of its last execution, where it
 * went, how it ended and what it cost, beside the estimate made before it ran.
 *
 * @param key              hash of the command line (references by their stage's key), code version and input checksums
 * @param run              the run directory, or null for a command that writes none
 * @param out              the stage's {@code out} option as resolved, or null
 * @param status           finished, failed: REASON, or running (left so by a killed recipe)
 * @param seconds          wall time of the execution, 0 when cached
 * @param peakRssMb        the process's peak resident memory during it (MiB), or 0 when unknown
 * @param inputBytes       the size of its inputs, which scales estimates
 * @param estimateSeconds  what the plan estimated, or -1 when it had nothing to go on
 * @param estimatePeakMb   the plan's estimate of peak memory, or -1
 * @param pid              while running: the recipe's process, whose interrupted run a later recipe run resumes
 * @param started          while running: when the stage started
 */
public record StageState(String key, String run, String out, String status, double seconds, double peakRssMb, long inputBytes,
        double estimateSeconds, double estimatePeakMb, long pid, String started) {
    public boolean finished() {
        return "finished".equals(status);
    }
}
