package dev.distillery.util;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Distillery keeps data sets, caches and runs: {@code $DISTILLERY_HOME}, else
 * {@code $XDG_CACHE_HOME/distillery}, else {@code ~/.cache/distillery}.
 */
public record DistilleryHome(Path root) {

    /** The system property {@code distillery.home}, if set, wins over the environment (used by tests and embedders). */
    public static DistilleryHome fromEnvironment() {
        String property = System.getProperty("distillery.home");
        if (property != null && !property.isBlank()) {
            return new DistilleryHome(Path.of(property).toAbsolutePath());
        }
        return fromEnvironment(System.getenv());
    }

    public static DistilleryHome fromEnvironment(Map<String, String> env) {
        String explicit = env.get("DISTILLERY_HOME");
        if (explicit != null && !explicit.isBlank()) {
            return new DistilleryHome(Path.of(explicit).toAbsolutePath());
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new DistilleryHome(base.resolve("distillery").toAbsolutePath());
    }

    public Path datasets() {
        return root.resolve("datasets");
    }

    public Path runs() {
        return root.resolve("runs");
    }

    /** Answers of chat-completions servers, by request content, so a repeated synthesis asks nothing twice. */
    public Path chatCache() {
        return root.resolve("cache").resolve("chat");
    }
}
