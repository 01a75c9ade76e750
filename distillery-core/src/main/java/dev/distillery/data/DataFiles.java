package dev.distillery.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes any supported file by its name: {@code .jsonl} (records of text or features, or a table's rows as
 * records, read as CSV is: {@link JsonRecords}), {@code .csv}, Weka's {@code .arff} (a table too: {@link ArffFormat}),
 * e-mail and label directories of .txt documents ({@link MailFormat}), or a directory of images ({@link ImageFolderFormat}).
 */
public final class DataFiles {
    private DataFiles() {}

    public static ReadResult read(Path file, OnError onError) {
        return read(file, onError, ColumnNames.DEFAULT);
    }

    /** {@link #read(Path, OnError)} with a CSV or JSONL file's label and text in the columns {@code names} says. */
    public static ReadResult read(Path file, OnError onError, ColumnNames names) {
        return read(file, onError, names, false);
    }

    /** {@link #read(Path, OnError, ColumnNames)}, for a saved model when {@code forModel} (see {@link CsvFormat}). */
    public static ReadResult read(Path file, OnError onError, ColumnNames names, boolean forModel) {
        if (!Files.exists(file)) {
            throw DataFormatException.notFound(file, "an existing .jsonl, .csv, .arff, IDX, e-mail or image file, or a directory of"
                    + " images, mail or .txt documents");
        }
        refuseIfArchive(file);
        SplitLayout.refuseIfSplit(file);
        if (ImageFolderFormat.handles(file)) {
            return ImageFolderFormat.read(file, onError);
        }
        if (MailFormat.handles(file)) {
            return MailFormat.read(file, onError);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (isJsonLines(file)) {
            JsonRecords table = JsonRecords.ifTable(file, names);
            return table != null ? readTable(table, onError, names, forModel) : JsonlFormat.read(file, onError, names);
        }
        if (isCsv(file)) {
            return readTable(CsvFormat.csv(file), onError, names, forModel);
        }
        if (ArffFormat.handles(file)) {
            return readTable(ArffFormat.of(file), onError, names, forModel);
        }
        if (isIdx(name)) {
            return IdxFormat.read(file, labelsFileFor(file), null);
        }
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        if (SPREADSHEETS.contains(extension)) {
            throw new DataFormatException(file.toString(), "a spreadsheet, which is not read", "CSV: save the sheet as"
                    + " \"CSV UTF-8\" (one header row; a column 'label' for the labels) and give that file");
        }
        if (COLUMNAR.contains(extension)) {
            throw new DataFormatException(file.toString(), "a columnar file (" + extension + "), which is not read",
                    "CSV or JSON lines: export it, e.g. with pandas' to_csv or DuckDB's COPY ... TO 'data.csv'");
        }
        String[] table = tableLike(file);
        if (table != null) {
            throw new DataFormatException(file.toString(), "unknown file type, though its first line holds " + table[0],
                    "a name ending in " + table[1] + " for a table of such columns: rename it");
        }
        if (extension.equals("txt")) { // one document, or one text a line: the name cannot say which
            throw new DataFormatException(file.toString(), "a text file, read as a document only in a directory of them",
                    "for one document a file, a directory of .txt files (subdirectories naming their labels, or none); for one"
                    + " text a line, JSON Lines ({\"text\": \"...\"} a line) or a CSV file with a 'text' column");
        }
        throw new DataFormatException(file.toString(), "unknown file type", "a name ending in .jsonl, .json, .csv, .tsv,"
                + " .arff (each also .gz), .eml,"
                + " .mbox, .png, .jpg, .gif, .bmp, .tif or .webp, an IDX name such as train-images-idx3-ubyte[.gz], or a"
                + " directory of images, mail or .txt documents");
    }

    /** A table's rows as a data set, or the images its column of image files names ({@link ImageManifest}). */
    private static ReadResult readTable(CsvFormat.Table table, OnError onError, ColumnNames names, boolean forModel) {
        java.util.Optional<ImageManifest.Column> images = ImageManifest.imageColumn(table, names);
        return images.isPresent() ? ImageManifest.read(table, images.get(), names, onError, null)
                : CsvFormat.read(table, onError, List.of(), names, forModel);
    }

    /**
     * The image files of a table that names them ({@link ImageManifest}) by its records' ids, so that a labeling project
     * shows annotators each photo itself; empty for any other file.
     */
    public static java.util.Map<String, Path> manifestImages(Path file, ColumnNames names) {
        java.util.Optional<CsvFormat.Table> table = table(file, names);
        java.util.Optional<ImageManifest.Column> images = table.flatMap(t -> ImageManifest.imageColumn(t, names));
        return images.isPresent() ? ImageManifest.files(table.get(), images.get(), names) : java.util.Map.of();
    }

    /**
     * The free-text columns of a table file (a CSV file or a JSON Lines table) read with {@code names}: columns of
     * sentences beside numbers and categories, which a table's model does not read; none for any other file.
     */
    public static List<String> freeTextColumns(Path file, ColumnNames names) {
        return table(file, names).filter(t -> ImageManifest.imageColumn(t, names).isEmpty())
                .map(t -> CsvFormat.freeTextColumns(t, names)).orElse(List.of());
    }

    /**
     * {@code file} as a table read with {@code names}: a CSV file, an ARFF file, or a JSON Lines file whose records are a
     * table's rows ({@link JsonRecords}); empty for any other file, or none.
     */
    private static java.util.Optional<CsvFormat.Table> table(Path file, ColumnNames names) {
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        if (isCsv(file)) {
            return java.util.Optional.of(CsvFormat.csv(file));
        }
        if (ArffFormat.handles(file)) {
            return java.util.Optional.of(ArffFormat.of(file));
        }
        return java.util.Optional.ofNullable(isJsonLines(file) ? JsonRecords.ifTable(file, names) : null);
    }

    /** The column names of a table file (a CSV file or a JSON Lines table) read with {@code names}; empty for any other file. */
    public static java.util.Optional<List<String>> tableColumns(Path file, ColumnNames names) {
        return table(file, names).map(CsvFormat::header);
    }

    /**
     * The one column of a table file (a CSV file or a JSON Lines table) read with {@code names} to read beside its id and
     * labels, where it holds words, not numbers ("word,sentiment"; "id,body"): the text under another name; empty for
     * any other file.
     */
    public static java.util.Optional<String> loneWordsColumn(Path file, ColumnNames names) {
        java.util.Optional<CsvFormat.Table> table = table(file, names);
        if (table.isPresent()) {
            return ImageManifest.imageColumn(table.get(), names).isPresent() ? java.util.Optional.empty()
                    : CsvFormat.loneWordsColumn(table.get(), names);
        }
        // records of strings alone are no table: the first record's one key beside id and label is the text's
        com.fasterxml.jackson.databind.JsonNode first = Files.isRegularFile(file) && isJsonLines(file) ? JsonObjects.first(file) : null;
        return first == null || !first.isObject() ? java.util.Optional.empty() : JsonlFormat.loneStringKey(first, names);
    }

    /**
     * For a file of another name whose first line holds columns (Excel's "Unicode Text" is a .txt of tab-separated
     * columns): what that line holds and the name that reads it; else null.
     */
    private static String[] tableLike(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (Utf8Lines lines = Utf8Lines.open(file)) {
            Utf8Lines.Line first = lines.next();
            if (first == null || !first.valid()) {
                return null;
            }
            String line = first.text();
            long tabs = line.chars().filter(c -> c == '\t').count();
            long commas = line.chars().filter(c -> c == ',').count();
            long semicolons = line.chars().filter(c -> c == ';').count();
            if (tabs > 0) {
                return new String[] {(tabs + 1) + " tab-separated cells", ".tsv"};
            }
            if (Math.max(commas, semicolons) > 0 && !line.strip().startsWith("{")) {
                return new String[] {(Math.max(commas, semicolons) + 1) + (commas >= semicolons ? " comma" : " semicolon")
                        + "-separated cells", ".csv"};
            }
            CsvFormat.Dialect dialect = CsvFormat.dialect(file); // a statistics package's .dat or .txt: cells between spaces
            if (dialect.separator() == ' ') {
                return new String[] {CsvFormat.spaceCells(line, dialect.quote()) + " cells separated by spaces", ".csv"};
            }
            return null;
        } catch (java.io.IOException | RuntimeException e) {
            return null; // unreadable: the plain unknown-type message
        }
    }

    /**
     * Throws for an archive or a compressed file other than gzip, by its name (data.zip, reviews.tar.gz, corpus.jsonl.xz),
     * with the command that unpacks it: its bytes read as text would be "invalid UTF-8" or, for a tar of CSV files, a table
     * of the tar's headers.
     */
    public static void refuseIfArchive(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String f = file.toString();
        String unpack = null;
        if (name.endsWith(".zip")) {
            unpack = "unzip " + f + " -d DIR";
        } else if (name.matches(".*\\.(tar|tar\\.gz|tgz|tar\\.bz2|tbz2?|tar\\.xz|txz|tar\\.zst)")) {
            unpack = "mkdir DIR && tar xf " + f + " -C DIR";
        } else if (name.endsWith(".7z")) {
            unpack = "7z x " + f + " -oDIR";
        } else if (name.endsWith(".rar")) {
            unpack = "unrar x " + f + " DIR/";
        } else if (name.endsWith(".bz2")) {
            unpack = "bunzip2 -k " + f;
        } else if (name.endsWith(".xz")) {
            unpack = "xz -dk " + f;
        } else if (name.endsWith(".zst")) {
            unpack = "zstd -d " + f;
        }
        if (unpack != null && Files.isRegularFile(file)) {
            throw new DataFormatException(f, "an archive or compressed file, which is not read (one file gzipped, such as"
                    + " data.csv.gz, is)", "its content: unpack it (" + unpack + ") and give the data file, or the directory of"
                    + " label folders, it holds");
        }
    }

    private static final java.util.Set<String> SPREADSHEETS = java.util.Set.of("xlsx", "xls", "xlsm", "ods", "numbers");
    private static final java.util.Set<String> COLUMNAR = java.util.Set.of("parquet", "feather", "arrow", "orc", "avro");

    /** Whether {@code file} is read as JSON Lines, by its name: .jsonl, .ndjson or .json, each also gzipped (.jsonl.gz). */
    static boolean isJsonLines(Path file) {
        String name = withoutGz(file);
        return name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson");
    }

    /**
     * Whether {@code file} is read as CSV, by its name: .csv, or .tsv (tab-separated; the header tells the separator),
     * each also gzipped (.csv.gz).
     */
    public static boolean isCsv(Path file) {
        String name = withoutGz(file);
        return name.endsWith(".csv") || name.endsWith(".tsv");
    }

    /** The file's name in lower case without a final ".gz": compressed files are read as their content's kind. */
    private static String withoutGz(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    /**
     * {@code file} read for a model of schema {@code model}, its label and text in the columns {@code names} says: an image
     * file or a folder of images is read at the model's size and channels ({@link ImageFolderFormat#readFor}); a table (CSV,
     * ARFF or a JSON Lines table) without a warning for the category columns the model knows; anything else as {@link #read}
     * reads it.
     */
    public static ReadResult readFor(Path file, OnError onError, Schema model, ColumnNames names) {
        List<Long> modelShape = model.featureShape();
        SplitLayout.refuseIfSplit(file);
        if (Files.exists(file) && ImageFolderFormat.isImageShape(modelShape) && ImageFolderFormat.handles(file)) {
            return ImageFolderFormat.readFor(file, onError, modelShape);
        }
        java.util.Optional<CsvFormat.Table> table = table(file, names);
        if (table.isPresent()) {
            java.util.Optional<ImageManifest.Column> images = ImageFolderFormat.isImageShape(modelShape)
                    ? ImageManifest.imageColumn(table.get(), names) : java.util.Optional.empty();
            return images.isPresent() ? ImageManifest.read(table.get(), images.get(), names, onError, modelShape)
                    : CsvFormat.read(table.get(), onError, model.featureNames(), names, true);
        }
        return read(file, onError, names, true);
    }

    static boolean isIdx(String name) {
        return name.matches(".*idx\\d-ubyte(\\.gz)?") || name.endsWith(".idx") || name.endsWith(".idx.gz");
    }

    /**
     * The label file that pairs with an IDX item file by the MNIST naming convention
     * ({@code train-images-idx3-ubyte} → {@code train-labels-idx1-ubyte}), or null if there is none.
     */
    static Path labelsFileFor(Path items) {
        String name = items.getFileName().toString();
        String labels = name.replace("images", "labels").replace("idx3", "idx1");
        if (labels.equals(name)) {
            return null;
        }
        Path candidate = items.resolveSibling(labels);
        return Files.exists(candidate) ? candidate : null;
    }

    /**
     * Whether {@link #copyRecords} can write a part of {@code file} as its own records: a CSV or TSV file, or JSON Lines
     * (one record a line; not a file of one array, nor an object holding one).
     */
    public static boolean copiesRecords(Path file) {
        return Files.isRegularFile(file) && (isCsv(file) || isJsonLines(file) && JsonObjects.oneRecordALine(file));
    }

    /**
     * Writes to {@code out} (atomically) the records of {@code file} that {@code copy} names, as the file holds them (a
     * table's header first): every column or key kept, those no model reads too, but the ones {@code copy} drops; an
     * image manifest's file names written relative to {@code out}'s folder.
     */
    public static void copyRecords(Path file, RecordCopy copy, Path out) {
        // an image manifest's file names, relative to its folder, would name no file from the copy's: rewritten relative
        // to the copy's folder
        java.util.Optional<CsvFormat.Table> table = table(file, ColumnNames.DEFAULT);
        java.util.Optional<ImageManifest.Column> images = table.flatMap(t -> ImageManifest.imageColumn(t, ColumnNames.DEFAULT));
        if (images.isPresent()) {
            copy = copy.withRewrite(images.get().name(), ImageManifest.relocated(file, out.toAbsolutePath().getParent(),
                    images.get()));
        }
        if (isCsv(file)) {
            CsvFormat.copyRecords(file, copy, out);
        } else {
            JsonlFormat.copyRecords(file, copy, out);
        }
    }

    /**
     * The records of a file {@link #copiesRecords} can copy that start on the given {@code lines}, by line, each as its
     * columns (or keys) and values in the file's order, without those named in {@code dropped}.
     */
    public static java.util.Map<Long, java.util.Map<String, String>> recordsAt(Path file, java.util.Set<Long> lines,
            java.util.Set<String> dropped) {
        return isCsv(file) ? CsvFormat.recordsAt(file, lines, dropped) : JsonlFormat.recordsAt(file, lines, dropped);
    }

    /**
     * The columns of a table file (CSV, or a JSON Lines table) read with {@code names} that hold personal data, which
     * no model reads, by name, each with what it holds (such as "e-mail addresses"); none for any other file.
     */
    public static java.util.Map<String, String> personalColumns(Path file, ColumnNames names) {
        return table(file, names).map(t -> CsvFormat.personalColumns(t, names)).orElse(java.util.Map.of());
    }

    /** The extension {@link #copyRecords} gives a part of {@code file}: csv, tsv or jsonl. */
    public static String recordsExtension(Path file) {
        return withoutGz(file).endsWith(".tsv") ? "tsv" : isCsv(file) ? "csv" : "jsonl";
    }

    public static void write(Dataset data, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            CsvFormat.write(data, file);
        } else if (name.endsWith(".jsonl")) {
            JsonlFormat.write(data, file);
        } else {
            throw new IllegalArgumentException("cannot write " + file + ": use a .jsonl or .csv name");
        }
    }
}
