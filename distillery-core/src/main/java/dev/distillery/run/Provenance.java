package dev.distillery.run;

import ai.djl.engine.Engine;
import dev.distillery.model.TorchRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where a result came from: Distillery version and commit, DJL and engine versions, Java, OS, CPU
 * and memory. {@code Math} results can differ across platforms, so the machine is part of it.
 */
public final class Provenance {
    private Provenance() {}

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("/dev/distillery/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // an unreadable resource only leaves the version unknown
        }
        return p.getProperty("version", "unknown");
    }

    /** The source commit, passed by the launcher as {@code -Ddistillery.commit}; "unknown" otherwise. */
    public static String commit() {
        return System.getProperty("distillery.commit", "unknown");
    }

    public static Map<String, Object> software() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("distillery", version());
        m.put("commit", commit());
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        m.put("djl", Engine.getDjlVersion());
        m.put("engine", TorchRuntime.engineDescription());
        return m;
    }

    public static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", cpuModel());
        long mem = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        m.put("memory_gib", Math.round(mem / (1024.0 * 1024 * 1024) * 10) / 10.0);
        m.put("max_heap_gib", Math.round(Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024) * 10) / 10.0);
        m.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        return m;
    }

    /** This machine's name, from the kernel (no DNS lookup), or "unknown". */
    public static String hostName() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown" : env;
        }
    }

    static String cpuModel() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or not readable: the architecture still identifies the machine broadly
        }
        return System.getProperty("os.arch");
    }
}
