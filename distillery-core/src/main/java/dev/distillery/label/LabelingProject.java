package dev.distillery.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.ColumnNames;
import dev.distillery.data.Dataset;
import dev.distillery.data.MissingValues;
import dev.distillery.data.Example;
import dev.distillery.data.CsvFormat;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.model.ModelSpec;
import dev.distillery.train.AutoSelect;
import dev.distillery.train.TrainConfig;
import dev.distillery.train.TrainJob;
import dev.distillery.train.TrainListener;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Interactive active learning: a project directory holding the label set, the answers given so far
 * ({@code answers.jsonl}: id and label) and the batches handed out. {@link #next} trains a model on
 * the answers, picks the next batch from the still-unlabeled pool with a {@link Strategy}, and writes
 * it for annotators as CSV, JSONL and a Label Studio import file (with a matching labeling config);
 * {@link #importAnswers} reads answers back from CSV, JSONL or a Label Studio JSON export.
 */
public final class LabelingProject {
    public static final String CONFIG = "project.json";
    public static final String ANSWERS = "answers.jsonl";
    /** The answered examples of the pool with their labels, written at each import. */
    public static final String LABELED = "labeled.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();

    /**
     * What the project labels: the pool reference, the label set and the columns the pool is read by (its text under
     * {@code --text-column}; a project written before columns could be named reads by the defaults).
     */
    public record Config(String pool, List<String> labels, ColumnNames columns) {
        public Config {
            columns = columns == null ? ColumnNames.DEFAULT : columns;
        }
    }

    /**
     * One handed-out batch and the files written for it; {@code stillOut}: examples of earlier batches that no answer has
     * come back for, left out of this pick.
     */
    public record Batch(int number, List<String> ids, Strategy strategy, Path csv, Path jsonl, Path labelStudio, int stillOut) {}

    /** What an import changed. */
    public record ImportReport(int added, int changed, int unchanged, int skippedUnanswered) {}

    private final Path dir;
    private final Config config;

    private LabelingProject(Path dir, Config config) {
        this.dir = dir;
        this.config = config;
    }

    /** Opens the project in {@code dir}, creating it for {@code pool} and {@code labels} if it does not exist yet. */
    public static LabelingProject openOrCreate(Path dir, String pool, List<String> labels) {
        return openOrCreate(dir, pool, labels, ColumnNames.DEFAULT);
    }

    /**
     * {@link #openOrCreate(Path, String, List)} for a pool read by {@code columns}, which a new project keeps; an existing
     * one keeps its own, and refuses other names given again.
     */
    public static LabelingProject openOrCreate(Path dir, String pool, List<String> labels, ColumnNames columns) {
        Path file = dir.resolve(CONFIG);
        try {
            if (Files.isRegularFile(file)) {
                Config c = JSON.readValue(file.toFile(), Config.class);
                if (pool != null && !pool.equals(c.pool())) {
                    throw new IllegalArgumentException(dir + " is a labeling project for " + c.pool() + ", not " + pool);
                }
                if (!columns.isDefault() && !columns.equals(c.columns())) {
                    throw new IllegalArgumentException(dir + " reads its pool by the label column '" + c.columns().label()
                            + "' and the text column '" + c.columns().text() + "', as it was started; leave out --label-column"
                            + " and --text-column, or start a new project");
                }
                return new LabelingProject(dir, c);
            }
            if (pool == null || labels == null || labels.size() < 2) {
                throw new IllegalArgumentException("no labeling project in " + dir + "; start one with a pool and at least two labels");
            }
            Files.createDirectories(dir);
            Config c = new Config(pool, List.copyOf(labels), columns);
            AtomicFiles.writeString(file, JSON.writeValueAsString(c));
            return new LabelingProject(dir, c);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the labeling project in " + dir, e);
        }
    }

    public Config config() {
        return config;
    }

    /**
     * The columns the project in {@code dir} reads its pool by (it refuses others named, as {@link #openOrCreate} does),
     * or {@code given} where there is no project yet.
     */
    public static ColumnNames columnsFor(Path dir, ColumnNames given) {
        Path file = dir.resolve(CONFIG);
        return Files.isRegularFile(file) ? openOrCreate(dir, null, null, given).config().columns() : given;
    }

    /** Answers so far, by example id, in the order given. */
    public Map<String, String> answers() {
        Map<String, String> out = new LinkedHashMap<>();
        Path file = dir.resolve(ANSWERS);
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    JsonNode n = LINE.readTree(line);
                    out.put(n.get("id").asText(), n.get("label").asText());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /**
     * Picks the next {@code n} examples of {@code pool} to label. With answers in at least two classes a model of
     * {@code spec} is trained on them and {@code strategy} ranks the rest; before that the pick is random. Examples of a
     * batch that no answer has come back for are still with the annotators and are not picked again (asking for a new
     * batch before importing the last one handed out the same examples twice).
     */
    public Batch next(Dataset pool, int n, Strategy strategy, ModelSpec spec, TrainConfig train, TrainListener listener) {
        return next(pool, n, strategy, spec, train, listener, null);
    }

    /**
     * {@link #next(Dataset, int, Strategy, ModelSpec, TrainConfig, TrainListener)}, the batch's files showing each
     * example as {@code records} (null: none) holds it, every column of the pool file: a table's annotators saw only
     * the columns a model reads, not the free-text description beside them, nor its dates.
     */
    public Batch next(Dataset pool, int n, Strategy strategy, ModelSpec spec, TrainConfig train, TrainListener listener,
            dev.distillery.data.SourceRecords records) {
        Map<String, String> answers = answers();
        Set<String> out = outstanding(answers);
        Schema schema = pool.schema().withLabels(config.labels());
        List<Example> labeled = new ArrayList<>();
        List<Example> rest = new ArrayList<>();
        for (Example e : pool.examples()) {
            String label = answers.get(e.id());
            if (label != null) {
                labeled.add(e.withLabel(label));
            } else if (!out.contains(e.id())) {
                rest.add(e.withLabel(null));
            }
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(out.isEmpty() ? "every example of " + config.pool() + " is labeled already"
                    : "every example of " + config.pool() + " is labeled or in a batch awaiting answers (" + out.size()
                            + "); import the answers, or delete a batch's files to hand its examples out again");
        }
        Random rng = new Random(train.seed() + answers.size());
        long classesAnswered = labeled.stream().map(e -> e.label().orElseThrow()).distinct().count();
        Strategy used = classesAnswered >= 2 ? strategy : Strategy.RANDOM;
        int[] picked;
        if (used == Strategy.RANDOM) {
            picked = Strategy.RANDOM.select(new float[rest.size()][], null, null, n, rng);
        } else {
            ModelSpec model = spec;
            // The model reads missing values filled in with the answers' medians; annotators see the rows as they are.
            java.util.function.Consumer<String> log = listener == null ? m -> { } : listener::onMessage;
            Dataset answered = MissingValues.learn(new Dataset("answers", schema, labeled), log);
            List<Example> scored = MissingValues.fill(new Dataset("pool", schema, rest), answered.schema(), log).examples();
            if (model == null) { // --model auto: chosen on the answers as train chooses on its labels
                model = AutoSelect.chooseOrDefault(answered, train, listener);
            }
            // fitted as train fits it: by its solver for the linear model and the svm, not by gradient steps
            try (Classifier c = TrainJob.fitted(model, answered, train, listener == null ? TrainListener.NONE : listener)) {
                float[][] probs = used.needsProbabilities() ? c.probabilities(scored, 1024) : new float[rest.size()][];
                float[][] emb = used.needsEmbeddings() ? c.embeddings(scored, 1024) : null;
                float[][] known = used.needsLabeledEmbeddings() ? c.embeddings(answered.examples(), 1024) : null;
                picked = used.select(probs, emb, known, n, rng);
            }
        }
        List<Example> batch = new ArrayList<>();
        for (int i : picked) {
            batch.add(rest.get(i));
        }
        return write(batch, schema, used, out.size(), records);
    }

    /**
     * Writes the examples of {@code pool} that have answers, with them, to {@code labeled.jsonl} in the project (a data
     * set every command reads: train on it); returns the file and how many examples it holds. Answers whose id the pool
     * no longer holds are counted apart, not written.
     */
    public Labeled writeLabeled(Dataset pool) {
        return writeLabeled(pool, null);
    }

    /**
     * {@link #writeLabeled(Dataset)}, from {@code records} (null: none) where the pool file has them: its answered
     * records as it holds them, every column but those of personal data, with their labels, in its own format
     * ({@code labeled.csv} for a CSV pool). Written from the examples, a table's lost the columns no model reads: the
     * free-text description {@code train} may choose to read as the text.
     */
    public Labeled writeLabeled(Dataset pool, dev.distillery.data.SourceRecords records) {
        Map<String, String> answers = answers();
        if (records != null) {
            Path file = dir.resolve("labeled." + records.extension());
            int written = records.writeLabeled(answers, file);
            return new Labeled(file, written, answers.size() - written);
        }
        List<Example> answered = new ArrayList<>();
        for (Example e : pool.examples()) {
            String label = answers.get(e.id());
            if (label != null) {
                answered.add(e.withLabel(label));
            }
        }
        Path file = dir.resolve(LABELED);
        dev.distillery.data.DataFiles.write(new Dataset("labeled", pool.schema().withLabels(config.labels()), answered), file);
        return new Labeled(file, answered.size(), answers.size() - answered.size());
    }

    /** The labeled examples written, and the answers whose example the pool no longer holds. */
    public record Labeled(Path file, int examples, int notInPool) {}

    /**
     * The ids of handed-out batches that not one answer has come back for. Once any answer of a batch is imported, the
     * batch is back: what its annotators left blank returns to the pool.
     */
    private Set<String> outstanding(Map<String, String> answers) {
        Set<String> out = new HashSet<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("batch-\\d+\\.jsonl")).sorted().toList()) {
                List<String> ids = new ArrayList<>();
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        ids.add(LINE.readTree(line).path("id").asText());
                    }
                }
                if (ids.stream().noneMatch(answers::containsKey)) {
                    out.addAll(ids);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the batches in " + dir, e);
        }
        return out;
    }

    /** What annotators look at: a text, an image, or a table row of named numbers. */
    private enum View { TEXT, IMAGE, TABLE }

    private static View viewOf(Schema schema) {
        // Features of one dimension are a table's columns: drawn as an image they were a 2x2-pixel PNG of four numbers.
        return schema.kind() == Schema.Kind.TEXT ? View.TEXT : schema.featureShape().size() == 1 ? View.TABLE : View.IMAGE;
    }

    private Batch write(List<Example> batch, Schema schema, Strategy used, int stillOut, dev.distillery.data.SourceRecords sources) {
        int number = 1;
        while (Files.exists(dir.resolve(String.format("batch-%03d.csv", number)))) {
            number++;
        }
        String stem = String.format("batch-%03d", number);
        // The label beside the id, then what to judge: an annotator in a spreadsheet sees the text, the image's file or
        // the row's values without opening the JSONL. Import reads the id and label columns and ignores the rest.
        View view = viewOf(schema);
        // the pool file's records as they are, every column, where it has them; else what the examples hold
        Map<String, Map<String, String>> records = sources == null || view == View.IMAGE ? Map.of() : sources.of(batch);
        // a table's columns as its file had them: a category column once, with its value, not as its 0/1 features
        List<String> columns = !records.isEmpty() ? recordColumns(records)
                : view == View.TABLE && !batch.isEmpty()
                ? List.copyOf(Schema.rowByColumn(schema.featureNames(), batch.get(0).features()).keySet()) : List.of();
        StringBuilder csv = new StringBuilder(!records.isEmpty() || view == View.TABLE
                ? "id,label," + String.join(",", columns.stream().map(LabelingProject::csvCell).toList()) + "\n"
                : view == View.TEXT ? "id,label,text\n" : "id,label,image\n");
        StringBuilder jsonl = new StringBuilder();
        ArrayNode tasks = LINE.createArrayNode();
        List<String> ids = new ArrayList<>();
        for (Example e : batch) {
            ids.add(e.id());
            csv.append(csvCell(e.id())).append(",,");
            ObjectNode row = LINE.createObjectNode();
            row.put("id", e.id());
            ObjectNode data = LINE.createObjectNode();
            data.put("ref_id", e.id());
            Map<String, String> record = records.get(e.id());
            switch (view) {
                case TEXT -> {
                    row.put("text", e.text());
                    data.put("text", e.text());
                    if (records.isEmpty()) {
                        csv.append(csvCell(e.text()));
                    }
                }
                case IMAGE -> {
                    Path original = originalImage(e);
                    String png = original != null ? original.toString() : "images/" + e.id().replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
                    if (original != null || writeImage(e, dir.resolve(png))) {
                        csv.append(csvCell(png));
                    }
                    row.put("image", png);
                    data.put("image", png);
                }
                case TABLE -> {
                    ArrayNode features = row.putArray("features");
                    for (float v : e.features()) {
                        if (Float.isNaN(v)) {
                            features.addNull(); // a missing value, shown as missing
                        } else {
                            features.add(v);
                        }
                    }
                    if (records.isEmpty()) {
                        ObjectNode item = data.putObject("item"); // Label Studio's Table shows an object's keys and values
                        List<String> cells = new ArrayList<>();
                        Schema.rowByColumn(schema.featureNames(), e.features()).forEach((column, value) -> {
                            cells.add(csvCell(value.toString()));
                            if (value instanceof String category) {
                                item.put(column, category);
                            } else {
                                item.putPOJO(column, value);
                            }
                        });
                        csv.append(String.join(",", cells));
                        row.set("item", item.deepCopy()); // the columns by name, for whoever reads the JSONL (the dashboard)
                    }
                }
            }
            if (!records.isEmpty()) {
                ObjectNode item = data.putObject("item");
                Map<String, String> cells = record == null ? Map.of() : record;
                columns.forEach(column -> item.put(column, cells.getOrDefault(column, "")));
                csv.append(String.join(",", columns.stream().map(c -> csvCell(cells.getOrDefault(c, ""))).toList()));
                row.set("item", item.deepCopy());
            }
            csv.append('\n');
            row.putNull("label");
            jsonl.append(row).append('\n');
            tasks.add(LINE.createObjectNode().set("data", data));
        }
        Path csvFile = dir.resolve(stem + ".csv");
        Path jsonlFile = dir.resolve(stem + ".jsonl");
        Path lsFile = dir.resolve(stem + ".labelstudio.json");
        try {
            AtomicFiles.writeString(jsonlFile, jsonl.toString());
            AtomicFiles.writeString(lsFile, JSON.writeValueAsString(tasks));
            AtomicFiles.writeString(dir.resolve("label-studio-config.xml"), labelStudioConfig(view, !records.isEmpty()));
            AtomicFiles.writeString(csvFile, csv.toString()); // last: its presence marks the batch as written
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Batch(number, ids, used, csvFile, jsonlFile, lsFile, stillOut);
    }

    /** The columns of {@code records}, in the order the first record that has each holds them. */
    private static List<String> recordColumns(Map<String, Map<String, String>> records) {
        java.util.Set<String> columns = new java.util.LinkedHashSet<>();
        records.values().forEach(r -> columns.addAll(r.keySet()));
        return List.copyOf(columns);
    }

    /** Label Studio's labeling view; {@code withRecord}: a text's other columns shown above it as a table. */
    private String labelStudioConfig(View view, boolean withRecord) {
        StringBuilder sb = new StringBuilder("<View>\n");
        if (withRecord && view == View.TEXT) {
            sb.append("  <Table name=\"record\" value=\"$item\"/>\n");
        }
        String object = switch (view) {
            case TEXT -> "text";
            case IMAGE -> "image";
            case TABLE -> "table";
        };
        sb.append(switch (view) {
            case TEXT -> "  <Text name=\"text\" value=\"$text\"/>\n";
            case IMAGE -> "  <Image name=\"image\" value=\"$image\"/>\n";
            case TABLE -> "  <Table name=\"table\" value=\"$item\"/>\n";
        });
        sb.append("  <Choices name=\"label\" toName=\"").append(object).append("\" choice=\"single\">\n");
        for (String l : config.labels()) {
            sb.append("    <Choice value=\"").append(l.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;"))
                    .append("\"/>\n");
        }
        return sb.append("  </Choices>\n</View>\n").toString();
    }

    /** A table pool's image files by id, read once; null until asked. */
    private java.util.Map<String, Path> manifestImages;

    /**
     * The image file {@code e} was read from, when the pool is a directory of images (its id is the file's path in it)
     * or a table naming image files: annotators should see the photo itself, not pixels drawn again (which only square
     * gray images could be).
     */
    private Path originalImage(Example e) {
        if (config.pool() == null) {
            return null;
        }
        try {
            Path pool = Path.of(config.pool());
            if (Files.isRegularFile(pool)) {
                if (manifestImages == null) {
                    manifestImages = dev.distillery.data.DataFiles.manifestImages(pool, config.columns()); // as the pool is read
                }
                Path image = manifestImages.get(e.id());
                return image == null ? null : image.toAbsolutePath();
            }
            Path file = pool.resolve(e.id()).normalize();
            return Files.isDirectory(pool) && file.startsWith(pool.normalize()) && Files.isRegularFile(file) ? file.toAbsolutePath() : null;
        } catch (RuntimeException ex) {
            return null; // the pool is a known data set's name, or the id is no path
        }
    }

    /** Writes {@code e} as a PNG at {@code png}; false where it is not a square grayscale image (annotators see the JSONL). */
    private static boolean writeImage(Example e, Path png) {
        byte[] bytes = dev.distillery.transform.ImageTransforms.png(e.features());
        if (bytes != null) {
            AtomicFiles.write(png, out -> out.write(bytes));
        }
        return bytes != null;
    }

    /** {@code s} as one CSV cell: quoted where a comma, quote or line break would split it. */
    static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /**
     * Reads answers from {@code file}: a CSV with {@code id,label} columns, JSON lines with {@code id} and
     * {@code label}, or a Label Studio JSON export (tasks whose data has {@code ref_id} and whose annotation
     * has a choice). Rows without an answer are skipped and counted; an unknown label is an error naming the
     * file and row.
     */
    public ImportReport importAnswers(Path file) {
        List<String[]> rows = readAnswerRows(file);
        Map<String, String> answers = answers();
        int added = 0;
        int changed = 0;
        int unchanged = 0;
        int skipped = 0;
        for (int r = 0; r < rows.size(); r++) {
            String id = rows.get(r)[0];
            String label = rows.get(r)[1];
            if (label == null || label.isBlank()) {
                skipped++;
                continue;
            }
            if (!config.labels().contains(label)) {
                throw new IllegalArgumentException(file + ", " + rows.get(r)[2] + ": label '" + label + "' for " + id
                        + " is not one of the project's labels " + config.labels());
            }
            String before = answers.put(id, label);
            if (before == null) {
                added++;
            } else if (before.equals(label)) {
                unchanged++;
            } else {
                changed++;
            }
        }
        StringBuilder out = new StringBuilder();
        answers.forEach((id, label) -> {
            ObjectNode n = LINE.createObjectNode();
            n.put("id", id);
            n.put("label", label);
            out.append(n).append('\n');
        });
        AtomicFiles.writeString(dir.resolve(ANSWERS), out.toString());
        return new ImportReport(added, changed, unchanged, skipped);
    }

    /** Rows of {id, label or null, where} from any supported answer file. */
    static List<String[]> readAnswerRows(Path file) {
        try {
            String content = String.join("\n", dev.distillery.data.Utf8Lines.readAll(file)); // a BOM, CRLF, UTF-16: as every reader
            String trimmed = content.stripLeading();
            List<String[]> rows = new ArrayList<>();
            if (trimmed.startsWith("[")) {
                JsonNode tasks = LINE.readTree(content);
                for (int i = 0; i < tasks.size(); i++) {
                    JsonNode t = tasks.get(i);
                    String id = t.path("data").path("ref_id").asText(null);
                    if (id == null) {
                        throw new IllegalArgumentException(file + ", task " + (i + 1) + ": no data.ref_id; export tasks "
                                + "imported from a Distillery batch");
                    }
                    rows.add(new String[] {id, dev.distillery.data.LabelStudioTasks.choice(t), "task " + (i + 1)});
                }
            } else if (trimmed.startsWith("{")) {
                String[] lines = content.split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    if (lines[i].isBlank()) {
                        continue;
                    }
                    JsonNode n;
                    try {
                        n = LINE.readTree(lines[i]);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalArgumentException(file + ", line " + (i + 1) + ": not a JSON object: " + e.getOriginalMessage());
                    }
                    if (!n.hasNonNull("id")) {
                        throw new IllegalArgumentException(file + ", line " + (i + 1) + ": expected an \"id\" field");
                    }
                    rows.add(new String[] {n.get("id").asText(), n.hasNonNull("label") ? n.get("label").asText() : null,
                            "line " + (i + 1)});
                }
            } else {
                List<CsvFormat.Row> csv = CsvFormat.rows(file);
                String[] header = csv.isEmpty() ? new String[0] : csv.get(0).cells();
                if (header.length < 2 || !header[0].trim().equalsIgnoreCase("id") || !header[1].trim().equalsIgnoreCase("label")) {
                    throw new IllegalArgumentException(file + ", line 1: expected a header starting id,label (or a JSONL or"
                            + " Label Studio JSON file)");
                }
                for (CsvFormat.Row row : csv.subList(1, csv.size())) {
                    String[] cells = row.cells();
                    if (cells.length == 1 && cells[0].isBlank()) {
                        continue;
                    }
                    if (cells.length > header.length) {
                        throw new IllegalArgumentException(file + ", line " + row.line() + ": expected " + header.length
                                + " cells (" + String.join(",", header) + "), got " + cells.length);
                    }
                    rows.add(new String[] {cells[0], cells.length > 1 ? cells[1].trim() : null, "line " + row.line()});
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read answers from " + file, e);
        }
    }
}
