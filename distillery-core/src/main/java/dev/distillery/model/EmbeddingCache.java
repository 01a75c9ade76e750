package dev.distillery.model;

import dev.distillery.util.Hashing;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encoder outputs stored by content: the key is the SHA-256 of the text, the file is per encoder
 * ({@code <dir>/<encoder id>.bin}, records of 32-byte key + {@code dim} floats). A second run over
 * the same data, or any data sharing texts with it, reads instead of recomputing. Records are only
 * appended; a record cut short by an interrupted run is ignored on load.
 */
public final class EmbeddingCache {
    private final Path file;
    private final int dim;
    private final Map<String, float[]> vectors = new ConcurrentHashMap<>();

    public EmbeddingCache(Path dir, String encoderId, int dim) {
        this.file = dir.resolve(encoderId + ".bin");
        this.dim = dim;
        load();
    }

    public static String key(String text) {
        return Hashing.sha256(text);
    }

    public float[] get(String key) {
        return vectors.get(key);
    }

    public int size() {
        return vectors.size();
    }

    public Path file() {
        return file;
    }

    /** Stores new vectors in memory and appends them to the file. */
    public synchronized void putAll(List<String> keys, List<float[]> values) {
        ByteBuffer buf = ByteBuffer.allocate(keys.size() * (32 + 4 * dim));
        for (int i = 0; i < keys.size(); i++) {
            if (vectors.putIfAbsent(keys.get(i), values.get(i)) != null) {
                continue;
            }
            buf.put(HexFormat.of().parseHex(keys.get(i)));
            for (float v : values.get(i)) {
                buf.putFloat(v);
            }
        }
        buf.flip();
        if (!buf.hasRemaining()) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to the embedding cache " + file, e);
        }
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        byte[] key = new byte[32];
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            while (true) {
                float[] v = new float[dim];
                try {
                    in.readFully(key);
                    for (int d = 0; d < dim; d++) {
                        v[d] = in.readFloat();
                    }
                } catch (EOFException endOrPartialRecord) {
                    return;
                }
                vectors.put(HexFormat.of().formatHex(key), v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the embedding cache " + file, e);
        }
    }
}
