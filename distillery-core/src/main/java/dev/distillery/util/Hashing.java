package dev.distillery.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Checksums for provenance and verification, and the stable string hash the text featurizer uses. */
public final class Hashing {
    private Hashing() {}

    public static String sha256(Path file) {
        return digest(file, "SHA-256");
    }

    /**
     * The SHA-256 of a directory's content: of every regular file under it, in path order, its relative path and its
     * own SHA-256, so a renamed, added, removed or changed file changes it (a directory of mail read as one input).
     */
    public static String sha256Tree(Path dir) {
        StringBuilder listing = new StringBuilder();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                listing.append(dir.relativize(f)).append('\t').append(sha256(f)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + dir, e);
        }
        return sha256(listing.toString());
    }

    public static String digest(Path file, String algorithm) {
        try (InputStream in = Files.newInputStream(file)) {
            return digest(in, algorithm);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    public static String digest(InputStream in, String algorithm) throws IOException {
        MessageDigest md = messageDigest(algorithm);
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(messageDigest("SHA-256").digest(bytes));
    }

    public static String sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    public static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }

    /**
     * 64-bit FNV-1a over the UTF-16 code units of {@code s}. Stable across JVMs and releases, unlike
     * {@link String#hashCode()} mixing into buckets; saved text models depend on it never changing.
     */
    public static long fnv1a64(CharSequence s) {
        return fnv1a64(FNV1A64_START, s, 0, s.length());
    }

    /** The state {@link #fnv1a64(CharSequence)} starts from: the hash of nothing. */
    public static final long FNV1A64_START = 0xcbf29ce484222325L;

    /**
     * {@link #fnv1a64(CharSequence)} continued from {@code state} over {@code s[from, to)}: hashing "a b" equals hashing
     * "a", then continuing with " b", so word n-grams can extend the hash of their first words instead of being built.
     */
    public static long fnv1a64(long state, CharSequence s, int from, int to) {
        long h = state;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            h ^= (c & 0xff);
            h *= 0x100000001b3L;
            h ^= (c >>> 8);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
