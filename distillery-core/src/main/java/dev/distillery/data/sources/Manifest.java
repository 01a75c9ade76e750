package dev.distillery.data.sources;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code manifest.json} beside a cached data set: origin, checksums, counts, date. */
public final class Manifest {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Manifest() {}

    static void write(Path dir, String name, String origin, Map<String, String> checksums,
            Map<String, Long> counts, int skipped, List<String> notes) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("dataset", name);
        doc.put("origin", origin);
        doc.put("fetched", Instant.now().toString());
        doc.put("checksums", checksums);
        doc.put("counts", counts);
        doc.put("skipped", skipped);
        doc.put("notes", notes);
        try {
            AtomicFiles.writeString(dir.resolve("manifest.json"), MAPPER.writeValueAsString(doc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a cached manifest as a map, or an empty map if there is none. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(Path dir) {
        Path file = dir.resolve("manifest.json");
        if (!Files.exists(file)) {
            return Map.of();
        }
        try {
            return MAPPER.readValue(file.toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }
}
