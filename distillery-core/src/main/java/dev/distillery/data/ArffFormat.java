package dev.distillery.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Weka's ARFF file ({@code .arff}, also gzipped) as a table's rows, so it is read by the rules every table is
 * ({@link CsvFormat}): its {@code @attribute} lines name the columns, each row after {@code @data} is a record, {@code ?}
 * a missing value. Values are separated by commas or spaces and quoted with single or double quotes, backslash escapes
 * inside ({@code \n}, {@code \'}); {@code %} begins a comment; a sparse row, {@code {0 5.1, 3 setosa}}, leaves out its
 * zeros (a nominal attribute's first value, as Weka reads a sparse row's zero). A row is checked against the
 * declarations, as Weka checks it: as many values as attributes, a number under a numeric attribute, a declared value
 * under a nominal one; a row that is not is a bad record naming its line. A header that cannot be read (an unknown
 * type, a relational attribute, no {@code @data}) fails the file at its line.
 */
final class ArffFormat implements CsvFormat.Table {
    private enum Type { NUMERIC, NOMINAL, STRING, DATE }

    /** An attribute; a nominal one's values in declared order (the first is a sparse row's zero) and as a set to check by. */
    private record Attribute(String name, Type type, List<String> values, java.util.Set<String> declared) {
        Attribute(String name, Type type, List<String> values) {
            this(name, type, values, java.util.Set.copyOf(values));
        }
    }

    private final Path file;
    private final List<Attribute> attributes;
    /** The line of the first {@code @attribute}, the table's header; the line of {@code @data}, after which rows begin. */
    private final int headerLine;
    private final int dataLine;

    private ArffFormat(Path file, List<Attribute> attributes, int headerLine, int dataLine) {
        this.file = file;
        this.attributes = attributes;
        this.headerLine = headerLine;
        this.dataLine = dataLine;
    }

    @Override
    public boolean declaresCategories(String column) {
        return attributes.stream().anyMatch(a -> a.type() == Type.NOMINAL && a.name().equals(column));
    }

    /** Whether {@code file} is read as ARFF, by its name: .arff, also gzipped. */
    static boolean handles(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".arff") || name.endsWith(".arff.gz");
    }

    /** {@code file}'s header read: its attributes, or a {@link DataFormatException} at the line that is none. */
    static ArffFormat of(Path file) {
        List<Attribute> attributes = new ArrayList<>();
        Map<String, Integer> declaredOn = new java.util.HashMap<>();
        int firstAttribute = 0;
        try (Utf8Lines lines = Utf8Lines.open(file)) {
            for (Utf8Lines.Line line; (line = lines.next()) != null; ) {
                String where = file + ":line " + line.number();
                if (!line.valid()) {
                    throw new DataFormatException(where, line.problem(), "UTF-8 text");
                }
                List<Token> tokens;
                try {
                    tokens = tokens(line.text());
                } catch (BadValues e) {
                    throw new DataFormatException(where, e.problem, e.expected);
                }
                if (tokens.isEmpty()) {
                    continue; // blank, or a comment
                }
                String keyword = tokens.get(0).quoted() ? "" : tokens.get(0).text().toLowerCase(Locale.ROOT);
                switch (keyword) {
                    case "@relation" -> { }
                    case "@attribute" -> {
                        if (tokens.size() < 3) {
                            throw new DataFormatException(where, "an @attribute line without " + (tokens.size() < 2 ? "a name" : "a type"),
                                    "@attribute NAME TYPE, the type numeric, real, integer, string, date or {value1,value2,...}");
                        }
                        Attribute attribute = attribute(tokens, where);
                        Integer before = declaredOn.putIfAbsent(attribute.name().toLowerCase(Locale.ROOT), line.number());
                        if (before != null) {
                            throw new DataFormatException(where, "attribute '" + attribute.name() + "' is declared again (first on line "
                                    + before + ")", "a name of its own for every attribute");
                        }
                        firstAttribute = attributes.isEmpty() ? line.number() : firstAttribute;
                        attributes.add(attribute);
                    }
                    case "@data" -> {
                        if (attributes.isEmpty()) {
                            throw new DataFormatException(where, "@data before any @attribute", "an @attribute line for each column first");
                        }
                        return new ArffFormat(file, List.copyOf(attributes), firstAttribute, line.number());
                    }
                    default -> throw new DataFormatException(where, "'" + shortened(tokens.get(0).text()) + "' in the header",
                            "@relation, @attribute or @data (a comment after %)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new DataFormatException(file.toString(), "no @data line", "an ARFF header (@relation, @attribute lines) and"
                + " then @data above the rows");
    }

    private static Attribute attribute(List<Token> tokens, String where) {
        String name = tokens.get(1).text();
        Token type = tokens.get(2);
        if (!type.quoted() && type.text().equals("{")) {
            List<String> values = new ArrayList<>();
            for (int i = 3; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                if (!t.quoted() && t.text().equals("}")) {
                    return new Attribute(name, Type.NOMINAL, List.copyOf(values));
                }
                values.add(t.text());
            }
            throw new DataFormatException(where, "the values of nominal attribute '" + name + "' have no closing }",
                    "{value1,value2,...}");
        }
        String kind = type.text().toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "numeric", "real", "integer" -> new Attribute(name, Type.NUMERIC, List.of());
            case "string" -> new Attribute(name, Type.STRING, List.of());
            case "date" -> new Attribute(name, Type.DATE, List.of());
            case "relational" -> throw new DataFormatException(where, "relational attribute '" + name + "' (multi-instance bags)",
                    "numeric, nominal, string or date attributes: one row per instance, the bag as a column of its own");
            default -> throw new DataFormatException(where, "attribute '" + name + "' of type '" + shortened(type.text()) + "'",
                    "numeric, real, integer, string, date or {value1,value2,...}");
        };
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public boolean decimalComma() {
        return false; // ARFF's numbers are Java's: a decimal point, and commas separate values
    }

    @Override
    public void stream(Consumer<CsvFormat.BadRow> bad, Consumer<CsvFormat.Row> rows) {
        rows.accept(new CsvFormat.Row(attributes.stream().map(Attribute::name).toArray(String[]::new), headerLine));
        try (Utf8Lines lines = Utf8Lines.open(file)) {
            for (Utf8Lines.Line line; (line = lines.next()) != null; ) {
                if (line.number() <= dataLine) {
                    continue;
                }
                if (!line.valid()) {
                    bad.accept(new CsvFormat.BadRow(line.number(), line.problem(), "UTF-8 text"));
                    continue;
                }
                try {
                    List<Token> tokens = tokens(line.text());
                    if (!tokens.isEmpty()) {
                        rows.accept(new CsvFormat.Row(cells(tokens), line.number()));
                    }
                } catch (BadValues e) {
                    bad.accept(new CsvFormat.BadRow(line.number(), e.problem, e.expected));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A row's tokens as one cell per attribute, a missing value as an empty cell; or why they are no row. */
    private String[] cells(List<Token> tokens) {
        if (!tokens.get(0).quoted() && tokens.get(0).text().equals("{")) {
            return sparseCells(tokens);
        }
        if (tokens.stream().anyMatch(t -> !t.quoted() && (t.text().equals("{") || t.text().equals("}")))) {
            throw new BadValues("a value in braces after the row's values (an instance weight)",
                    "a row without an instance weight: weights are not read, so remove them");
        }
        if (tokens.size() != attributes.size()) {
            throw new BadValues(tokens.size() + " values", attributes.size() + " values, one for each @attribute");
        }
        String[] cells = new String[attributes.size()];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = checked(i, tokens.get(i));
        }
        return cells;
    }

    /** {@code {3 5.1, 7 setosa}}: the values given by attribute index, in ascending order; every other value its zero. */
    private String[] sparseCells(List<Token> tokens) {
        String[] cells = new String[attributes.size()];
        for (int i = 0; i < cells.length; i++) {
            Attribute a = attributes.get(i);
            cells[i] = switch (a.type()) {
                case NUMERIC -> "0";
                case NOMINAL -> a.values().isEmpty() ? "" : a.values().get(0);
                case STRING, DATE -> ""; // a string's or a date's zero is no value a reader can know: missing
            };
        }
        Token last = tokens.get(tokens.size() - 1);
        if (last.quoted() || !last.text().equals("}")) {
            throw new BadValues("a sparse row without its closing }", "{index value, index value, ...}");
        }
        List<Token> pairs = tokens.subList(1, tokens.size() - 1);
        if (pairs.size() % 2 != 0) {
            throw new BadValues("index " + shortened(pairs.get(pairs.size() - 1).text()) + " without a value",
                    "{index value, index value, ...}");
        }
        int previous = -1;
        for (int k = 0; k < pairs.size(); k += 2) {
            Token index = pairs.get(k);
            int at;
            try {
                at = index.quoted() ? -1 : Integer.parseInt(index.text());
            } catch (NumberFormatException e) {
                at = -1;
            }
            if (at < 0 || at >= cells.length) {
                throw new BadValues("'" + shortened(index.text()) + "' as a sparse row's index", "an attribute index from 0 to "
                        + (cells.length - 1));
            }
            if (at <= previous) {
                throw new BadValues("index " + at + " after index " + previous, "indices in ascending order, each once");
            }
            previous = at;
            cells[at] = checked(at, pairs.get(k + 1));
        }
        return cells;
    }

    /** The cell of attribute {@code i}'s value {@code value}: empty where it is missing ({@code ?}); checked by its type. */
    private String checked(int i, Token value) {
        Attribute a = attributes.get(i);
        if (!value.quoted() && value.text().equals("?")) {
            return "";
        }
        String v = value.text();
        if (a.type() == Type.NUMERIC) {
            try {
                if (value.quoted() || !Double.isFinite(Double.parseDouble(v))) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new BadValues("'" + shortened(v) + "' under numeric attribute '" + a.name() + "'", "a number, or ? where it is missing");
            }
        } else if (a.type() == Type.NOMINAL && !a.declared().contains(v)) {
            throw new BadValues("'" + shortened(v) + "' under nominal attribute '" + a.name() + "'", "one of its declared values: "
                    + dev.distillery.util.Listing.firstOf(a.values(), 10, ", ") + "; or ? where it is missing");
        }
        return v;
    }

    /** A value, a name or a keyword of a line; {@code quoted} where it was in quotes, so "?" or "{" in quotes is itself. */
    private record Token(String text, boolean quoted) {}

    /** Why a line is no row (its bad record) or no header line (the file's error). */
    private static final class BadValues extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String problem;
        final String expected;

        BadValues(String problem, String expected) {
            super(problem, null, false, false);
            this.problem = problem;
            this.expected = expected;
        }
    }

    /**
     * {@code line}'s tokens as Weka's reader splits them: separated by commas and white space, in single or double quotes
     * with backslash escapes, a brace a token of its own, the rest of the line after an unquoted {@code %} a comment.
     */
    private static List<Token> tokens(String line) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ',' || Character.isWhitespace(c)) {
                i++;
            } else if (c == '%') {
                break;
            } else if (c == '{' || c == '}') {
                tokens.add(new Token(String.valueOf(c), false));
                i++;
            } else if (c == '\'' || c == '"') {
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                for (; j < n && line.charAt(j) != c; j++) {
                    char d = line.charAt(j);
                    if (d == '\\' && j + 1 < n) {
                        char e = line.charAt(++j);
                        text.append(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            default -> e; // \' \" \\ \% and any other escaped letter: itself
                        });
                    } else {
                        text.append(d);
                    }
                }
                if (j >= n) {
                    throw new BadValues("a value opened with " + c + " and not closed", "the closing " + c + " on the same line"
                            + " (a quote inside written \\" + c + ")");
                }
                tokens.add(new Token(text.toString(), true));
                i = j + 1;
            } else {
                int j = i;
                while (j < n && !isBoundary(line.charAt(j))) {
                    j++;
                }
                tokens.add(new Token(line.substring(i, j), false));
                i = j;
            }
        }
        return tokens;
    }

    private static boolean isBoundary(char c) {
        return c == ',' || Character.isWhitespace(c) || c == '%' || c == '{' || c == '}' || c == '\'' || c == '"';
    }

    private static String shortened(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
