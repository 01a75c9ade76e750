package dev.distillery.util;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files and directories so that a reader never sees a half-written one: everything goes to a
 * temporary sibling first and is moved into place only once complete.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Something that writes to a stream and may fail with an I/O error. */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Something that fills a directory and may fail with an I/O error. */
    @FunctionalInterface
    public interface DirectoryWriter {
        void write(Path dir) throws IOException;
    }

    public static void write(Path target, StreamWriter writer) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            deleteStaleTemporaries(dir, target.getFileName().toString());
            Path tmp = newSibling(dir, "." + target.getFileName(), ".tmp", false);
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    writer.write(out);
                }
                move(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + target, e);
        }
    }

    /**
     * Removes what an earlier write of the same file left when its process was killed before it could clean up (a
     * hidden {@code .NAME<digits>.tmp}); two processes writing one file at once is a conflict in any case.
     */
    private static void deleteStaleTemporaries(Path dir, String name) throws IOException {
        String prefix = "." + name;
        try (var siblings = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp") && n.substring(prefix.length(), n.length() - 4).matches("\\d+");
        })) {
            for (Path stale : siblings) {
                Files.deleteIfExists(stale);
            }
        }
    }

    public static void writeString(Path target, String content) {
        write(target, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Fills a temporary directory, then moves it to {@code target}, replacing an older one. */
    public static void writeDirectory(Path target, DirectoryWriter writer) {
        Path parent = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            Path tmp = newSibling(parent, "." + target.getFileName() + ".tmp", "", true);
            try {
                writer.write(tmp);
                if (Files.exists(target)) {
                    Path old = newSibling(parent, "." + target.getFileName() + ".old", "", true);
                    Files.delete(old);
                    move(target, old);
                    move(tmp, target);
                    deleteRecursively(old);
                } else {
                    move(tmp, target);
                }
            } finally {
                deleteRecursively(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write directory " + target, e);
        }
    }

    /**
     * A new empty file or directory in {@code dir} named {@code prefix}, random digits and {@code suffix}, with the
     * permissions the user's umask gives anything new. Files.createTempFile and createTempDirectory make them the owner's
     * alone (0600, 0700), so every prediction file, curated corpus and ONNX export was unreadable to a colleague's
     * account or the service that was to deploy it.
     */
    private static Path newSibling(Path dir, String prefix, String suffix, boolean directory) throws IOException {
        while (true) {
            Path path = dir.resolve(prefix + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + suffix);
            try {
                return directory ? Files.createDirectory(path) : Files.createFile(path);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another writer's name: draw again
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Total bytes of the regular files under {@code path} (a file's own size if it is one). */
    public static long sizeOf(Path path) {
        try (var files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not measure " + path, e);
        }
    }

    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
