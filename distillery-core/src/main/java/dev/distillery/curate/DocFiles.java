package dev.distillery.curate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.BadRecordException;
import dev.distillery.data.CsvFormat;
import dev.distillery.data.DataFormatException;
import dev.distillery.data.OnError;
import dev.distillery.data.ReadResult;
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

/**
 * Records in and out for curation: JSON Lines (one object per line with a "text" string and an optional "id") or CSV
 * with a text column in; JSON Lines out. Other fields pass through. The text may sit under another key or column
 * ({@code --text-column body}, as {@code train} takes it); within curation it is "text", and the output names it as the
 * input did, so the curated file reads with the options the original took.
 */
public final class DocFiles {
    private static final ObjectMapper JSON = dev.distillery.data.JsonObjects.mapper(); // Python's NaN read too

    private DocFiles() {}

    /**
     * The records read, how many bad records were skipped (always 0 under {@link OnError#FAIL}, which throws instead)
     * and why the first of them were.
     */
    public record Read(List<Doc> docs, int skipped, List<String> skipReasons) {}

    /**
     * Fails with one clear error unless {@code file} is a readable file holding at least one non-blank line: curating a
     * missing file, a directory or an empty file is a mistake to report, not an empty output to write.
     */
    public static void checkInput(Path file) {
        String expected = "a JSON Lines file with one {\"text\": ...} object per line, or a .csv file with a 'text' column";
        if (!Files.exists(file)) {
            throw DataFormatException.notFound(file, expected);
        }
        if (Files.isDirectory(file)) {
            return; // a directory of documents: its reader names what is wrong with it (DirectorySource)
        }
        dev.distillery.data.DataFiles.refuseIfArchive(file);
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

    /** The key or column that holds the text unless the user names another. */
    public static final String TEXT = "text";

    /** Reads all of {@code file} into memory, its text under the key or column {@link #TEXT}. */
    public static Read read(Path file, OnError onError) {
        return read(file, onError, TEXT);
    }

    /** Reads all of {@code file} into memory, its text under the key or column {@code textKey}. */
    public static Read read(Path file, OnError onError, String textKey) {
        List<Doc> docs = new ArrayList<>();
        FileSource source = source(file, onError, textKey);
        source.read(4096, docs::addAll);
        return new Read(docs, source.skipped(), source.skipReasons());
    }

    /** {@code file} as a {@link DocSource}, never held whole: CSV (by its name) or JSON Lines; the text under {@code textKey}. */
    public static FileSource source(Path file, OnError onError, String textKey) {
        if (Files.isDirectory(file)) {
            return new DirectorySource(file, onError, textKey);
        }
        return isCsv(file) ? new CsvSource(file, onError, textKey) : new JsonlSource(file, onError, textKey);
    }

    /** Whether {@code file} is read as CSV, by the rule of every other command ({@link dev.distillery.data.DataFiles#isCsv}). */
    public static boolean isCsv(Path file) {
        return dev.distillery.data.DataFiles.isCsv(file);
    }

    /**
     * A file of records read chunk by chunk. The first read checks that ids are unique and counts bad records; later
     * reads skip the same records (the file must not change in between).
     */
    public abstract static sealed class FileSource implements DocSource permits JsonlSource, CsvSource, DirectorySource {
        final Path file;
        /** The file's name, which names a record without an id: {@code name#line}. */
        final String name;
        final OnError onError;
        /** The key or column that holds the text. */
        final String textKey;
        /** What a record of this file should look like, in its errors. */
        private final String expected;
        private int skipped = -1;
        private List<String> skipReasons = List.of();
        private long records;

        FileSource(Path file, OnError onError, String textKey, String expected) {
            this.file = file;
            this.name = file.getFileName().toString();
            this.onError = onError;
            this.textKey = textKey;
            this.expected = expected;
        }

        /** Bad records skipped; known after the first read. */
        public int skipped() {
            return Math.max(skipped, 0);
        }

        /** Why the first bad records were skipped (file, line, problem, what was expected); known after the first read. */
        public List<String> skipReasons() {
            return skipReasons;
        }

        /** Records read; known after the first read. */
        public long records() {
            return records;
        }

        /** Hands over the file's records as parsed, in order, in chunks of at most {@code chunkSize}. */
        abstract void parse(int chunkSize, Consumer<List<Parsed>> chunks) throws IOException;

        @Override
        public void read(int chunkSize, Consumer<List<Doc>> chunks) {
            boolean first = skipped < 0;
            // Every read drops the same duplicates (a later read must see the records the first one counted).
            Set<String> ids = new HashSet<>();
            int[] bad = {0};
            List<String> reasons = new ArrayList<>();
            long[] count = {0};
            try {
                parse(chunkSize, parsed -> {
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
                            BadRecordException error = new BadRecordException(file + ":line " + p.lineNo(), problem, expected);
                            if (onError == OnError.FAIL) {
                                throw error;
                            }
                            bad[0]++;
                            if (reasons.size() < ReadResult.MAX_REASONS) {
                                reasons.add(error.getMessage());
                            }
                            continue;
                        }
                        docs.add(p.doc());
                    }
                    count[0] += docs.size();
                    chunks.accept(docs);
                });
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + file, e);
            }
            if (first) {
                skipped = bad[0];
                skipReasons = List.copyOf(reasons);
                records = count[0];
            } else if (count[0] != records) {
                throw new IllegalStateException(file + " changed while it was being curated (" + records + " records, now " + count[0] + ")");
            }
        }
    }

    /** JSON Lines, each chunk of lines parsed in parallel. */
    public static final class JsonlSource extends FileSource {
        JsonlSource(Path file, OnError onError, String textKey) {
            super(file, onError, textKey, expected(textKey));
        }

        @Override
        void parse(int chunkSize, Consumer<List<Parsed>> chunks) throws IOException {
            try (Utf8Lines in = Utf8Lines.open(file)) {
                List<Utf8Lines.Line> lines = new ArrayList<>(chunkSize);
                for (Utf8Lines.Line line; (line = in.next()) != null; ) {
                    lines.add(line);
                    if (lines.size() == chunkSize) {
                        chunks.accept(lines.parallelStream().map(l -> DocFiles.parse(name, l, textKey)).toList());
                        lines.clear();
                    }
                }
                if (!lines.isEmpty()) {
                    chunks.accept(lines.parallelStream().map(l -> DocFiles.parse(name, l, textKey)).toList());
                }
            }
        }
    }

    /**
     * CSV with a header row holding a {@code text} column (or the one named; any case) and optionally an {@code id}
     * column, as {@code train} reads it; every column passes through as a string field of the record (the text and id
     * columns as "text" and "id"), so the output, JSON Lines or the same columns as CSV ({@link #columns}), keeps labels
     * and the rest.
     */
    public static final class CsvSource extends FileSource {
        /** The header's names as the records hold them (the text column as "text"); known after the first read. */
        private volatile List<String> columns;

        CsvSource(Path file, OnError onError, String textKey) {
            super(file, onError, textKey, expectedCsv(textKey));
        }

        /** The character that separates the file's cells (comma, semicolon or tab). */
        public char separator() {
            return CsvFormat.separator(file);
        }

        /** The file's columns in its order, the text column under the name it has in the file; known after the first read. */
        public List<String> columns() {
            return columns.stream().map(c -> c.equals(TEXT) ? textKey : c).toList();
        }

        @Override
        void parse(int chunkSize, Consumer<List<Parsed>> chunks) {
            String[][] header = {null};
            List<Parsed> parsed = new ArrayList<>(chunkSize);
            CsvFormat.stream(file, line -> parsed.add(new Parsed(null, line.problem(), line.number())), row -> {
                if (header[0] == null) {
                    header[0] = header(row.cells());
                    columns = List.of(header[0]);
                    return;
                }
                parsed.add(record(header[0], row));
                if (parsed.size() >= chunkSize) {
                    chunks.accept(List.copyOf(parsed));
                    parsed.clear();
                }
            });
            if (header[0] == null) {
                throw new DataFormatException(file.toString(), "no header row", "a header such as id,text,label");
            }
            if (!parsed.isEmpty()) {
                chunks.accept(parsed);
            }
        }

        /** The header's names, with the text and id columns named "text" and "id"; one text column is required. */
        private String[] header(String[] cells) {
            String[] names = new String[cells.length];
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < cells.length; i++) {
                String cell = cells[i].trim();
                names[i] = cell.equalsIgnoreCase(textKey) ? TEXT : cell.equalsIgnoreCase("id") ? "id" : cell;
                if (!seen.add(names[i])) {
                    throw new DataFormatException(file + ":line 1", "column name '" + names[i] + "' appears twice"
                            + (names[i].equals(TEXT) && !textKey.equalsIgnoreCase(TEXT) ? " (curate reads the '" + textKey
                            + "' column as the text, and the file has a 'text' column too)" : ""), "distinct column names");
                }
            }
            if (!seen.contains(TEXT)) {
                throw new DataFormatException(file + ":line 1", "header has no '" + textKey + "' column (its columns: "
                        + dev.distillery.util.Listing.firstQuoted(java.util.Arrays.stream(cells).map(String::trim).toList(), 12)
                        + ")", expectedCsv(textKey) + "; name the column that holds the text with --text-column");
            }
            return names;
        }

        private Parsed record(String[] names, CsvFormat.Row row) {
            String[] cells = row.cells();
            int line = Math.toIntExact(row.line());
            if (cells.length == 1 && cells[0].isEmpty()) {
                return new Parsed(null, null, line); // blank line
            }
            if (cells.length != names.length) {
                return new Parsed(null, cells.length + " columns, not " + names.length + " like the header", line);
            }
            ObjectNode fields = JSON.createObjectNode();
            for (int i = 0; i < cells.length; i++) {
                fields.put(names[i], cells[i]);
            }
            String id = fields.path("id").asText("");
            if (id.isEmpty()) {
                fields.remove("id"); // a record without an id is named by its line, as in JSON Lines
                id = name + "#" + line;
            }
            return new Parsed(new Doc(id, fields.get("text").asText(), fields), null, line);
        }
    }

    /**
     * A directory of documents read as {@code train} reads it ({@link dev.distillery.data.DataFiles#read}: .eml, .mbox and
     * .txt files and files without an extension, label subdirectories, a maildir), each a record of its text, its path
     * under the directory as its id and its subdirectory as its "label". The reader holds the documents in memory (read
     * once, handed over on every pass); its bad records (an undecodable file) are counted with the source's.
     */
    public static final class DirectorySource extends FileSource {
        private List<Parsed> records;
        private int unreadable;
        private List<String> unreadableReasons = List.of();

        DirectorySource(Path dir, OnError onError, String textKey) {
            super(dir, onError, textKey, "a directory of .eml, .mbox or .txt documents");
        }

        @Override
        void parse(int chunkSize, Consumer<List<Parsed>> chunks) {
            if (records == null) {
                records = documents();
            }
            for (int i = 0; i < records.size(); i += chunkSize) {
                chunks.accept(records.subList(i, Math.min(records.size(), i + chunkSize)));
            }
        }

        private List<Parsed> documents() {
            ReadResult read = dev.distillery.data.DataFiles.read(file, onError);
            if (read.dataset().schema().kind() != dev.distillery.data.Schema.Kind.TEXT) {
                throw new DataFormatException(file.toString(), "holds images, not text documents", "text to clean: a"
                        + " directory of .eml, .mbox or .txt files, a JSON Lines file or a CSV file with a text column");
            }
            unreadable = read.skipped();
            unreadableReasons = read.skipReasons();
            List<Parsed> out = new ArrayList<>(read.dataset().size());
            int n = 0;
            for (dev.distillery.data.Example e : read.dataset().examples()) {
                ObjectNode fields = JSON.createObjectNode();
                fields.put("id", e.id());
                fields.put(TEXT, e.text());
                e.label().ifPresent(label -> fields.put("label", label));
                out.add(new Parsed(new Doc(e.id(), e.text(), fields), null, ++n));
            }
            return out;
        }

        @Override
        public int skipped() {
            return super.skipped() + unreadable;
        }

        @Override
        public List<String> skipReasons() {
            List<String> all = new ArrayList<>(unreadableReasons);
            all.addAll(super.skipReasons());
            return all;
        }
    }

    /** What one line holds: a record, a problem, or (both null) nothing, for a blank line. */
    public record Parsed(Doc doc, String problem, int lineNo) {}

    /** What a JSON Lines record should look like, in errors, with its text under {@code textKey}. */
    public static String expected(String textKey) {
        return "one JSON object per line with a \"" + textKey + "\" string and an optional unique \"id\"";
    }

    static String expectedCsv(String textKey) {
        return "CSV with a header naming a '" + textKey + "' column and optionally a unique 'id' column";
    }

    /**
     * The one rule, for both engines, that turns a line of {@code fileName} into a record: a JSON object with a string
     * under {@code textKey} (kept as "text"); its "id", or {@code fileName#line} when it has none. Ids must also be
     * unique in the file, which only a reader of the whole file can check: the first record with an id is kept, the
     * later ones are bad lines.
     */
    public static Parsed parse(String fileName, Utf8Lines.Line read, String textKey) {
        int lineNo = read.number();
        if (!read.valid()) {
            return new Parsed(null, read.problem(), lineNo);
        }
        String line = read.text();
        if (line.isBlank()) {
            return new Parsed(null, null, lineNo);
        }
        if (lineNo == 1 && line.strip().startsWith("[")) {
            // One JSON array of records (pandas' to_json(orient="records")): curation streams a corpus line by line.
            return new Parsed(null, "a JSON array, which curate does not read: it streams JSON Lines, one object per line"
                    + " (convert with: python3 -c \"import json,sys; [print(json.dumps(r)) for r in json.load(sys.stdin)]\""
                    + " < FILE.json > FILE.jsonl)", lineNo);
        }
        if (lineNo == 1 && line.strip().equals("{")) {
            // One object written over several lines: a pretty-printed record, or an API's answer with records under a key.
            return new Parsed(null, "one JSON object written over several lines, which curate does not read: it streams JSON"
                    + " Lines, one object per line (for records under a key, such as {\"data\": [...]}, convert with: python3 -c"
                    + " \"import json,sys; [print(json.dumps(r)) for r in json.load(sys.stdin)['data']]\" < FILE.json > FILE.jsonl)",
                    lineNo);
        }
        try {
            JsonNode n = JSON.readTree(line);
            if (!(n instanceof ObjectNode obj)) {
                return new Parsed(null, "not a JSON object", lineNo);
            }
            if (!obj.has(textKey) && nested(obj, textKey) != null) {
                obj = withNestedTextOnTop(obj, textKey); // "content.body": the text out of its object, back there on writing
            }
            if (obj.has(textKey) && !obj.get(textKey).isTextual()) {
                return new Parsed(null, "\"" + textKey + "\" is " + obj.get(textKey).getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                        + ", not a string", lineNo);
            }
            if (!obj.has(textKey)) {
                List<String> keys = new ArrayList<>();
                obj.fieldNames().forEachRemaining(keys::add);
                return new Parsed(null, "no \"" + textKey + "\" string" + (keys.isEmpty() ? "" : " (its keys: "
                        + dev.distillery.util.Listing.firstQuoted(keys, 12) + "; name the one that holds the text with"
                        + " --text-column)"), lineNo);
            }
            if (!textKey.equals(TEXT)) {
                if (obj.has(TEXT)) {
                    return new Parsed(null, "has a \"text\" field besides \"" + textKey + "\", which curate reads as the text", lineNo);
                }
                obj = renamed(obj, textKey, TEXT);
            }
            String id = obj.hasNonNull("id") ? obj.get("id").asText() : fileName + "#" + lineNo;
            return new Parsed(new Doc(id, obj.get(TEXT).asText(), obj), null, lineNo);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            if (!line.strip().startsWith("{")) {
                // A CSV header or plain text: Jackson's "Unrecognized token 'text'" does not say what the file is. The
                // line itself is not shown: a corpus on its way to PII redaction may hold anything.
                return new Parsed(null, "not JSON (the line does not start with '{'): curate reads JSON Lines, or CSV"
                        + " from a file whose name ends in .csv, not plain text", lineNo);
            }
            return new Parsed(null, dev.distillery.data.JsonObjects.malformed(e), lineNo);
        }
    }

    /** Writes one record as a JSON line. */
    public static void write(Doc d, java.io.OutputStream out) throws IOException {
        write(d, out, TEXT);
    }

    /**
     * Writes one record as a CSV row of {@code columns} (a CSV file's own, {@link CsvSource#columns}), its text under
     * {@code textKey}: a column the record lacks is an empty cell.
     */
    public static void writeCsvRow(Doc d, List<String> columns, String textKey, com.fasterxml.jackson.dataformat.csv.CsvGenerator out)
            throws IOException {
        ObjectNode o = withTextUnder(d.fields(), textKey);
        out.writeStartArray();
        for (String column : columns) {
            JsonNode value = o.get(column);
            out.writeString(value == null || value.isNull() ? "" : value.asText());
        }
        out.writeEndArray();
    }

    /**
     * {@code d} with each field but its text and id that is a number of a decimal-comma file ("820,97", "1.250,50 €",
     * "63 %", and "1.250" outside {@code pointDecimalColumns}) written as a plain number with a decimal point
     * ({@link CsvFormat#plainDecimal}), exactly.
     */
    public static Doc withDecimalPoints(Doc d, Set<String> pointDecimalColumns) {
        ObjectNode fields = d.fields().deepCopy();
        d.fields().fieldNames().forEachRemaining(name -> {
            JsonNode value = fields.get(name);
            if (!name.equals(TEXT) && !name.equals("id") && value.isTextual()) {
                String plain = CsvFormat.plainDecimal(value.asText(), true, !pointDecimalColumns.contains(name));
                if (plain != null && !plain.equals(value.asText())) {
                    fields.put(name, plain);
                }
            }
        });
        return new Doc(d.id(), d.text(), fields);
    }

    /** Writes one record as a JSON line, its text under {@code textKey}, where the input held it. */
    public static void write(Doc d, java.io.OutputStream out, String textKey) throws IOException {
        ObjectNode o = withTextUnder(d.fields(), textKey);
        if (!o.has("id")) {
            o.put("id", d.id());
        }
        out.write(JSON.writeValueAsBytes(o));
        out.write('\n');
    }

    /**
     * A copy of a record's {@code fields} with the text under {@code textKey} instead of "text", in the same place among
     * the other fields: the output reads as the input did ({@code --text-column body} on both).
     */
    public static ObjectNode withTextUnder(ObjectNode fields, String textKey) {
        if (textKey.contains(".") && fields.has(TEXT) && !fields.has(textKey)) {
            String[] path = textKey.split("\\.");
            ObjectNode o = fields.deepCopy();
            JsonNode text = o.remove(TEXT);
            ObjectNode parent = o;
            for (int i = 0; i < path.length - 1; i++) {
                parent = parent.get(path[i]) instanceof ObjectNode inner ? inner : parent.putObject(path[i]);
            }
            parent.set(path[path.length - 1], text);
            return o;
        }
        return renamed(fields, TEXT, textKey);
    }

    /**
     * The string at the dotted path {@code textKey} of {@code obj} ("content.body": the "body" of its "content" object),
     * or null where the record holds none there or {@code textKey} is no path.
     */
    private static JsonNode nested(ObjectNode obj, String textKey) {
        if (!textKey.contains(".")) {
            return null;
        }
        JsonNode at = obj;
        for (String key : textKey.split("\\.")) {
            at = at.isObject() ? at.get(key) : null;
            if (at == null) {
                return null;
            }
        }
        return at;
    }

    /**
     * A copy of {@code obj} with the value at the dotted path {@code textKey} moved to the top under {@code textKey}, which
     * the rest of {@link #parse} reads as a top-level key; {@link #withTextUnder} puts it back in its object, so the raw
     * text is never written beside the cleaned one.
     */
    private static ObjectNode withNestedTextOnTop(ObjectNode obj, String textKey) {
        ObjectNode copy = obj.deepCopy();
        String[] path = textKey.split("\\.");
        ObjectNode parent = copy;
        for (int i = 0; i < path.length - 1; i++) {
            parent = (ObjectNode) parent.get(path[i]);
        }
        copy.set(textKey, parent.remove(path[path.length - 1]));
        return copy;
    }

    /** A copy of {@code fields} with the key {@code from} named {@code to}, in its place among the others. */
    private static ObjectNode renamed(ObjectNode fields, String from, String to) {
        ObjectNode o = JSON.createObjectNode();
        fields.fields().forEachRemaining(f -> o.set(f.getKey().equals(from) ? to : f.getKey(), f.getValue().deepCopy()));
        return o;
    }

    /** {@link #withTextUnder} of a record written as JSON. */
    public static String withTextUnder(String json, String textKey) {
        if (textKey.equals(TEXT)) {
            return json;
        }
        try {
            return JSON.writeValueAsString(withTextUnder((ObjectNode) JSON.readTree(json), textKey));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a record lost its JSON", e);
        }
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
