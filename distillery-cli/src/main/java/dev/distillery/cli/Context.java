package dev.distillery.cli;

import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.util.DistilleryHome;
import java.util.function.IntSupplier;

/** The places every command works in, resolved from the environment once. */
record Context(DistilleryHome home, DataCatalog catalog, RunStore runs) {
    /** The run that commands started by {@link #resuming} continue instead of creating one. */
    private static final ThreadLocal<Run> CONTINUING = new ThreadLocal<>();

    static Context fromEnvironment() {
        DistilleryHome home = DistilleryHome.fromEnvironment();
        RunStore runs = new RunStore(home.runs());
        Run continuing = CONTINUING.get();
        return new Context(home, new DataCatalog(home.datasets()), continuing == null ? runs : runs.resuming(continuing));
    }

    /** Runs {@code command} with every context it asks for continuing {@code run}. */
    static int resuming(Run run, IntSupplier command) {
        CONTINUING.set(run);
        try {
            return command.getAsInt();
        } finally {
            CONTINUING.remove();
        }
    }
}
