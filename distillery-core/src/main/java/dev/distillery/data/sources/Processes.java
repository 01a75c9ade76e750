package dev.distillery.data.sources;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external tool (apt-get, dpkg-deb, npm) and turns failure into a readable message. */
final class Processes {
    private Processes() {}

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code command} in {@code dir}; returns its output or throws with the tail of it. */
    static String run(Path dir, long timeoutSeconds, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            String tail = text.length() > 800 ? text.substring(text.length() - 800) : text;
            throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue() + ": " + tail.strip());
        }
        return text;
    }

    /**
     * Downloads npm package {@code spec} (name@version) into {@code staging} with {@code npm pack} and checks the tarball
     * against its published sha512 {@code integrity}; returns the tarball's path.
     */
    static Path npmPackage(Path staging, String spec, String integrity, java.util.function.Consumer<String> log)
            throws IOException {
        log.accept("downloading " + spec + " with npm pack");
        run(staging, 900, List.of("npm", "pack", "--silent", spec));
        Path tgz;
        try (var files = java.nio.file.Files.list(staging)) {
            tgz = files.filter(p -> p.toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new IOException("npm pack produced no .tgz"));
        }
        String actual = "sha512-" + java.util.Base64.getEncoder().encodeToString(
                java.util.HexFormat.of().parseHex(dev.distillery.util.Hashing.digest(tgz, "SHA-512")));
        if (!actual.equals(integrity)) {
            throw new IOException(tgz.getFileName() + " has integrity " + actual + ", expected " + integrity);
        }
        log.accept("verified sha512 integrity of " + tgz.getFileName());
        return tgz;
    }

    /** What {@link #debianFiles} copies out: files under one directory of a package. */
    interface PackageCopy {
        void from(Path directory) throws IOException;
    }

    /**
     * Downloads Debian package {@code pkg} into {@code staging} with {@code apt-get download} (no root needed), unpacks it
     * with {@code dpkg-deb -x}, hands {@code copy} the package's directory {@code dir} (relative to /), then deletes the
     * package and what was unpacked. Returns the .deb's file name, or null when apt-get or dpkg-deb is not on the PATH.
     */
    static String debianFiles(Path staging, String pkg, String dir, PackageCopy copy, java.util.function.Consumer<String> log)
            throws IOException {
        if (!onPath("apt-get") || !onPath("dpkg-deb")) {
            return null;
        }
        log.accept("downloading Debian package " + pkg + " with apt-get download");
        run(staging, 600, List.of("apt-get", "download", "-q", pkg));
        Path deb;
        try (var files = java.nio.file.Files.list(staging)) {
            deb = files.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get download produced no .deb"));
        }
        Path extracted = staging.resolve("deb");
        run(staging, 300, List.of("dpkg-deb", "-x", deb.toString(), extracted.toString()));
        copy.from(extracted.resolve(dir));
        String name = deb.getFileName().toString();
        dev.distillery.util.AtomicFiles.deleteRecursively(extracted);
        java.nio.file.Files.delete(deb);
        return name;
    }
}
