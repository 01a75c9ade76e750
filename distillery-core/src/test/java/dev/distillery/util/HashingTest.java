package dev.distillery.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashingTest {
    @TempDir
    Path dir;

    @Test
    void aDirectorysChecksumChangesWithAnyFileItHoldsAndOnlyThen() throws Exception {
        Files.createDirectories(dir.resolve("mail/spam"));
        Files.writeString(dir.resolve("mail/spam/1.eml"), "Subject: a\n\nbody");
        Files.writeString(dir.resolve("mail/2.eml"), "Subject: b\n\nbody");
        String first = Hashing.sha256Tree(dir.resolve("mail"));
        assertThat(Hashing.sha256Tree(dir.resolve("mail"))).isEqualTo(first);

        Files.writeString(dir.resolve("mail/spam/1.eml"), "Subject: a\n\nbody!");
        String edited = Hashing.sha256Tree(dir.resolve("mail"));
        assertThat(edited).isNotEqualTo(first);

        Files.move(dir.resolve("mail/spam/1.eml"), dir.resolve("mail/spam/3.eml"));
        assertThat(Hashing.sha256Tree(dir.resolve("mail"))).isNotEqualTo(edited);

        Files.createDirectories(dir.resolve("mail/ham"));
        String withEmptyDir = Hashing.sha256Tree(dir.resolve("mail"));
        Files.writeString(dir.resolve("mail/ham/4.eml"), "Subject: c\n\nbody");
        assertThat(Hashing.sha256Tree(dir.resolve("mail"))).isNotEqualTo(withEmptyDir);
    }
}
