package dev.distillery.util;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The one way into ONNX Runtime: its native libraries come from a cache in Distillery's home, not from a new temporary
 * directory per process.
 *
 * <p>Why: ONNX Runtime's Java binding (1.21) copies its 20 MB of native libraries into a fresh {@code
 * /tmp/onnxruntime-java*} directory every time a process starts it and marks them for deletion at exit in an order that
 * deletes the directory before its files, so every run left an empty directory in {@code /tmp} (a hundred after a week
 * of use), and a killed run left the 20 MB too. The binding's maintainers recommend caching the libraries and naming
 * the directory with the {@code onnxruntime.native.path} property, which is what this does: once per version of the
 * libraries, written atomically, so concurrent first runs are safe. A property set by the user wins; where the cache
 * cannot be used (no libraries for this platform in the jar, a read-only home) the binding's own loading is left as is.
 */
public final class OnnxRuntimeLibraries {
    /** The binding's property for the directory that holds its native libraries. */
    static final String PATH_PROPERTY = "onnxruntime.native.path";
    private static final String RESOURCE_ROOT = "/ai/onnxruntime/native/";
    private static final String[] LIBRARIES = {"onnxruntime", "onnxruntime4j_jni"};

    private static boolean prepared;

    private OnnxRuntimeLibraries() {}

    /** ONNX Runtime's environment, its libraries loaded from the cache under {@link DistilleryHome}. */
    public static synchronized OrtEnvironment environment() {
        if (!prepared) {
            prepared = true;
            if (System.getProperty(PATH_PROPERTY) == null) {
                cache(DistilleryHome.fromEnvironment().root().resolve("cache").resolve("onnxruntime"))
                        .ifPresent(dir -> System.setProperty(PATH_PROPERTY, dir.toString()));
            }
        }
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Copies this platform's libraries out of the binding's jar into a directory under {@code cacheRoot} named by
     * their checksums, unless a complete copy is already there.
     *
     * @return the directory holding the libraries, or empty where the cache cannot be used
     */
    static Optional<Path> cache(Path cacheRoot) {
        String platform = platform();
        if (platform == null) {
            return Optional.empty();
        }
        try {
            List<Library> libraries = new ArrayList<>();
            for (String name : LIBRARIES) {
                String file = System.mapLibraryName(name);
                URL url = OrtEnvironment.class.getResource(RESOURCE_ROOT + platform + "/" + file);
                if (url == null) {
                    return Optional.empty();
                }
                libraries.add(new Library(file, url, checksum(url)));
            }
            StringBuilder key = new StringBuilder(platform);
            for (Library library : libraries) {
                key.append('-').append(library.checksum());
            }
            Path dir = cacheRoot.resolve(key.toString());
            for (Library library : libraries) {
                Path target = dir.resolve(library.file());
                if (!Files.isRegularFile(target)) {
                    AtomicFiles.write(target, out -> {
                        try (InputStream in = library.url().openStream()) {
                            in.transferTo(out);
                        }
                    });
                }
            }
            return Optional.of(dir);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the binding's own temporary copy still works
        }
    }

    private record Library(String file, URL url, String checksum) {}

    /**
     * The entry's CRC and size from the jar's directory where the library sits in a jar (no need to read 20 MB), else a
     * CRC of its bytes.
     */
    private static String checksum(URL url) throws IOException {
        URLConnection connection = url.openConnection();
        if (connection instanceof JarURLConnection jar && jar.getJarEntry() != null && jar.getJarEntry().getCrc() != -1) {
            return Long.toHexString(jar.getJarEntry().getCrc()) + Long.toHexString(jar.getJarEntry().getSize());
        }
        CRC32 crc = new CRC32();
        long size = 0;
        try (InputStream in = connection.getInputStream()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; size += n) {
                crc.update(buffer, 0, n);
            }
        }
        return Long.toHexString(crc.getValue()) + Long.toHexString(size);
    }

    /** The binding's name for this platform's resource directory, or null for one it does not name this way. */
    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "osx" : null;
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : null;
        return osName == null || archName == null ? null : osName + "-" + archName;
    }
}
