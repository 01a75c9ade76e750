package dev.distillery.data.sources;

import dev.distillery.data.Dataset;
import dev.distillery.data.IdxFormat;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 60,000 training and 10,000 test images of 28x28
 * grey clothing items in 10 classes.
 *
 * <p>Fetched from Debian's {@code dataset-fashion-mnist} package ({@code apt-get download}, no root
 * needed), or from an installed copy of it, or from the canonical download. Whatever the origin,
 * the SHA-256 of each decompressed IDX file must match the published data; gzip framing differs
 * between mirrors, so the compressed bytes are not compared.
 */
public final class FashionMnist implements KnownDataset {
    public static final String NAME = "fashion-mnist";

    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** SHA-256 of the uncompressed IDX files. */
    static final Map<String, String> SHA256 = Map.of(
            "train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

    static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
    static final Path DEBIAN_INSTALLED = Path.of("/usr/share/datasets/fashion-mnist");
    static final String CANONICAL_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    private final Path dir;

    public FashionMnist(Path datasetsRoot) {
        this.dir = datasetsRoot.resolve(NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Fashion-MNIST: 70,000 28x28 grey clothing images, 10 classes (train 60,000 / test 10,000)";
    }

    @Override
    public List<String> splits() {
        return List.of("train", "test");
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public boolean isCached() {
        return SHA256.keySet().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f + ".gz")))
                && Files.isRegularFile(dir.resolve("manifest.json"));
    }

    @Override
    public FetchReport fetch(Consumer<String> log) {
        if (isCached()) {
            Map<String, String> sums = verify(dir);
            return new FetchReport(NAME, "cache " + dir, true, sums, counts(), 0, List.of());
        }
        List<String> failures = new ArrayList<>();
        for (Origin origin : List.<Origin>of(this::fromInstalledPackage, this::fromDebianPackage, this::fromCanonicalDownload)) {
            try {
                Path staging = Files.createTempDirectory(dir.getParent() == null ? Path.of(".") : createParent(), ".fashion-mnist-");
                try {
                    String from = origin.fetchInto(staging, log);
                    if (from == null) {
                        continue;
                    }
                    Map<String, String> sums = verify(staging);
                    log.accept("verified SHA-256 of the 4 IDX files");
                    Manifest.write(staging, NAME, from, sums, counts(), 0, List.of());
                    AtomicFiles.writeDirectory(dir, target -> {
                        try (var files = Files.list(staging)) {
                            for (Path f : files.toList()) {
                                Files.copy(f, target.resolve(f.getFileName()));
                            }
                        }
                    });
                    return new FetchReport(NAME, from, false, sums, counts(), 0, List.of());
                } finally {
                    AtomicFiles.deleteRecursively(staging);
                }
            } catch (IOException | RuntimeException e) {
                failures.add(e.getMessage());
                log.accept("  failed: " + e.getMessage());
            }
        }
        throw new IllegalStateException("could not fetch Fashion-MNIST; tried: " + String.join(" | ", failures)
                + ". Install the Debian package " + DEBIAN_PACKAGE + " or put the four .gz IDX files in " + dir);
    }

    private Path createParent() throws IOException {
        return Files.createDirectories(dir.getParent());
    }

    private interface Origin {
        /** Fills {@code staging} with the four .gz files and names the origin, or returns null if not applicable. */
        String fetchInto(Path staging, Consumer<String> log) throws IOException;
    }

    private String fromInstalledPackage(Path staging, Consumer<String> log) throws IOException {
        if (!Files.isDirectory(DEBIAN_INSTALLED)) {
            return null;
        }
        log.accept("copying the installed Debian package files from " + DEBIAN_INSTALLED);
        copyIdx(DEBIAN_INSTALLED, staging);
        return "installed Debian package " + DEBIAN_PACKAGE + " (" + DEBIAN_INSTALLED + ")";
    }

    private String fromDebianPackage(Path staging, Consumer<String> log) throws IOException {
        String deb = Processes.debianFiles(staging, DEBIAN_PACKAGE, "usr/share/datasets/fashion-mnist", from -> copyIdx(from, staging), log);
        return deb == null ? null : "Debian package " + deb;
    }

    private String fromCanonicalDownload(Path staging, Consumer<String> log) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        for (String file : SHA256.keySet()) {
            URI uri = URI.create(CANONICAL_URL + file + ".gz");
            log.accept("downloading " + uri);
            try {
                HttpResponse<Path> resp = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                        HttpResponse.BodyHandlers.ofFile(staging.resolve(file + ".gz")));
                if (resp.statusCode() != 200) {
                    throw new IOException("HTTP " + resp.statusCode() + " for " + uri);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while downloading " + uri, e);
            }
        }
        return "canonical download " + CANONICAL_URL;
    }

    private static void copyIdx(Path from, Path to) throws IOException {
        for (String file : SHA256.keySet()) {
            Path src = from.resolve(file + ".gz");
            if (!Files.isRegularFile(src)) {
                throw new IOException(src + " is missing");
            }
            Files.copy(src, to.resolve(file + ".gz"));
        }
    }

    /** Checks each decompressed IDX file against its pinned SHA-256; returns the verified sums. */
    static Map<String, String> verify(Path folder) {
        Map<String, String> sums = new LinkedHashMap<>();
        for (var entry : SHA256.entrySet()) {
            Path file = folder.resolve(entry.getKey() + ".gz");
            String actual;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
                actual = Hashing.digest(in, "SHA-256");
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + file, e);
            }
            if (!actual.equals(entry.getValue())) {
                throw new IllegalStateException(file + ": SHA-256 of the decompressed data is " + actual
                        + ", expected " + entry.getValue() + " (corrupt or different data)");
            }
            sums.put(entry.getKey(), actual);
        }
        return sums;
    }

    private static Map<String, Long> counts() {
        return Map.of("train", 60_000L, "test", 10_000L);
    }

    @Override
    public Dataset load(String split) {
        String prefix = switch (split) {
            case "train" -> "train";
            case "test" -> "t10k";
            default -> throw new IllegalArgumentException("Fashion-MNIST has splits train and test, not '" + split + "'");
        };
        Dataset data = IdxFormat.read(dir.resolve(prefix + "-images-idx3-ubyte.gz"),
                dir.resolve(prefix + "-labels-idx1-ubyte.gz"), CLASS_NAMES).dataset();
        return new Dataset(NAME + ":" + split, data.schema(), data.examples());
    }
}
