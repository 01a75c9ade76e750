package dev.distillery.curate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.DataFormatException;
import dev.distillery.data.OnError;
import dev.distillery.util.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** JSON Lines in and out for curation: one object per line with a "text" string and an optional "id"; other fields pass through. */
public final class DocFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DocFiles() {}

    /** The records read and how many bad lines were skipped (always 0 under {@link OnError#FAIL}, which throws instead). */
    public record Read(List<Doc> docs, int skipped) {}

    public static Read read(Path file, OnError onError) {
        List<Doc> docs = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int skipped = 0;
        String name = file.getFileName().toString();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String problem = null;
                Doc doc = null;
                try {
                    JsonNode n = JSON.readTree(line);
                    if (!(n instanceof ObjectNode obj)) {
                        problem = "not a JSON object";
                    } else if (!obj.path("text").isTextual()) {
                        problem = "no \"text\" string";
                    } else {
                        String id = obj.hasNonNull("id") ? obj.get("id").asText() : name + "#" + lineNo;
                        if (!ids.add(id)) {
                            problem = "duplicate id '" + id + "'";
                        } else {
                            doc = new Doc(id, obj.get("text").asText(), obj);
                        }
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    problem = "malformed JSON: " + e.getOriginalMessage();
                }
                if (problem != null) {
                    if (onError == OnError.FAIL) {
                        throw new DataFormatException(file + ":line " + lineNo, problem,
                                "one JSON object per line with a \"text\" string and an optional unique \"id\"");
                    }
                    skipped++;
                    continue;
                }
                docs.add(doc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return new Read(docs, skipped);
    }

    /** Writes {@code docs} as JSON Lines, atomically. */
    public static void write(List<Doc> docs, Path file) {
        AtomicFiles.write(file, out -> {
            for (Doc d : docs) {
                ObjectNode o = d.fields().deepCopy();
                if (!o.has("id")) {
                    o.put("id", d.id());
                }
                out.write(JSON.writeValueAsBytes(o));
                out.write('\n');
            }
        });
    }
}
