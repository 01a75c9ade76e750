package dev.distillery.curate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.DataFormatException;
import dev.distillery.data.OnError;
import dev.distillery.data.Utf8Lines;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** JSON Lines in and out for curation: one object per line with a "text" string and an optional "id"; other fields pass through. */
public final class DocFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DocFiles() {}

    /** The records read and how many bad lines were skipped (always 0 under {@link OnError#FAIL}, which throws instead). */
    public record Read(List<Doc> docs, int skipped) {}

    /**
     * Fails with one clear error unless {@code file} is a readable file holding at least one non-blank line: curating a
     * missing file, a directory or an empty file is a mistake to report, not an empty output to write.
     */
    public static void checkInput(Path file) {
        String expected = "a JSON Lines file with one {\"text\": ...} object per line";
        if (!Files.exists(file)) {
            throw new DataFormatException(file.toString(), "file not found", expected);
        }
        if (Files.isDirectory(file)) {
            throw new DataFormatException(file.toString(), "is a directory", expected);
        }
        if (!Files.isReadable(file)) {
            throw new DataFormatException(file.toString(), "is not readable (permissions)", expected);
        }
        try (Utf8Lines lines = Utf8Lines.open(file)) {
            for (Utf8Lines.Line line; (line = lines.next()) != null; ) {
                if (!line.valid() || !line.text().isBlank()) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        throw new DataFormatException(file.toString(), "holds no records (the file is empty or blank)", expected);
    }

    /** Reads all of {@code file} into memory. */
    public static Read read(Path file, OnError onError) {
        List<Doc> docs = new ArrayList<>();
        JsonlSource source = new JsonlSource(file, onError);
        source.read(4096, docs::addAll);
        return new Read(docs, source.skipped());
    }

    /** A JSON Lines file as a {@link DocSource}, parsed in parallel chunks and never held whole. */
    public static JsonlSource source(Path file, OnError onError) {
        return new JsonlSource(file, onError);
    }

    /**
     * Reads {@code file} chunk by chunk. The first read checks that ids are unique and counts bad lines;
     * later reads skip the same lines (the file must not change in between).
     */
    public static final class JsonlSource implements DocSource {
        private final Path file;
        private final OnError onError;
        private final String name;
        private int skipped = -1;
        private long records;

        JsonlSource(Path file, OnError onError) {
            this.file = file;
            this.onError = onError;
            this.name = file.getFileName().toString();
        }

        /** Bad lines skipped; known after the first read. */
        public int skipped() {
            return Math.max(skipped, 0);
        }

        /** Records read; known after the first read. */
        public long records() {
            return records;
        }

        @Override
        public void read(int chunkSize, Consumer<List<Doc>> chunks) {
            boolean first = skipped < 0;
            // Every read drops the same duplicates (a later read must see the records the first one counted).
            Set<String> ids = new HashSet<>();
            int bad = 0;
            long count = 0;
            try (Utf8Lines in = Utf8Lines.open(file)) {
                List<Utf8Lines.Line> lines = new ArrayList<>(chunkSize);
                Utf8Lines.Line line;
                while (true) {
                    line = in.next();
                    if (line != null) {
                        lines.add(line);
                    }
                    if (lines.size() == chunkSize || (line == null && !lines.isEmpty())) {
                        List<Parsed> parsed = lines.parallelStream().map(this::parse).toList();
                        List<Doc> docs = new ArrayList<>(parsed.size());
                        for (Parsed p : parsed) {
                            String problem = p.problem();
                            if (problem == null && p.doc() == null) {
                                continue; // blank line
                            }
                            if (problem == null && !ids.add(p.doc().id())) {
                                problem = "duplicate id '" + p.doc().id() + "'";
                            }
                            if (problem != null) {
                                if (onError == OnError.FAIL) {
                                    throw new DataFormatException(file + ":line " + p.lineNo(), problem, EXPECTED);
                                }
                                bad++;
                                continue;
                            }
                            docs.add(p.doc());
                        }
                        count += docs.size();
                        chunks.accept(docs);
                        lines.clear();
                    }
                    if (line == null) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + file, e);
            }
            if (first) {
                skipped = bad;
                records = count;
            } else if (count != records) {
                throw new IllegalStateException(file + " changed while it was being curated (" + records + " records, now " + count + ")");
            }
        }

        private Parsed parse(Utf8Lines.Line read) {
            return DocFiles.parse(name, read);
        }
    }

    /** What one line holds: a record, a problem, or (both null) nothing, for a blank line. */
    public record Parsed(Doc doc, String problem, int lineNo) {}

    /** What each reader says a record should look like, in its errors. */
    public static final String EXPECTED = "one JSON object per line with a \"text\" string and an optional unique \"id\"";

    /**
     * The one rule, for both engines, that turns a line of {@code fileName} into a record: a JSON object with a "text"
     * string; its "id", or {@code fileName#line} when it has none. Ids must also be unique in the file, which only a
     * reader of the whole file can check: the first record with an id is kept, the later ones are bad lines.
     */
    public static Parsed parse(String fileName, Utf8Lines.Line read) {
        int lineNo = read.number();
        if (!read.valid()) {
            return new Parsed(null, read.problem(), lineNo);
        }
        String line = read.text();
        if (line.isBlank()) {
            return new Parsed(null, null, lineNo);
        }
        try {
            JsonNode n = JSON.readTree(line);
            if (!(n instanceof ObjectNode obj)) {
                return new Parsed(null, "not a JSON object", lineNo);
            }
            if (!obj.path("text").isTextual()) {
                return new Parsed(null, "no \"text\" string", lineNo);
            }
            String id = obj.hasNonNull("id") ? obj.get("id").asText() : fileName + "#" + lineNo;
            return new Parsed(new Doc(id, obj.get("text").asText(), obj), null, lineNo);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            if (!line.strip().startsWith("{")) {
                // A CSV header or plain text: Jackson's "Unrecognized token 'text'" does not say what the file is. The
                // line itself is not shown: a corpus on its way to PII redaction may hold anything.
                return new Parsed(null, "not JSON (the line does not start with '{'): curate reads JSON Lines, not CSV or"
                        + " plain text", lineNo);
            }
            return new Parsed(null, "malformed JSON: " + e.getOriginalMessage(), lineNo);
        }
    }

    /** Writes one record as a JSON line. */
    public static void write(Doc d, java.io.OutputStream out) throws IOException {
        ObjectNode o = d.fields().deepCopy();
        if (!o.has("id")) {
            o.put("id", d.id());
        }
        out.write(JSON.writeValueAsBytes(o));
        out.write('\n');
    }

    /** Writes {@code docs} as JSON Lines, atomically. */
    public static void write(List<Doc> docs, Path file) {
        AtomicFiles.write(file, out -> {
            for (Doc d : docs) {
                write(d, out);
            }
        });
    }
}
