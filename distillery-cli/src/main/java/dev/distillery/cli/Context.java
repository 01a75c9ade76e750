package dev.distillery.cli;

import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.RunStore;
import dev.distillery.util.DistilleryHome;

/** The places every command works in, resolved from the environment once. */
record Context(DistilleryHome home, DataCatalog catalog, RunStore runs) {
    static Context fromEnvironment() {
        DistilleryHome home = DistilleryHome.fromEnvironment();
        return new Context(home, new DataCatalog(home.datasets()), new RunStore(home.runs()));
    }
}
