package dev.distillery.data.sources;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Small classic data sets that ship inside Debian's {@code python3-sklearn} package (scikit-learn's bundled copies of
 * UCI data): handwritten digits (1,797 8x8 images, 10 classes), wine (178 samples, 13 measurements, 3 cultivars) and
 * breast cancer (569 samples, 30 measurements, malignant or benign). Small data nobody tuned Distillery for: the
 * small-data suite's tabular and small-image cells.
 *
 * <p>Fetched from the installed package or with {@code apt-get download python3-sklearn} (no root needed); the SHA-256
 * of the decompressed CSV must match the published file. One split, {@code all}: split it with {@code --test-fraction}
 * or {@code data split}.
 */
public final class SklearnBundled implements KnownDataset {
    static final String DEBIAN_PACKAGE = "python3-sklearn";
    static final String DATA_DIR = "usr/lib/python3/dist-packages/sklearn/datasets/data";

    /** One bundled file: its name in the package, SHA-256 of its (decompressed) bytes, layout and label names. */
    private record Spec(String name, String description, String file, String sha256, boolean header, List<Long> shape,
            List<String> classNames, int rows) {}

    private static final Spec DIGITS = new Spec("digits",
            "digits: 1,797 8x8 grey handwritten digits (0-16 per pixel), 10 classes (UCI, via Debian python3-sklearn)",
            "digits.csv.gz", "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8", false, List.of(1L, 8L, 8L),
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), 1797);
    private static final Spec WINE = new Spec("wine",
            "wine: 178 wines, 13 chemical measurements, 3 cultivars (UCI, via Debian python3-sklearn)",
            "wine_data.csv", "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede", true, List.of(13L),
            List.of("class_0", "class_1", "class_2"), 178);
    private static final Spec BREAST_CANCER = new Spec("breast-cancer",
            "breast-cancer: 569 tumours, 30 measurements, malignant or benign (UCI Wisconsin, via Debian python3-sklearn)",
            "breast_cancer.csv", "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed", true, List.of(30L),
            List.of("malignant", "benign"), 569);

    private final Spec spec;
    private final Path dir;

    private SklearnBundled(Spec spec, Path datasetsRoot) {
        this.spec = spec;
        this.dir = datasetsRoot.resolve(spec.name());
    }

    /** The three bundled data sets, cached under {@code datasetsRoot}. */
    public static List<KnownDataset> all(Path datasetsRoot) {
        return List.of(new SklearnBundled(DIGITS, datasetsRoot), new SklearnBundled(WINE, datasetsRoot),
                new SklearnBundled(BREAST_CANCER, datasetsRoot));
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public String description() {
        return spec.description();
    }

    @Override
    public List<String> splits() {
        return List.of("all");
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public boolean isCached() {
        return Files.isRegularFile(dir.resolve(spec.file())) && Files.isRegularFile(dir.resolve("manifest.json"));
    }

    @Override
    public FetchReport fetch(Consumer<String> log) {
        Map<String, Long> counts = Map.of("all", (long) spec.rows());
        if (isCached()) {
            return new FetchReport(spec.name(), "cache " + dir, true, Map.of(spec.file(), verify(dir.resolve(spec.file()))), counts, 0,
                    List.of());
        }
        try {
            Files.createDirectories(dir.getParent());
            Path staging = Files.createTempDirectory(dir.getParent(), "." + spec.name() + "-");
            try {
                String origin = copyInto(staging, log);
                String sum = verify(staging.resolve(spec.file()));
                log.accept("verified SHA-256 of " + spec.file());
                Manifest.write(staging, spec.name(), origin, Map.of(spec.file(), sum), counts, 0, List.of());
                AtomicFiles.writeDirectory(dir, target -> {
                    Files.copy(staging.resolve(spec.file()), target.resolve(spec.file()));
                    Files.copy(staging.resolve("manifest.json"), target.resolve("manifest.json"));
                });
                return new FetchReport(spec.name(), origin, false, Map.of(spec.file(), sum), counts, 0, List.of());
            } finally {
                AtomicFiles.deleteRecursively(staging);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not fetch " + spec.name() + ": " + e.getMessage() + ". Install the Debian package "
                    + DEBIAN_PACKAGE + " or put " + spec.file() + " in " + dir, e);
        }
    }

    /** Copies the file from the installed package, else from a downloaded one; names the origin. */
    private String copyInto(Path staging, Consumer<String> log) throws IOException {
        Path installed = Path.of("/").resolve(DATA_DIR).resolve(spec.file());
        if (Files.isRegularFile(installed)) {
            log.accept("copying " + installed + " from the installed Debian package " + DEBIAN_PACKAGE);
            Files.copy(installed, staging.resolve(spec.file()));
            return "installed Debian package " + DEBIAN_PACKAGE + " (" + installed + ")";
        }
        String deb = Processes.debianFiles(staging, DEBIAN_PACKAGE, DATA_DIR, from -> {
            Path file = from.resolve(spec.file());
            if (!Files.isRegularFile(file)) {
                throw new IOException(DEBIAN_PACKAGE + " has no " + DATA_DIR + "/" + spec.file());
            }
            Files.copy(file, staging.resolve(spec.file()));
        }, log);
        if (deb == null) {
            throw new IOException("neither an installed " + DEBIAN_PACKAGE + " nor apt-get and dpkg-deb to download it");
        }
        return "Debian package " + deb;
    }

    private InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return spec.file().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** SHA-256 of the decompressed file, which must be the published one. */
    private String verify(Path file) {
        String actual;
        try (InputStream in = open(file)) {
            actual = Hashing.digest(in, "SHA-256");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        if (!actual.equals(spec.sha256())) {
            throw new IllegalStateException(file + ": SHA-256 is " + actual + ", expected " + spec.sha256()
                    + " (corrupt or different data)");
        }
        return actual;
    }

    @Override
    public Dataset load(String split) {
        if (!"all".equals(split)) {
            throw new IllegalArgumentException(spec.name() + " has one split, all, not '" + split + "'");
        }
        Path file = dir.resolve(spec.file());
        List<Example> examples = new ArrayList<>(spec.rows());
        int features = (int) spec.shape().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            if (spec.header()) {
                in.readLine();
            }
            String line;
            int row = 0;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                if (cells.length != features + 1) {
                    throw new IllegalStateException(file + " line " + (row + 1 + (spec.header() ? 1 : 0)) + ": " + cells.length
                            + " fields, expected " + (features + 1));
                }
                float[] x = new float[features];
                for (int j = 0; j < features; j++) {
                    x[j] = Float.parseFloat(cells[j]);
                }
                String label = spec.classNames().get(Integer.parseInt(cells[features].trim()));
                examples.add(Example.dense(spec.name() + "-" + row, x, label, spec.name()));
                row++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return Dataset.infer(spec.name() + ":all", examples, spec.shape());
    }
}
