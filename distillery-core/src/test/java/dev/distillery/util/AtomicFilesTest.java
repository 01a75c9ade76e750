package dev.distillery.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporaryBehind() throws Exception {
        Path target = dir.resolve("out.txt");
        AtomicFiles.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("half of the new".getBytes());
            throw new IOException("disk full");
        })).hasMessageContaining("out.txt");
        assertThat(Files.readString(target)).isEqualTo("old");
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(target);
        }
    }

    @Test
    void writtenFilesAndDirectoriesTakeThePermissionsOfAnythingNewNotTheOwnersAlone() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        // what the user's umask gives a new file and directory here (0644 and 0755 under the usual 022)
        var newFile = Files.getPosixFilePermissions(Files.createFile(dir.resolve("reference")));
        var newDirectory = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("reference-dir")));
        Path predictions = dir.resolve("predictions.csv");
        AtomicFiles.writeString(predictions, "id,label\n");
        assertThat(Files.getPosixFilePermissions(predictions)).isEqualTo(newFile);
        Path export = dir.resolve("export");
        AtomicFiles.writeDirectory(export, d -> Files.writeString(d.resolve("model.onnx"), "x"));
        assertThat(Files.getPosixFilePermissions(export)).isEqualTo(newDirectory);
        AtomicFiles.writeDirectory(export, d -> Files.writeString(d.resolve("model.onnx"), "y")); // replacing an older one
        assertThat(Files.getPosixFilePermissions(export)).isEqualTo(newDirectory);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).as("no temporary left")
                    .containsExactlyInAnyOrder("reference", "reference-dir", "predictions.csv", "export");
        }
    }

    @Test
    void directoryIsReplacedWholeOrNotAtAll() throws Exception {
        Path target = dir.resolve("model");
        AtomicFiles.writeDirectory(target, d -> Files.writeString(d.resolve("a"), "1"));
        assertThatThrownBy(() -> AtomicFiles.writeDirectory(target, d -> {
            Files.writeString(d.resolve("b"), "2");
            throw new IOException("interrupted");
        }));
        assertThat(Files.readString(target.resolve("a"))).isEqualTo("1");
        assertThat(Files.exists(target.resolve("b"))).isFalse();
        AtomicFiles.writeDirectory(target, d -> Files.writeString(d.resolve("c"), "3"));
        try (var files = Files.list(target)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("c");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(target);
        }
    }

    @Test
    void fnvHashIsStable() {
        // Saved text models depend on these exact values: changing the hash silently breaks them.
        assertThat(Hashing.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(Hashing.fnv1a64("spam")).isEqualTo(Hashing.fnv1a64(new StringBuilder("spam")));
        assertThat(Hashing.fnv1a64("free money")).isEqualTo(2972186670608265225L);
    }
}
