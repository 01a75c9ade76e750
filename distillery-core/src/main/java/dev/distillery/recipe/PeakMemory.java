package dev.distillery.recipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident memory per stage. Stages run in the recipe's own process, so Linux's high-water mark
 * (VmHWM) is reset before each ({@code 5} written to {@code /proc/self/clear_refs}) and read after. Elsewhere, or when
 * the kernel refuses the reset, the figure is 0: unknown.
 */
final class PeakMemory {
    private static boolean resetWorked;

    private PeakMemory() {}

    static void reset() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            resetWorked = true;
        } catch (IOException | RuntimeException e) {
            resetWorked = false;
        }
    }

    /** Peak resident MiB since the last {@link #reset}, or 0 when it cannot be known. */
    static double peakMb() {
        return resetWorked ? dev.distillery.run.Run.peakResidentKib() / 1024.0 : 0;
    }
}
