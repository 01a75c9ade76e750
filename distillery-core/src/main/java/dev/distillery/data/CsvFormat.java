package dev.distillery.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CSV with a header row (RFC 4180 quoting; separated by commas, or by semicolons or tabs where the header has no
 * comma, or by spaces where it has none of these; {@link #dialect}). Columns named {@code id}, {@code label} and
 * {@code source} are optional. A {@code text} column makes a text data set; otherwise every other column is a feature: a number, or where a column holds only short words (beside at
 * least one other feature column), a category, read as one 0/1 feature per value and named "column=value". A missing
 * value (an empty cell, NA, NaN, null, none, ? or -) is read as NaN in a numeric column, filled in before any model reads
 * it ({@link MissingValues}), and as none of the values in a category column.
 */
public final class CsvFormat {
    private CsvFormat() {}

    public static ReadResult read(Path file, OnError onError) {
        return read(file, onError, List.of(), ColumnNames.DEFAULT);
    }

    /**
     * {@link #read(Path, OnError)} with the label and text in the columns {@code names} says, for a model whose features
     * are {@code modelFeatures} (none: no model yet): a category column whose values the model all knows ("region=north",
     * ...) is read without the warning that tells a user what a new file holds, as is everything a file read for a
     * model is spared ({@link #read(Table, OnError, List, ColumnNames, boolean)}).
     */
    public static ReadResult read(Path file, OnError onError, List<String> modelFeatures, ColumnNames names) {
        return read(csv(file), onError, modelFeatures, names, !modelFeatures.isEmpty());
    }

    /**
     * Where a table's rows come from: a CSV file, a JSON Lines file of records ({@link JsonRecords}) or an ARFF file
     * ({@link ArffFormat}); the header row
     * first, then the data rows, each with its line; a line that is no row goes to {@code bad}.
     */
    interface Table {
        Path file();

        /** Whether a comma in a number is its decimal separator ("41000,50"): in a file whose cells are not separated by commas. */
        boolean decimalComma();

        void stream(Consumer<BadRow> bad, Consumer<Row> rows);

        /**
         * Whether the header is a line like the rows, so a file without one has its first row taken for names (a CSV
         * file); not where the names are declared apart from the rows (a JSON record's keys, ARFF's attributes).
         */
        default boolean headerMayBeARow() {
            return false;
        }

        /**
         * Whether the file itself declares {@code column} a category column (an ARFF nominal attribute), so reading it
         * as categories needs no word; a CSV file declares nothing, and a column found to hold categories is said.
         */
        default boolean declaresCategories(String column) {
            return false;
        }
    }

    /** A line of a table's file that is no row: why, and what was expected. */
    record BadRow(long line, String problem, String expected) {}

    /** {@code file} as a table of CSV rows. */
    static Table csv(Path file) {
        Dialect dialect = dialect(file); // once a table: each of its passes reads the file by it
        return new Table() {
            @Override
            public Path file() {
                return file;
            }

            @Override
            public boolean decimalComma() {
                return dialect.separator() != ',';
            }

            @Override
            public boolean headerMayBeARow() {
                return true;
            }

            @Override
            public void stream(Consumer<BadRow> bad, Consumer<Row> rows) {
                CsvFormat.stream(file, dialect, line -> bad.accept(new BadRow(line.number(), line.problem(), "UTF-8 text")), rows);
            }
        };
    }

    /**
     * The rows of {@code table} (a CSV file, or a JSON Lines file of a table's records: {@link JsonRecords}) read by this
     * format's rules, for a model's features and names as {@link #read(Path, OnError, List, ColumnNames)} takes them.
     */
    /**
     * The rows of {@code table} as records; {@code forModel}: read for a saved model, whose command decides whether it
     * needs the labels ({@code predict} does not; {@code eval} and a test set say so in their own error), so a file
     * without the label column, or with columns the model does not read, is not warned of.
     */
    static ReadResult read(Table table, OnError onError, List<String> modelFeatures, ColumnNames names, boolean forModel) {
        Path file = table.file();
        RecordCollector collector = new RecordCollector(file.toString(), onError);
        ColumnKinds kinds = columnKinds(table, names, modelFeatures);
        Map<Integer, List<String>> categories = kinds.categories();
        Columns[] cols = new Columns[1];
        int[] emptyRows = {0};
        boolean[] rowSeen = {false};
        table.stream(bad -> {
            if (bad.line() == 1 && cols[0] == null) { // the header itself: nothing to read the rest by
                throw new DataFormatException(file + ":line " + bad.line(), bad.problem(), bad.expected());
            }
            collector.bad("line " + bad.line(), bad.problem(), bad.expected());
        }, row -> {
            String[] cells = row.cells();
            if (cols[0] == null) {
                if (table.headerMayBeARow() && cells.length > 1
                        && java.util.Arrays.stream(cells).allMatch(c -> NumberCells.isNumber(c.strip(), table.decimalComma()))) {
                    // scikit-learn's digits.csv and other exported matrices: the first record taken for names
                    throw new DataFormatException(file + ":line " + row.line(), "the header's cells are all numbers (" + quotedStart(cells)
                            + "): the file seems to have no header line", "a first line naming each column, such as x1,x2,...,label"
                            + " (the labels under 'label', or --label-column NAME)");
                }
                cols[0] = Columns.of(cells, file, kinds, names);
                if (!forModel && !names.isDefault() && cols[0].label() < 0 && !names.label().equals(ColumnNames.DEFAULT.label())) {
                    collector.warn(file + " has no column '" + names.label() + "' (the label column): its records are read"
                            + " without labels; its columns: " + String.join(", ", java.util.Arrays.stream(cells).map(String::trim).toList()));
                }
                if (!names.isDefault() && cols[0].text() < 0 && !names.text().equals(ColumnNames.DEFAULT.text())) {
                    collector.warn(file + " has no column '" + names.text() + "' (the text column): it is read as a table of"
                            + " features; its columns: " + String.join(", ", java.util.Arrays.stream(cells).map(String::trim).toList()));
                }
                if (cols[0].features().length > 0 && cols[0].featureNames().isEmpty()) {
                    collector.warn("the feature columns of " + file + " cannot be told apart by name (" + cols[0].unusableNames()
                            + "): a model trained on it reads later files by position, not by name, so a file whose columns"
                            + " come in another order would be read wrong; give every column a name of its own");
                }
                List<String> unread = cols[0].unread();
                if (!unread.isEmpty() && !forModel) { // a saved model reads what it was trained on; the rest is the file's own
                    collector.warn("columns " + String.join(", ", unread) + " of " + file + " are not read: with '" + names.text()
                            + "' as the text, a model reads that column alone, beside the records' ids and labels (--label-column"
                            + " NAME reads the labels from another)");
                }
                categories.forEach((column, values) -> {
                    String name = cells[column].trim();
                    // the values a model knows, case aside (InputCheck.sameCategoriesAs reads True as its true), need no word
                    if (!table.declaresCategories(name)
                            && !values.stream().allMatch(v -> modelFeatures.stream().anyMatch(f -> f.equalsIgnoreCase(name + CATEGORY + v)))) {
                        collector.warn("column '" + name + "' of " + file + " holds categories, each read as a 0/1 feature: "
                                + String.join(", ", values) + " (a missing value, such as an empty cell, NA or none, as none of them)");
                    }
                });
                if (modelFeatures.isEmpty() && cols[0].text() < 0) { // a model was trained without them: its files need no word on them
                    kinds.identifiers().stream().filter(column -> !kinds.rowNumbers().contains(column)).forEach(column ->
                            collector.warn("column '" + cells[column].trim() + "' of " + file
                            + (namesAnIdentifier(cells[column].trim()) ? " names an identifier and holds a" : " holds a")
                            + " different value on every record: " + (column == cols[0].id() ? "read as the records' id" : "not read")
                            + ", not as a feature (a model could only memorize it)"));
                    kinds.rowNumbers().forEach(column -> collector.warn("column " + (column + 1) + " ('" + cells[column].trim()
                            + "') of " + file + " holds each row's number (0, 1, 2, ... or 1, 2, 3, ..., as pandas writes its index): "
                            + (column == cols[0].id() ? "read as the records' id" : "not read") + ", not as a feature (a model"
                            + " would learn the file's order)"));
                    kinds.manyWords().forEach(column -> collector.warn("column '" + cells[column].trim() + "' of " + file
                            + (kinds.freeText().contains(column) ? " holds free text (a table's model reads numbers and categories):"
                            + " not read as a feature; train, label issues, next and simulate with their default model read it as the"
                            + " text"
                            + " instead where it cross-validates better, and --text-column " + cells[column].trim()
                            + " reads it as the text"
                            : " holds more than " + MAX_CATEGORIES + " distinct values, not all of them numbers, too many to be"
                            + " categories (names, codes or free text): not read; if it is the text to classify, name it"
                            + " with --text-column " + cells[column].trim())));
                    if (!kinds.empty().isEmpty()) {
                        collector.warn("column" + (kinds.empty().size() > 1 ? "s " : " ") + String.join(", ", kinds.empty().stream()
                                .map(c -> Integer.toString(c + 1)).toList()) + " of " + file + " ha" + (kinds.empty().size() > 1 ? "ve" : "s")
                                + " no name and no value (a spreadsheet's empty columns): not read");
                    }
                    kinds.dates().forEach(column -> collector.warn("column '" + cells[column].trim() + "' of " + file + " holds"
                            + " dates or times and is not read: a model reads numbers and categories; to use it, add columns"
                            + " derived from it (such as the month, the weekday or the hour)"));
                } else if (!kinds.manyWords().isEmpty()) {
                    collector.warn("column" + (kinds.manyWords().size() > 1 ? "s " : " ") + String.join(", ",
                            kinds.manyWords().stream().map(c -> "'" + cells[c].trim() + "'").toList()) + " of " + file + " hold"
                            + (kinds.manyWords().size() > 1 ? "" : "s") + " words the model has no feature of: passed over");
                }
                kinds.personal().forEach((column, kind) -> collector.warn("column '" + cells[column].trim() + "' of " + file
                        + " holds personal data (" + kind + ") and is not read: a model would keep its values in its files and"
                        + " reports" + (kind.equals(PERSON_NAME) ? " (taken for people's names by its header, or by values"
                        + " that begin with common given names)" : "")));
                return;
            }
            if (cells.length == 1 && cells[0].isEmpty()) {
                return;
            }
            if (java.util.Arrays.stream(cells).allMatch(String::isBlank)) {
                emptyRows[0]++; // ",,,,," as a spreadsheet saves the rows below a table it once touched
                return;
            }
            String where = "line " + row.line();
            boolean firstRow = !rowSeen[0];
            rowSeen[0] = true;
            if (firstRow && cols[0].width() == 1 && cells.length > 1 && cols[0].text() < 0 && cols[0].label() < 0) {
                // the first row after a one-cell line that names no column we know: a report's title above the header.
                // The file, not this record, is wrong, so no policy skips it (a text file's row with a stray comma, under
                // its 'text' header, stays a bad record).
                throw new DataFormatException(file + ":" + where, cells.length + " columns", "1 column like line 1, which holds"
                        + " one cell ('" + cols[0].names()[0].strip() + "'): if it is a title above the header, remove it, the"
                        + " header must be the file's first line");
            }
            if (firstRow && cells.length != cols[0].width() && table.headerMayBeARow() && java.util.Arrays.stream(cols[0].names())
                    .anyMatch(c -> NumberCells.isNumber(c.strip(), table.decimalComma()))) {
                // scikit-learn's wine_data.csv begins "178,13,class_0,...": counts above headerless rows, no header
                throw new DataFormatException(file + ":" + where, cells.length + " columns", cols[0].width() + " columns like line 1,"
                        + " which holds numbers among its names (" + quotedStart(cols[0].names()) + "): if it is no header (a count"
                        + " of rows and columns), replace it with a line naming each of the " + cells.length + " columns");
            }
            if (cells.length != cols[0].width()) {
                collector.bad(where, cells.length + " columns", cols[0].width() + " columns like the header");
                return;
            }
            Example e = cols[0].toExample(cells, "line-" + row.line(), file.getFileName().toString(), where, collector);
            if (e != null) {
                collector.add(e, row.line());
            }
        });
        if (cols[0] == null) {
            throw new DataFormatException(file.toString(), "no header row", "a header such as id,text,label");
        }
        if (emptyRows[0] > 0) {
            collector.warn(emptyRows[0] + (emptyRows[0] == 1 ? " row" : " rows") + " of " + file + " with no value in any cell"
                    + " (a spreadsheet's empty rows): skipped");
        }
        cols[0].errors().forEach((column, found) -> collector.warn("column '" + cols[0].names()[column].trim() + "' of " + file
                + " holds spreadsheet errors (" + found.first() + "; " + found.count() + " in all), each read as a"
                + (column == cols[0].label() ? "n unlabeled record" : " missing value")));
        if (modelFeatures.isEmpty()) {
            cols[0].formatted().forEach((column, cell) -> collector.warn("column '" + cols[0].names()[column].trim() + "' of "
                    + file + " holds numbers written with a currency symbol, thousands separators, a percent sign or as an"
                    + " accountant's negative: each is read as the number it shows ('" + cell + "' as "
                    + new java.math.BigDecimal(Float.toString(cols[0].number(column, cell))).stripTrailingZeros().toPlainString()
                    + "; a percentage as its fraction)"));
        }
        return collector.finish(null, cols[0].featureNames());
    }

    /**
     * Every record of {@code file} in order, header first, with RFC 4180 quoting, read as a stream (a file is never held
     * whole). The text goes through {@link Utf8Lines} (byte-order mark dropped, CRLF read as LF); a line that is not
     * valid UTF-8 is handed to {@code badLine}, which may throw, and otherwise read as empty, so the lines after it keep
     * their numbers.
     */
    public static void stream(Path file, Consumer<Utf8Lines.Line> badLine, Consumer<Row> rows) {
        stream(file, dialect(file), badLine, rows);
    }

    private static void stream(Path file, Dialect dialect, Consumer<Utf8Lines.Line> badLine, Consumer<Row> rows) {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        char separator = dialect.separator();
        java.util.function.UnaryOperator<String> line = separator == ' ' ? l -> oneSpaceApart(l, dialect.quote()) : l -> l;
        try (Reader text = new LinesReader(Utf8Lines.open(file), badLine, line);
                CsvParser parser = (CsvParser) mapper.getFactory().createParser(text)) {
            parser.setSchema(CsvSchema.emptySchema().withColumnSeparator(separator).withQuoteChar(dialect.quote()));
            parser.nextToken(); // WRAP_AS_ARRAY puts all rows inside one outer array
            boolean first = true;
            for (Row row; (row = nextRow(parser, file)) != null; ) {
                if (first && SEPARATOR_LINE.matcher(String.join(String.valueOf(separator), row.cells())).matches()) {
                    first = false;
                    continue; // Excel's "sep=;" line names the separator; the header follows it
                }
                if (first && dialect.rowNames()) { // R's write.table names no column above its row names
                    String[] named = new String[row.cells().length + 1];
                    named[0] = "";
                    System.arraycopy(row.cells(), 0, named, 1, row.cells().length);
                    row = new Row(named, row.line());
                }
                first = false;
                rows.accept(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** The column separator of {@code file}: {@link #dialect}'s. */
    public static char separator(Path file) {
        return dialect(file).separator();
    }

    /**
     * How a table's cells are separated ({@code ' '}: by runs of spaces) and quoted, and whether its rows begin with a
     * name the header has no column for ({@code rowNames}: R's {@code write.table} with its defaults).
     */
    record Dialect(char separator, char quote, boolean rowNames) {}

    /** Data lines whose cell counts must match the header's for a table to be read as separated by spaces. */
    private static final int SPACE_LINES_CHECKED = 5;

    /**
     * The separator and quote, told by the header line: a comma, or where the header has none, a semicolon or a tab if it
     * has one (spreadsheets in many European locales save CSV with semicolons; read with commas, such a file was one
     * column whose values were not numbers, and the error said to name a text column that was named already); where it
     * has none of these, runs of spaces if the first data lines have as many cells as the header, or each one more, a row
     * name (R's and statistics packages' tables; a one-column file whose header has a space stays one column). Cells are
     * quoted with double quotes, or with single quotes where every header cell is ('popul'\t'TVnews', as some tools
     * write them): read with double quotes, --label-column vote found no column 'vote'.
     */
    static Dialect dialect(Path file) {
        try (Utf8Lines lines = Utf8Lines.open(file)) {
            Utf8Lines.Line header = lines.next();
            String h = header == null || !header.valid() ? "" : header.text();
            java.util.regex.Matcher named = SEPARATOR_LINE.matcher(h.strip());
            if (named.matches()) {
                // Excel's first line "sep=;", which its own CSV files may begin with
                return new Dialect(named.group(1).charAt(0), '"', false);
            }
            char separator = h.indexOf(',') >= 0 ? ',' : h.indexOf(';') >= 0 ? ';' : h.indexOf('\t') >= 0 ? '\t' : ' ';
            char quote = singleQuoted(h, separator) ? '\'' : '"';
            int extra = separator == ' ' ? extraCells(h, lines, quote) : 0;
            if (extra < 0) {
                separator = ',';
            }
            return new Dialect(separator, quote, extra == 1);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** Whether every cell of {@code header} is wrapped in single quotes (and none holds a double quote). */
    private static boolean singleQuoted(String header, char separator) {
        if (header.indexOf('"') >= 0) {
            return false;
        }
        String[] cells = separator == ' ' ? header.strip().split(" +")
                : header.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
        return java.util.Arrays.stream(cells).map(String::strip).allMatch(c -> c.length() >= 2 && c.startsWith("'") && c.endsWith("'"));
    }

    /**
     * Split by spaces, how many more cells than {@code header} (at least two) each of the next data lines holds: 0, or 1
     * on every line for row names before them (R's {@code write.table}: {@code "x" "y"} above {@code "1" 5.1 3.5}); -1
     * where the lines are not such a table.
     */
    private static int extraCells(String header, Utf8Lines lines, char quote) throws IOException {
        int columns = spaceCells(header, quote);
        if (columns < 2) {
            return -1;
        }
        int extra = -1;
        int checked = 0;
        for (Utf8Lines.Line line; checked < SPACE_LINES_CHECKED && (line = lines.next()) != null; ) {
            if (!line.valid() || line.text().isBlank()) {
                continue;
            }
            int more = spaceCells(line.text(), quote) - columns;
            if (more != 0 && more != 1 || checked > 0 && more != extra) {
                return -1;
            }
            extra = more;
            checked++;
        }
        return extra;
    }

    /** How many cells {@code line} holds, split by runs of spaces outside {@code quote}s. */
    static int spaceCells(String line, char quote) {
        String one = oneSpaceApart(line, quote);
        if (one.isEmpty()) {
            return 0;
        }
        int cells = 1;
        boolean quoted = false;
        for (int i = 0; i < one.length(); i++) {
            char c = one.charAt(i);
            if (c == quote) {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                cells++;
            }
        }
        return cells;
    }

    /** {@code line} stripped, each run of spaces or tabs outside quotes made one space, so cells aligned in columns read. */
    static String oneSpaceApart(String line, char quote) {
        StringBuilder out = new StringBuilder(line.length());
        boolean quoted = false;
        String s = line.strip();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == quote) {
                quoted = !quoted;
            }
            if (!quoted && (c == ' ' || c == '\t')) {
                if (out.charAt(out.length() - 1) != ' ') {
                    out.append(' ');
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * {@code cell} as a plain number with a decimal point, exactly, as a file of {@code decimalComma} numbers reads it
     * ("820,97" -> "820.97", "1.250,50 €" -> "1250.50", "1.250" -> "1250" in a column whose points group thousands:
     * {@link #pointDecimalColumns}); a plain number as it is; null where it is no number.
     */
    public static String plainDecimal(String cell, boolean decimalComma, boolean pointsGroup) {
        return NumberCells.plainDecimal(cell.strip(), decimalComma, pointsGroup);
    }

    /**
     * The columns of the CSV {@code file} with a number written with a decimal point ("2.5", "0.750"): in a decimal-comma
     * file their "1.250" is 1.25, in its other columns 1250, as {@link #read} takes them. One pass over the file.
     */
    public static java.util.Set<String> pointDecimalColumns(Path file) {
        java.util.Set<String> columns = new java.util.HashSet<>();
        String[][] header = {null};
        stream(file, bad -> {}, row -> {
            if (header[0] == null) {
                header[0] = row.cells();
                return;
            }
            for (int i = 0; i < Math.min(row.cells().length, header[0].length); i++) {
                String cell = row.cells()[i].strip();
                if (NumberCells.hasDecimalPoint(cell)) {
                    columns.add(header[0][i].strip());
                }
            }
        });
        return columns;
    }

    /** The first few of {@code cells}, quoted, for an error about a header: "'0', '0', '5', ...". */
    private static String quotedStart(String[] cells) {
        return java.util.Arrays.stream(cells).limit(4).map(c -> "'" + c.strip() + "'").collect(java.util.stream.Collectors.joining(", "))
                + (cells.length > 4 ? ", ..." : "");
    }

    /** A first line that names the separator, as Excel writes and reads it: "sep=;". */
    private static final java.util.regex.Pattern SEPARATOR_LINE = java.util.regex.Pattern.compile("(?i)sep=([,;\t|])");

    /** {@link Utf8Lines} as characters, each line ending in a newline; invalid lines reported and read as empty. */
    private static final class LinesReader extends Reader {
        private final Utf8Lines lines;
        private final Consumer<Utf8Lines.Line> badLine;
        private final java.util.function.UnaryOperator<String> transform;
        private String current = "";
        private int at;

        LinesReader(Utf8Lines lines, Consumer<Utf8Lines.Line> badLine, java.util.function.UnaryOperator<String> transform) {
            this.lines = lines;
            this.badLine = badLine;
            this.transform = transform;
        }

        @Override
        public int read(char[] into, int offset, int length) throws IOException {
            while (at >= current.length()) {
                Utf8Lines.Line line = lines.next();
                if (line == null) {
                    return -1;
                }
                if (!line.valid()) {
                    badLine.accept(line);
                }
                current = (line.valid() ? transform.apply(line.text()) : "") + "\n";
                at = 0;
            }
            int n = Math.min(length, current.length() - at);
            current.getChars(at, at + n, into, offset);
            at += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }

    /** One record and the line its first cell starts on (a quoted cell may span lines). */
    public record Row(String[] cells, long line) {}

    /** Every record of a CSV file, header included, with RFC 4180 quoting; for files that are not data sets. */
    public static List<Row> rows(Path file) {
        List<Row> rows = new ArrayList<>();
        stream(file, line -> {
            throw new DataFormatException(file + ":line " + line.number(), line.problem(), "UTF-8 text");
        }, rows::add);
        return rows;
    }

    private static Row nextRow(JsonParser parser, Path file) throws IOException {
        long recordStart = parser.currentLocation().getLineNr();
        try {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.START_ARRAY) {
                return null; // the outer array's end, or an empty file
            }
            recordStart = parser.currentLocation().getLineNr();
            List<String> cells = new ArrayList<>();
            long line = -1;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
                if (line < 0) {
                    line = parser.currentTokenLocation().getLineNr();
                }
                cells.add(parser.getText());
            }
            return new Row(cells.toArray(String[]::new), line);
        } catch (JsonProcessingException e) {
            // After a broken quote the parser cannot find the next record boundary, so this stops even under SKIP.
            // An unclosed quote is found only where the file ends: name the line its record starts on, where the
            // quote is, and where reading stopped.
            long stopped = parser.currentLocation().getLineNr();
            String problem = "malformed CSV: " + e.getOriginalMessage()
                    + (stopped > recordStart ? " (the record starting here runs on to line " + stopped + ")" : "");
            throw new DataFormatException(file + ":line " + recordStart, problem, "RFC 4180 quoting", e);
        }
    }

    /** Most distinct words a column may hold to be read as categories; more are free text or ids, refused as before. */
    static final int MAX_CATEGORIES = 50;
    /** Share of a column's cells, other than numbers, from which it is a mix of numbers and codes, not numbers with typos. */
    static final double MIXED_SHARE = 0.05;
    /** Fewest cells other than numbers that make a mix: one or two are typos, refused by line. */
    static final int MIXED_MIN = 3;
        /** Longest value a category may have; longer ones are sentences, text under another column name. */
    static final int MAX_CATEGORY_LENGTH = 40;

    /**
     * The feature columns of a numeric table that hold categories ("north", "female"): every value a word (none a
     * number), at most {@link #MAX_CATEGORIES} distinct ones; each column's values in sorted order. A first pass over
     * the file, because whether a column is numeric is known only at its end. A text file (with a 'text' column) has none.
     */
    static Map<Integer, List<String>> categories(Path file) {
        return columnKinds(csv(file), ColumnNames.DEFAULT, List.of()).categories();
    }

    /**
     * What the first pass found: the category columns with their values, and the feature columns whose words hold
     * personal data (e-mail addresses, phone numbers, ...: {@link PersonalData}), each with the kind found first. A
     * column of those is read neither as categories, whose values would become a model's feature names (kept in its
     * files, exports and reports), nor as numbers: it is not read, and said so.
     */
    record ColumnKinds(Map<Integer, List<String>> categories, Map<Integer, String> personal, java.util.Set<Integer> dates,
            java.util.Set<Integer> identifiers, java.util.Set<Integer> rowNumbers, java.util.Set<Integer> manyWords,
            java.util.Set<Integer> freeText, java.util.Set<Integer> empty, boolean decimalComma, List<String> header,
            int loneWords, java.util.Set<Integer> pointDecimals) {}

    /**
     * The names of {@code table}'s free-text columns (sentences beside a table's numbers and categories, which its model
     * does not read: {@link ColumnKinds#freeText}), in column order; none for a text file.
     */
    static List<String> freeTextColumns(Table table, ColumnNames names) {
        ColumnKinds kinds = columnKinds(table, names, List.of());
        return kinds.freeText().stream().sorted().map(kinds.header()::get).toList();
    }

    /**
     * The name of {@code table}'s one column to read beside its id and labels, where that column holds words, not
     * numbers ({@link ColumnKinds#loneWords}); empty for a text file or a table with other columns to read.
     */
    static java.util.Optional<String> loneWordsColumn(Table table, ColumnNames names) {
        // Every file read without a model is asked this: a table whose header names more than a few other columns is
        // answered from its header, not by a pass over its rows (its other columns would all have to be personal data,
        // dates, identifiers or empty).
        long others = header(table).stream().filter(c -> !c.isBlank() && !c.equalsIgnoreCase("id") && !c.equalsIgnoreCase("source")
                && !names.isLabel(c) && !names.isText(c)).count();
        if (others == 0 || others > LONE_WORDS_MAX_COLUMNS) {
            return java.util.Optional.empty();
        }
        ColumnKinds kinds = columnKinds(table, names, List.of());
        return kinds.loneWords() < 0 ? java.util.Optional.empty() : java.util.Optional.of(kinds.header().get(kinds.loneWords()));
    }

    /** The most columns beside id, label and source a header may name for {@link #loneWordsColumn} to read its rows. */
    static final int LONE_WORDS_MAX_COLUMNS = 3;

    /** The names in {@code table}'s header row, trimmed (none for an empty file); the rows below it are not read. */
    static List<String> header(Table table) {
        String[][] first = {null};
        try {
            table.stream(bad -> { }, row -> {
                first[0] = row.cells();
                throw new AllKnown();
            });
        } catch (AllKnown stop) {
            // the header was all that was needed
        }
        return first[0] == null ? List.of() : java.util.Arrays.stream(first[0]).map(String::trim).toList();
    }

    /** The columns of {@code table} that hold personal data, which no model reads, by name, each with what it holds. */
    static Map<String, String> personalColumns(Table table, ColumnNames names) {
        ColumnKinds kinds = columnKinds(table, names, List.of());
        Map<String, String> personal = new java.util.LinkedHashMap<>();
        new java.util.TreeMap<>(kinds.personal()).forEach((column, kind) -> personal.put(kinds.header().get(column), kind));
        return personal;
    }

    /** True if {@code value} is a date or a time of day, which a file's column of is not read ({@link #DATE_OR_TIME}). */
    static boolean isDateOrTime(String value) {
        return DATE_OR_TIME.matcher(value.strip()).matches();
    }

    /**
     * A date or a time of day, as spreadsheets, databases and charting libraries write them: 2024-03-15,
     * 2024-03-15T14:30:00Z, 2012/01/01 (Vega's and Excel's year first with slashes, which was taken for a column of codes),
     * 15.03.2024, 3/15/2024 2:30 PM, 15-Mar-2024, Mar 15, 2024, 14:30. A column of them is not read: as numbers they are
     * not, and as categories every day would be one.
     */
    private static final java.util.regex.Pattern DATE_OR_TIME = dateOrTime();

    private static java.util.regex.Pattern dateOrTime() {
        String time = "\\d{1,2}:\\d{2}(:\\d{2}([.,]\\d+)?)?( ?[AaPp][Mm])?";
        String month = "(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?";
        return java.util.regex.Pattern.compile(String.join("|",
                "\\d{4}(?<sep>[-/.])\\d{1,2}\\k<sep>\\d{1,2}([ T]" + time + "(Z|[+-]\\d{2}:?\\d{2})?)?",
                "\\d{1,2}[./]\\d{1,2}[./]\\d{2,4}( " + time + ")?",
                "\\d{1,2}[- ]" + month + "[- ,]+\\d{2,4}( " + time + ")?",
                month + " \\d{1,2},? \\d{4}( " + time + ")?",
                time));
    }

    static ColumnKinds columnKinds(Table table, ColumnNames names, List<String> modelFeatures) {
        KindsPass pass = new KindsPass(names, table.decimalComma(), modelFeatures);
        try {
            table.stream(bad -> { }, row -> pass.row(row.cells()));
        } catch (AllKnown stop) {
            // every column's kind is settled: the rest of the file would not change it
        }
        return pass.kinds();
    }

    /** Thrown to end {@link KindsPass}'s pass early: a text file, or a table whose every feature column is settled. */
    private static final class AllKnown extends RuntimeException {
        AllKnown() {
            super(null, null, false, false);
        }
    }

    /**
     * The first pass over a file: the header finds the reserved columns and the identifier candidates, each data row
     * sorts its cells' columns into numbers, words (categories while they stay few and short), personal data and dates;
     * an identifier candidate stays one while its values stay distinct.
     */
    private static final class KindsPass {
        private final ColumnNames names;
        private final boolean decimalComma;
        private final Map<Integer, java.util.TreeSet<String>> words = new java.util.TreeMap<>();
        private final java.util.Set<Integer> numeric = new java.util.HashSet<>();
        private final java.util.Set<Integer> reserved = new java.util.HashSet<>();
        private final Map<Integer, String> personal = new java.util.TreeMap<>();
        private final java.util.Set<Integer> dates = new java.util.TreeSet<>();
        /** Columns of short words with more distinct values than categories may have, and no number: names, codes. */
        private final java.util.Set<Integer> manyWords = new java.util.TreeSet<>();
        /** By column: cells that are numbers, cells that are not, and the distinct values (up to one past the bound). */
        private final Map<Integer, Integer> numbers = new java.util.HashMap<>();
        private final Map<Integer, Integer> others = new java.util.HashMap<>();
        private final Map<Integer, java.util.Set<String>> distinct = new java.util.HashMap<>();
        /** Columns with a cell longer than a category may be: text, refused with how to read it as text. */
        private final java.util.Set<Integer> sentences = new java.util.HashSet<>();
        /** Columns with a number written with a decimal point ("2.5"): in a decimal-comma file, their "1.250" is 1.25. */
        private final java.util.Set<Integer> pointDecimals = new java.util.HashSet<>();
        /** Columns the model reads as categories ("region" of "region=north"): read so, however many values a file has. */
        private final java.util.Set<Integer> modelCategories = new java.util.HashSet<>();
        /** Columns named as identifiers ("customer_id"), with the values seen, while no value repeats. */
        private final Map<Integer, java.util.Set<String>> identifiers = new java.util.TreeMap<>();
        /**
         * Columns that number the rows, while each data row's value is the one before it plus one, from 0 or 1: by column,
         * the next value expected. pandas writes its index so (a first column without a name, "Unnamed: 0" when read
         * back), and in a file sorted by class a model learns the file's order from it: test accuracy 1.0 on noise.
         */
        private final Map<Integer, Long> rowNumbers = new java.util.TreeMap<>();
        private int dataRows;
        private final List<String> modelFeatures;
        private String[] header;
        private int width = -1;
        private boolean text;

        KindsPass(ColumnNames names, boolean decimalComma, List<String> modelFeatures) {
            this.names = names;
            this.decimalComma = decimalComma;
            this.modelFeatures = modelFeatures;
        }

        void row(String[] cells) {
            if (width < 0) {
                header(cells);
                return;
            }
            if (cells.length != width) {
                return; // a bad row is the second pass's to report
            }
            for (int i = 0; i < cells.length; i++) {
                String cell = cells[i].trim();
                Long expected = rowNumbers.get(i);
                if (expected != null && !cell.equals(Long.toString(expected)) && !(dataRows == 0 && cell.equals("1"))) {
                    rowNumbers.remove(i);
                } else if (expected != null) {
                    rowNumbers.put(i, Long.parseLong(cell) + 1);
                }
                if (reserved.contains(i) || isMissing(cell)) {
                    continue;
                }
                java.util.Set<String> seen = identifiers.get(i);
                if (seen != null && !seen.add(cell)) {
                    identifiers.remove(i); // a value repeats: no identifier
                }
                if (text) {
                    if (seen != null && !personalDataIn(cell).isEmpty()) {
                        identifiers.remove(i); // an e-mail address as a record's id would reach every output that names it
                    }
                    continue; // a text file's other columns are no features: only its id is looked for
                }
                boolean number = isNumber(cell);
                if (number && decimalComma && NumberCells.hasDecimalPoint(cell)) {
                    pointDecimals.add(i);
                }
                count(i, cell, number);
                if (!numeric.contains(i) && !personal.containsKey(i)) {
                    sort(i, cell, number);
                }
            }
            dataRows++;
            if (text && identifiers.isEmpty() && rowNumbers.isEmpty()) {
                throw new AllKnown();
            }
        }

        /**
         * Counts column {@code i}'s cells that are numbers and that are not, and its distinct values (up to one more than
         * categories may have): what tells a column of numbers with a typo from one that mixes numbers and codes.
         */
        private void count(int i, String cell, boolean number) {
            (number ? numbers : others).merge(i, 1, Integer::sum);
            java.util.Set<String> values = distinct.computeIfAbsent(i, k -> new java.util.TreeSet<>());
            if (values.size() <= MAX_CATEGORIES || modelCategories.contains(i)) { // a model's categories: every value
                values.add(cell);
            }
            if (cell.length() > MAX_CATEGORY_LENGTH) {
                sentences.add(i);
            }
        }

        private void header(String[] cells) {
            header = cells;
            width = cells.length;
            for (int i = 0; i < cells.length; i++) {
                String name = cells[i].trim().toLowerCase(java.util.Locale.ROOT);
                text |= names.isText(name);
                if (name.equals("id") || names.isLabel(name) || name.equals("source") || names.isText(name)) {
                    reserved.add(i); // never a feature
                } else {
                    rowNumbers.put(i, 0L);
                    if (namesAnIdentifier(cells[i].trim())) {
                        identifiers.put(i, new java.util.HashSet<>());
                    }
                }
                String column = cells[i].trim();
                if (modelFeatures.stream().anyMatch(f -> column.equals(categoryOf(f)))) {
                    modelCategories.add(i);
                }
            }
            if (text && identifiers.isEmpty() && rowNumbers.isEmpty()) {
                throw new AllKnown(); // a text file has no categories, and no column that may be its records' id
            }
        }

        /** Whether {@code cell} reads as a finite number, plain or formatted (parsed once a cell, for both uses). */
        private boolean isNumber(String cell) {
            return NumberCells.isNumber(cell, decimalComma);
        }

        /**
         * The kinds of personal data in one value, in {@link PersonalData}'s order, but people's names: a column's are
         * judged by {@link PersonNames} over all its values, so that one brand named after a person ("Paul Smith") does
         * not keep a column of categories from being read.
         */
        private static java.util.Set<PersonalData.Kind> personalDataIn(String value) {
            java.util.Set<PersonalData.Kind> kinds = java.util.EnumSet.noneOf(PersonalData.Kind.class);
            kinds.addAll(PersonalData.redact(value).counts().keySet());
            kinds.remove(PersonalData.Kind.NAME);
            return kinds;
        }

        /** Sorts column {@code i} by one of its cells, {@code number} if it reads as a finite number. */
        private void sort(int i, String cell, boolean number) {
            boolean date = isDateOrTime(cell);
            if (date && !words.containsKey(i)) {
                dates.add(i); // a date column while every value is one
                return;
            }
            if (dates.remove(i)) {
                numeric.add(i); // dates and other values: read as numbers, which refuses the cells that are not
                return;
            }
            if (manyWords.contains(i)) {
                if (number || cell.length() > MAX_CATEGORY_LENGTH || cell.codePoints().noneMatch(Character::isLetter)) {
                    manyWords.remove(i);
                    numeric.add(i); // a mix of words and numbers, or sentences: read as numbers, which refuses the words
                }
                return;
            }
            if (!number && !(words.containsKey(i) && words.get(i).contains(cell))) { // each distinct value looked at once
                java.util.Set<PersonalData.Kind> found = personalDataIn(cell);
                if (!found.isEmpty()) {
                    personal.put(i, found.iterator().next().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
                    words.remove(i);
                    return;
                }
            }
            if (number || cell.codePoints().noneMatch(Character::isLetter)) {
                numeric.add(i);
                words.remove(i);
            } else if (cell.length() > MAX_CATEGORY_LENGTH) {
                numeric.add(i); // a sentence: text under another name, refused with how to read it as text
                words.remove(i);
            } else if (words.computeIfAbsent(i, k -> new java.util.TreeSet<>()).add(cell) && words.get(i).size() > MAX_CATEGORIES
                    && !modelCategories.contains(i)) {
                manyWords.add(i); // too many distinct words to be categories: names or codes, unless a number or a sentence follows
                words.remove(i);
            }
        }

        /**
         * Sorts the columns that hold numbers and other values (Titanic's tickets "113803" and "A/5 21171", a loan table's
         * dependents "0" to "3+"): where the others are at least {@link #MIXED_SHARE} of its cells and {@link #MIXED_MIN}, a
         * mix rather than numbers with a typo, read as categories while its distinct values are few, else not read (codes). Numbers with
         * a few stray words stay numbers, whose words the second pass refuses by line; a column of sentences stays text.
         */
        private void mixed(java.util.Set<Integer> ids) {
            for (int i : new java.util.ArrayList<>(numeric)) {
                int other = others.getOrDefault(i, 0);
                int all = other + numbers.getOrDefault(i, 0);
                boolean modelReadsANumber = modelFeatures.contains(header[i].trim());
                if (other < MIXED_MIN || other < MIXED_SHARE * all || sentences.contains(i) || ids.contains(i) || modelReadsANumber
                        || dates.contains(i)) {
                    continue;
                }
                numeric.remove(i);
                // Its values would become feature names: any with personal data keeps the whole column from being read.
                String kind = distinct.get(i).stream().flatMap(v -> personalDataIn(v).stream()).findFirst()
                        .map(k -> k.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).orElse(null);
                if (kind != null) {
                    personal.put(i, kind);
                } else if (distinct.get(i).size() <= MAX_CATEGORIES || modelCategories.contains(i)) {
                    words.put(i, new java.util.TreeSet<>(distinct.get(i)));
                } else {
                    manyWords.add(i);
                }
            }
        }

        /**
         * Columns of words that hold people's names ({@link PersonNames}) become personal data: as categories their
         * values would be a model's feature names. A column a model already reads keeps being read (trained before this).
         */
        private void personNames() {
            java.util.Set<Integer> wordColumns = new java.util.TreeSet<>(words.keySet());
            wordColumns.addAll(manyWords);
            for (int i : wordColumns) {
                boolean modelReadsIt = modelCategories.contains(i) || modelFeatures.contains(header[i].trim());
                if (!modelReadsIt && PersonNames.holdsNames(PersonNames.headerNamesAPerson(header[i]), distinct.get(i))) {
                    personal.put(i, PERSON_NAME);
                    words.remove(i);
                    manyWords.remove(i);
                    identifiers.remove(i);
                }
            }
        }

        ColumnKinds kinds() {
            if (text) {
                // Its id by the rules a table's is found by, so that a file's records keep their ids whichever column is
                // read as the text (a table's choice of its free-text column compares the two readings record by record).
                java.util.Set<Integer> ids = new java.util.TreeSet<>(identifiers(java.util.Set.of()));
                java.util.Set<Integer> rows = rowNumbers(java.util.Set.of());
                ids.addAll(rows);
                return new ColumnKinds(Map.of(), Map.of(), java.util.Set.of(), inColumnOrder(ids), inColumnOrder(rows),
                        java.util.Set.of(), java.util.Set.of(), java.util.Set.of(), decimalComma, headerNames(), -1, java.util.Set.of());
            }
            personNames();
            // A spreadsheet's empty columns ("age,income,label,,," on every line): no name and no value, nothing to read.
            java.util.TreeSet<Integer> empty = new java.util.TreeSet<>();
            for (int i = 0; i < width; i++) {
                if (header[i].isBlank() && !reserved.contains(i) && !numbers.containsKey(i) && !others.containsKey(i)) {
                    empty.add(i);
                    numeric.remove(i);
                }
            }
            // An identifier is a column named so whose values never repeat (two rows at least, or one in a file read for
            // a model): not a feature, whatever its values are; unless the model reads it as one (trained before this).
            java.util.Set<Integer> ids = new java.util.TreeSet<>(identifiers(personal.keySet()));
            java.util.Set<Integer> rows = rowNumbers(personal.keySet());
            ids.addAll(rows);
            ids.addAll(keysUnderOtherNames());
            ids.forEach(i -> {
                words.remove(i);
                dates.remove(i);
                numeric.remove(i);
            });
            Map<Integer, List<String>> out = new java.util.TreeMap<>();
            int features = Math.max(0, width) - reserved.size() - personal.size() - dates.size() - ids.size() - empty.size();
            manyWords.removeAll(ids);
            mixed(ids);
            int loneWords = loneWords(ids, empty);
            if (!modelFeatures.isEmpty()) {
                // In a file read for a model, a column of words the model has no feature of (a customer's name, a note)
                // is passed over, as the model's training file's was or would have been; its own columns are checked
                // by name afterwards (InputCheck), so a renamed one is still missed and said.
                for (int column : new java.util.ArrayList<>(words.keySet())) {
                    String name = header[column].trim();
                    if (!modelFeatures.contains(name) && modelFeatures.stream().noneMatch(f -> name.equals(categoryOf(f)))) {
                        words.remove(column);
                        manyWords.add(column);
                    }
                }
            }
            // A column of free text (sentences, mostly not numbers) beside other features, as a bank's table holds a note
            // or a comment: not read, as a column of names is, so the table trains on the rest (it was refused by line).
            java.util.Set<Integer> freeText = new java.util.TreeSet<>();
            for (int i : new java.util.ArrayList<>(numeric)) {
                if (sentences.contains(i) && others.getOrDefault(i, 0) > numbers.getOrDefault(i, 0)
                        && !modelFeatures.contains(header[i].trim())) {
                    numeric.remove(i);
                    manyWords.add(i);
                    freeText.add(i);
                }
            }
            if (features - manyWords.size() == 0) {
                numeric.addAll(manyWords); // the file's only feature columns: text under another name, refused with the hint
                manyWords.clear();
                freeText.clear();
            }
            // One column of words beside none of numbers is most often text under another name ("body"), not a category.
            if (features > 1) {
                words.forEach((column, values) -> out.put(column, List.copyOf(values)));
            }
            // in column order: the first identifier is the records' id, the same column in every reading of the file
            return new ColumnKinds(out, Map.copyOf(personal), java.util.Set.copyOf(dates), inColumnOrder(ids), inColumnOrder(rows),
                    java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(manyWords)), // in column order
                    java.util.Set.copyOf(freeText), java.util.Collections.unmodifiableSortedSet(empty), decimalComma, headerNames(),
                    loneWords, java.util.Set.copyOf(pointDecimals));
        }

        /**
         * The file's one column to read beside its id and labels, where most of its cells are not numbers (words, names of
         * things, sentences: a list of words with their sentiment, of products with their category), else -1. Such a
         * column is the text to classify under another name, as a table of one column of categories has nothing else to
         * learn from; none in a file read for a model, which reads the columns it was trained on.
         */
        private int loneWords(java.util.Set<Integer> ids, java.util.Set<Integer> empty) {
            if (!modelFeatures.isEmpty()) {
                return -1;
            }
            List<Integer> readable = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                if (!reserved.contains(i) && !personal.containsKey(i) && !dates.contains(i) && !ids.contains(i) && !empty.contains(i)) {
                    readable.add(i);
                }
            }
            return readable.size() == 1 && others.getOrDefault(readable.get(0), 0) > numbers.getOrDefault(readable.get(0), 0)
                    ? readable.get(0) : -1;
        }

        private static java.util.Set<Integer> inColumnOrder(java.util.Set<Integer> columns) {
            return java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(columns));
        }

        /**
         * The columns of codes (words without a space) with a different value on every record (order codes,
         * "ORD-2024-00017"; a key under no identifier's name) over enough rows that it is no chance: as categories, each value a feature seen once, which a
         * model can only memorize, and no later record has; identifiers instead. None a model reads (trained before this).
         */
        private java.util.Set<Integer> keysUnderOtherNames() {
            java.util.Set<Integer> keys = new java.util.TreeSet<>();
            if (dataRows < MIN_ROWS_NUMBERED) {
                return keys;
            }
            words.forEach((i, values) -> {
                int cells = numbers.getOrDefault(i, 0) + others.getOrDefault(i, 0);
                boolean modelReadsIt = modelCategories.contains(i) || modelFeatures.contains(header[i].trim());
                boolean codes = values.stream().noneMatch(v -> v.chars().anyMatch(Character::isWhitespace)); // not "seen on day 3"
                if (cells == dataRows && values.size() == dataRows && codes && !modelReadsIt && !personal.containsKey(i)) {
                    keys.add(i);
                }
            });
            return keys;
        }

        /** The identifier columns, but those in {@code personal}: their values never repeat (see {@link #kinds}). */
        private java.util.Set<Integer> identifiers(java.util.Set<Integer> personal) {
            java.util.Set<Integer> ids = new java.util.TreeSet<>();
            identifiers.forEach((i, seen) -> {
                boolean modelReadsIt = modelFeatures.contains(header[i].trim());
                if ((seen.size() >= 2 || !modelFeatures.isEmpty()) && !modelReadsIt && !personal.contains(i)) {
                    ids.add(i);
                }
            });
            return ids;
        }

        /**
         * The columns that number the rows, but those in {@code personal}: over enough rows that counting 0, 1, 2, ... is
         * no chance (a toy table's "x"), or any rows in a file read for a model, which has no such feature (a few rows to
         * predict, with their index).
         */
        private java.util.Set<Integer> rowNumbers(java.util.Set<Integer> personal) {
            java.util.Set<Integer> rows = new java.util.TreeSet<>();
            if (dataRows >= MIN_ROWS_NUMBERED || !modelFeatures.isEmpty() && dataRows > 0) {
                rowNumbers.keySet().stream().filter(i -> !modelFeatures.contains(header[i].trim()) && !personal.contains(i))
                        .forEach(rows::add);
            }
            return rows;
        }

        private List<String> headerNames() {
            return header == null ? List.of() : java.util.Arrays.stream(header).map(String::trim).toList();
        }
    }

    /**
     * True for a header that names an identifier: its last word is "id" ("customer_id", "Customer ID", "customerId",
     * "CustomerID"), "uuid" or "guid" ("order_uuid", a database export's key) or a number's ("ticket_no", "invoice
     * number", "case_nr", "ItemNum"), not a word that ends in the letters ("paid", "valid", "piano"); one word that ends in German "nr" or "nummer" ("Vorgangsnr", "Kundennummer").
     * Such a column is an identifier only while its values are distinct.
     */
    public static boolean namesAnIdentifier(String header) {
        String[] words = header.replaceAll("([a-z])([A-Z])", "$1 $2").split("[^A-Za-z0-9]+");
        if (words.length == 1) {
            // German and Dutch write the number into one word: "Vorgangsnr", "Kundennummer", "Auftragsnr."
            String word = words[0].toLowerCase(java.util.Locale.ROOT);
            return word.endsWith("nummer") ? word.length() > "nummer".length() : word.endsWith("nr") && word.length() > 4;
        }
        return words.length > 1 && IDENTIFIER_WORDS.contains(words[words.length - 1].toLowerCase(java.util.Locale.ROOT));
    }

    /** The last words of an identifier's header: a ticket's number was read as a feature, a model learning the file's order. */
    private static final java.util.Set<String> IDENTIFIER_WORDS = java.util.Set.of("id", "no", "nr", "number", "num", "uuid", "guid");

    /** Fewest data rows over which a column counting 0, 1, 2, ... (or from 1) is taken for row numbers. */
    private static final int MIN_ROWS_NUMBERED = 10;

    /** The kind of personal data a column of people's names holds ({@link PersonNames}). */
    private static final String PERSON_NAME = "person name";

    /** Between a category column's name and a value in the name of its 0/1 feature: "region=north". */
    public static final String CATEGORY = "=";

    /** The category column a 0/1 feature's name belongs to ("region" of "region=north"), or null for another name. */
    public static String categoryOf(String featureName) {
        int at = featureName.indexOf(CATEGORY);
        return at > 0 ? featureName.substring(0, at) : null;
    }

    /**
     * The number a cell of a comma-separated file holds, plain or formatted ("42", "$41,000", "63%": {@link NumberCells}),
     * or null if it holds none: for values that come as text from elsewhere, such as a JSON string sent to {@code serve},
     * read by the rule a file's cells are.
     */
    public static Float numberIn(String cell) {
        try {
            float value = NumberCells.parse(cell.strip(), false);
            return Float.isFinite(value) ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * True if {@code cell} is how a spreadsheet or statistics tool writes a missing value (empty, NA, null, ...), or a
     * spreadsheet's error value (#N/A, #DIV/0!, ...: {@link #isSpreadsheetError}).
     */
    public static boolean isMissing(String cell) {
        String c = cell.strip().toLowerCase(java.util.Locale.ROOT);
        return MISSING.contains(c) || SPREADSHEET_ERRORS.contains(c);
    }

    /**
     * True if {@code cell} is an error value a spreadsheet writes where a formula failed (#DIV/0!, #VALUE!, #N/A):
     * a missing value, said once a column with its first line, since a broken formula may be worth fixing.
     */
    static boolean isSpreadsheetError(String cell) {
        return cell.startsWith("#") && SPREADSHEET_ERRORS.contains(cell.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /** A column's spreadsheet error values: the first, with its line, and how many. */
    private record SpreadsheetErrors(String first, int count) {
        SpreadsheetErrors plus(SpreadsheetErrors later) {
            return new SpreadsheetErrors(first, count + later.count);
        }
    }

    /** Excel's, LibreOffice's and Google Sheets' error values, lower-cased. */
    private static final java.util.Set<String> SPREADSHEET_ERRORS = java.util.Set.of("#n/a", "#na", "#null!", "#div/0!", "#value!",
            "#ref!", "#num!", "#name?", "#error!", "#spill!", "#calc!", "#getting_data", "err:502", "err:504");

    /** How spreadsheets and statistics tools write a missing value, lower-cased. */
    private static final java.util.Set<String> MISSING = java.util.Set.of("", "na", "n/a", "nan", "null", "none", "?", "-");

    /**
     * A file's columns: where id, label, source and text are, and the feature columns in order, each a number or (with
     * its values in {@code categories}) a category read as one 0/1 feature per value; {@code formatted} collects, as
     * records are read, the numeric columns with a cell written with a currency symbol, thousands separators or a percent
     * sign ({@link NumberCells}), each with its first such cell.
     */
    private record Columns(String[] names, int id, int label, int source, int text, int[] features,
            Map<Integer, List<String>> categories, boolean decimalComma, java.util.Set<Integer> pointDecimals,
            Map<Integer, String> formatted, Map<Integer, SpreadsheetErrors> errors) {
        static Columns of(String[] header, Path file, ColumnKinds kinds, ColumnNames names) {
            Map<Integer, List<String>> categories = kinds.categories();
            int id = -1, label = -1, source = -1, text = -1;
            List<Integer> features = new ArrayList<>();
            for (int i = 0; i < header.length; i++) {
                String name = header[i].trim().toLowerCase(java.util.Locale.ROOT);
                if (name.equals("id")) {
                    id = i;
                } else if (names.isLabel(name)) {
                    label = i;
                } else if (name.equals("source")) {
                    source = i;
                } else if (names.isText(name)) {
                    text = i;
                } else if (!kinds.personal().containsKey(i) && !kinds.dates().contains(i) && !kinds.identifiers().contains(i)
                        && !kinds.manyWords().contains(i) && !kinds.empty().contains(i)) {
                    features.add(i);
                }
            }
            if (id < 0 && !kinds.identifiers().isEmpty()) {
                id = kinds.identifiers().iterator().next(); // "customer_id" where no column is named "id"
            }
            if (text < 0 && features.isEmpty()) {
                String unread = kinds.personal().isEmpty() ? "" : " (" + String.join(", ", kinds.personal().entrySet().stream()
                        .map(c -> "'" + header[c.getKey()].trim() + "' holds personal data (" + c.getValue() + ")").toList())
                        + ", not read; if " + (kinds.personal().size() == 1 ? "it" : "one of them") + " is the text to classify,"
                        + " name it with --text-column" + (kinds.personal().size() == 1
                                ? " " + header[kinds.personal().keySet().iterator().next()].trim() : "") + ")";
                throw new DataFormatException(file + ":line 1", "header has neither a text column nor feature columns" + unread,
                        "a '" + names.text() + "' column or numeric feature columns");
            }
            int[] f = text >= 0 ? new int[0] : features.stream().mapToInt(Integer::intValue).toArray();
            return new Columns(header, id, label, source, text, f, text >= 0 ? Map.of() : categories, kinds.decimalComma(),
                    kinds.pointDecimals(), new java.util.TreeMap<>(), new java.util.TreeMap<>());
        }

        /** Whether {@code cell} of {@code column} is a number whose points group thousands ({@link NumberCells#pointsMayGroup}). */
        boolean pointsGroup(int column, String cell) {
            return decimalComma && !pointDecimals.contains(column) && NumberCells.pointsMayGroup(cell);
        }

        /** {@code cell} of {@code column} as a number, as records read it. */
        float number(int column, String cell) {
            return NumberCells.parse(cell, decimalComma, !pointDecimals.contains(column));
        }

        /** What keeps the feature columns' names from serving: the blank and the repeated ones. */
        String unusableNames() {
            List<String> problems = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int f : features) {
                String name = names[f].trim();
                if (name.isEmpty()) {
                    problems.add("column " + (f + 1) + " has no name");
                } else if (!seen.add(name)) {
                    problems.add("'" + name + "' is repeated");
                }
            }
            return String.join(", ", problems.stream().distinct().toList());
        }

        /** A text file's columns that nothing reads (a text reading reads the id, text, label and source columns), or none. */
        List<String> unread() {
            List<String> out = new ArrayList<>();
            if (text >= 0) {
                for (int i = 0; i < names.length; i++) {
                    if (i != id && i != label && i != source && i != text && !names[i].isBlank()) {
                        out.add("'" + names[i].trim() + "'");
                    }
                }
            }
            return out;
        }

        int width() {
            return names.length;
        }

        /**
         * The feature columns' names, by which a model trained on this file reads another whose columns come in another
         * order; none when they cannot serve so (a blank or repeated name).
         */
        List<String> featureNames() {
            List<String> out = new ArrayList<>();
            for (int f : features) {
                if (categories.containsKey(f)) {
                    categories.get(f).forEach(value -> out.add(names[f].trim() + CATEGORY + value));
                } else {
                    out.add(names[f].trim());
                }
            }
            boolean usable = out.stream().noneMatch(String::isEmpty) && out.stream().distinct().count() == out.size();
            return usable ? out : List.of();
        }

        Example toExample(String[] row, String defaultId, String defaultSource, String where, RecordCollector c) {
            String exampleId = id >= 0 && !row[id].isEmpty() ? row[id] : defaultId;
            String lab = label >= 0 ? LabelText.of(row[label]) : null;
            if (lab != null && isSpreadsheetError(lab)) { // a failed lookup's #N/A is no class: the record is unlabeled, said
                errors.merge(label, new SpreadsheetErrors("'" + lab + "' on " + where, 1), SpreadsheetErrors::plus);
                lab = null;
            }
            String src = source >= 0 ? row[source] : defaultSource;
            if (text >= 0) {
                return Example.text(exampleId, row[text], lab, src);
            }
            int width = 0;
            for (int f : features) {
                width += categories.containsKey(f) ? categories.get(f).size() : 1;
            }
            float[] values = new float[width];
            int at = 0;
            for (int i = 0; i < features.length; i++) {
                String cell = row[features[i]].trim();
                if (isSpreadsheetError(cell)) { // a missing value, as isMissing says; counted to be said once a column
                    errors.merge(features[i], new SpreadsheetErrors("'" + cell + "' on " + where, 1), SpreadsheetErrors::plus);
                }
                List<String> known = categories.get(features[i]);
                if (known != null) { // one 0/1 feature per category; a missing value is none of them
                    int k = known.indexOf(cell);
                    if (k >= 0) {
                        values[at + k] = 1f;
                    }
                    at += known.size();
                    continue;
                }
                if (isMissing(cell)) {
                    values[at++] = Float.NaN; // a missing value: filled in before a model reads it (MissingValues)
                    continue;
                }
                boolean word = false;
                float value;
                try {
                    if (pointsGroup(features[i], cell)) {
                        value = NumberCells.parse(cell, true, true); // "1.250" in a German export: 1250
                        formatted.putIfAbsent(features[i], cell);
                    } else {
                        value = NumberCells.plain(cell, decimalComma);
                    }
                } catch (NumberFormatException e) {
                    Float shown = NumberCells.formatted(cell, decimalComma);
                    value = shown != null ? shown : Float.NaN;
                    if (shown != null) {
                        formatted.putIfAbsent(features[i], cell);
                    }
                    word = cell.codePoints().anyMatch(Character::isLetter);
                }
                values[at++] = value;
                if (!Float.isFinite(value)) {
                    String header = names[features[i]].trim();
                    String column = "column " + (features[i] + 1) + " ('" + header + "')";
                    // Words in a feature column are most often text under another header name ("body", "message"):
                    // without a 'text' column the file is read as numbers, so say how to make it a text file. One word
                    // beside other feature columns in a column that is not read as categories is a typo or a mix.
                    boolean category = word && features.length > 1 && cell.length() <= 30 && cell.chars().noneMatch(Character::isWhitespace);
                    c.bad(where, column + " is " + dev.distillery.util.Listing.clipped(cell, 60),
                            category ? "a finite number: the column holds numbers on other lines (or over " + MAX_CATEGORIES
                                    + " distinct words), so it is read as numbers; a column of words throughout is read as"
                                    + " categories (if it holds the labels, name it with --label-column " + header + ")"
                                    : word ? "a finite number; a file without a text column is read as numeric features: if the"
                                    + " column holds the labels, name it with --label-column " + header + ", and if it is the text"
                                    + " to classify, --text-column " + header
                                    : cell.matches("[-+]?\\d*,\\d+") ? "a finite number written with a decimal point, not a comma"
                                    : "a finite number");
                    return null;
                }
            }
            return Example.denseOwned(exampleId, values, lab, src);
        }
    }

    /**
     * Writes {@code data} as CSV that reads back as the same data: a text set as id,label,text; a table as id,label and
     * its columns by name ({@link Schema#rowByColumn}: a category column as one column of its values, a missing value as
     * an empty cell), unnamed features as f1, f2, ... The label and text columns keep the names the data was read with
     * ({@link Schema#columns}), so the file reads back with the same options.
     */
    public static void write(Dataset data, Path file) {
        boolean text = data.schema().kind() == Schema.Kind.TEXT;
        List<String> names = data.schema().featureNames();
        ColumnNames columns = data.schema().columns();
        AtomicFiles.write(file, out -> {
            CsvMapper mapper = new CsvMapper();
            try (CsvGenerator gen = (CsvGenerator) mapper.getFactory().createGenerator(out)) {
                List<String> header = new ArrayList<>(List.of("id", columns.label()));
                if (text) {
                    header.add(columns.text());
                } else {
                    header.addAll(Schema.rowByColumn(names, new float[data.schema().featureSize()]).keySet());
                }
                writeRow(gen, header);
                for (Example e : data.examples()) {
                    List<String> row = new ArrayList<>(List.of(e.id(), e.label().orElse("")));
                    if (text) {
                        row.add(e.text());
                    } else {
                        Schema.rowByColumn(names, e.features()).values().forEach(v -> row.add(v.toString()));
                    }
                    writeRow(gen, row);
                }
            }
        });
    }

    /**
     * Writes to {@code out} the header of the CSV or TSV {@code file} and each record whose first line {@code keep}
     * accepts, every cell as it was (quoted where it needs to be) and with the file's separator: a part of a table that
     * keeps the columns no model reads (free text, dates, identifiers), which {@link #write} cannot; {@code copy} says
     * which records, with which ids and labels, and which columns are left out.
     */
    static void copyRecords(Path file, RecordCopy copy, Path out) {
        char separator = separator(file);
        String first;
        try (Utf8Lines lines = Utf8Lines.open(file)) {
            Utf8Lines.Line line = lines.next();
            first = line == null || !line.valid() ? "" : line.text().strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not read " + file, e);
        }
        boolean separatorLine = SEPARATOR_LINE.matcher(first).matches(); // Excel's "sep=;", kept so the part reads the same
        AtomicFiles.write(out, o -> {
            try (CsvGenerator gen = generator(o, separator)) {
                if (separatorLine) {
                    gen.writeRaw(first + "\n");
                }
                boolean[] header = {true};
                java.util.Set<Integer> droppedAt = new java.util.HashSet<>();
                Map<Integer, java.util.function.UnaryOperator<String>> rewriteAt = new java.util.HashMap<>();
                int[] labelAt = {-1}; // where the label goes, among the cells kept; past them where the file has none
                stream(file, bad -> {}, row -> {
                    if (header[0]) {
                        for (int i = 0; i < row.cells().length; i++) {
                            if (copy.dropped().contains(row.cells()[i].trim())) {
                                droppedAt.add(i);
                            }
                            if (copy.rewrites().containsKey(row.cells()[i].trim())) {
                                rewriteAt.put(i, copy.rewrites().get(row.cells()[i].trim()));
                            }
                        }
                    }
                    if (header[0] || copy.keep().test(row.line())) {
                        List<String> cells = new ArrayList<>();
                        for (int i = 0; i < row.cells().length; i++) {
                            if (!droppedAt.contains(i)) {
                                cells.add(header[0] || !rewriteAt.containsKey(i) ? row.cells()[i] : rewriteAt.get(i).apply(row.cells()[i]));
                            }
                        }
                        if (copy.labelOf() != null) {
                            if (header[0]) {
                                labelAt[0] = cells.stream().map(String::trim).toList().indexOf(copy.labelColumn());
                                if (labelAt[0] < 0) {
                                    labelAt[0] = cells.size();
                                    cells.add(copy.labelColumn());
                                }
                            } else {
                                String label = copy.labelOf().apply(row.line());
                                if (labelAt[0] < cells.size()) {
                                    cells.set(labelAt[0], label);
                                } else {
                                    cells.add(label);
                                }
                            }
                        }
                        if (copy.lineIds()) {
                            cells.add(0, header[0] ? "id" : "line-" + row.line());
                        }
                        try {
                            writeRow(gen, cells);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    header[0] = false;
                });
            }
        });
    }

    /**
     * The records of {@code file} that start on the given {@code lines}, each as its columns and cells in the file's
     * order, without the columns named in {@code dropped}.
     */
    static Map<Long, Map<String, String>> recordsAt(Path file, java.util.Set<Long> lines, java.util.Set<String> dropped) {
        Map<Long, Map<String, String>> records = new java.util.HashMap<>();
        String[][] header = {null};
        stream(file, bad -> {}, row -> {
            if (header[0] == null) {
                header[0] = row.cells();
            } else if (lines.contains(row.line()) && row.cells().length == header[0].length) {
                Map<String, String> record = new java.util.LinkedHashMap<>();
                for (int i = 0; i < row.cells().length; i++) {
                    String name = header[0][i].trim();
                    if (!dropped.contains(name)) {
                        record.put(name, row.cells()[i]);
                    }
                }
                records.put(row.line(), record);
            }
        });
        return records;
    }

    /**
     * A writer of CSV rows (each an array of strings) to {@code out}, cells separated by {@code separator} and quoted only
     * where they must be, so a copied cell reads as it was.
     */
    public static CsvGenerator generator(java.io.OutputStream out, char separator) throws IOException {
        CsvGenerator gen = (CsvGenerator) new CsvMapper().getFactory().createGenerator(out);
        gen.setSchema(CsvSchema.emptySchema().withColumnSeparator(separator));
        gen.enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING);
        return gen;
    }

    private static void writeRow(CsvGenerator gen, List<String> cells) throws IOException {
        gen.writeStartArray();
        for (String c : cells) {
            gen.writeString(c);
        }
        gen.writeEndArray();
    }
}
