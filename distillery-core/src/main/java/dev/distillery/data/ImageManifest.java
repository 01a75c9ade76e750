package dev.distillery.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A table whose one column names image files and whose label column labels them ({@code train.csv} of
 * {@code image,label} rows beside an {@code images/} folder: the layout of many exported and competition data sets). Its
 * images are read as {@link ImageFolderFormat} reads a folder's, each file named by its cell (or by its id and an image
 * extension, {@link Column}), relative to the table's own directory or to the one folder in it that holds the first
 * (or absolute); a row whose file is missing or not an image is a bad record named by its line. Read as a table, the
 * column of file names was a text model's input, which learned the names and never saw a pixel.
 */
final class ImageManifest {
    private ImageManifest() {}

    /** Rows looked at to tell a column of image file names: enough to see a pattern, few enough for a quick look. */
    private static final int ROWS_LOOKED_AT = 1_000;

    /**
     * The column that names the images: as their files' names ({@code extension} null), or as their names without an
     * extension, which every file has ({@code id,label} rows beside a {@code train/} folder of {@code <id>.png} files).
     */
    record Column(String name, String extension) {
        /** The file name a cell of this column stands for. */
        String fileName(String cell) {
            return extension == null ? cell : cell + "." + extension;
        }
    }

    /** Extensions tried for a table of ids beside a folder of images named by them, in this order. */
    private static final List<String> ID_EXTENSIONS = List.of("png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp");

    /**
     * The column of {@code table} whose cells name image files (every non-blank one of the first rows ends as an image
     * file's name, and at least one is not blank), not the label column; else, in a table of ids alone or beside labels,
     * its id column when the first id with an image extension is a file beside the table or in one folder there; empty if
     * neither.
     */
    static Optional<Column> imageColumn(CsvFormat.Table table, ColumnNames names) {
        List<String> header = new ArrayList<>();
        List<String> firstRow = new ArrayList<>();
        boolean[][] state = {null, null}; // per column: every non-blank cell an image name so far; some non-blank cell seen
        int[] rows = {0};
        try {
            table.stream(bad -> { }, row -> {
                String[] cells = row.cells();
                if (header.isEmpty()) {
                    for (String cell : cells) {
                        header.add(cell.trim());
                    }
                    state[0] = new boolean[cells.length];
                    state[1] = new boolean[cells.length];
                    java.util.Arrays.fill(state[0], true);
                    return;
                }
                if (firstRow.isEmpty()) {
                    java.util.Arrays.stream(cells).map(String::strip).forEach(firstRow::add);
                }
                for (int c = 0; c < Math.min(cells.length, header.size()); c++) {
                    String cell = cells[c].strip();
                    if (!cell.isEmpty()) {
                        state[0][c] &= ImageFolderFormat.isImageName(cell);
                        state[1][c] = true;
                    }
                }
                if (++rows[0] >= ROWS_LOOKED_AT) {
                    throw new Stop();
                }
            });
        } catch (Stop enough) {
            // the first rows tell
        }
        for (int c = 0; c < header.size(); c++) {
            if (state[0][c] && state[1][c] && !names.isLabel(header.get(c))) {
                return Optional.of(new Column(header.get(c), null));
            }
        }
        List<Integer> others = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            if (!header.get(c).isBlank() && !names.isLabel(header.get(c))) {
                others.add(c);
            }
        }
        if (others.size() != 1 || firstRow.size() <= others.get(0) || firstRow.get(others.get(0)).isEmpty()) {
            return Optional.empty();
        }
        String id = firstRow.get(others.get(0));
        Path base = table.file().toAbsolutePath().getParent();
        for (String extension : ID_EXTENSIONS) {
            String name = id + "." + extension;
            if (!id.contains("/") && Files.isRegularFile(rootFor(base, name).resolve(name))) {
                return Optional.of(new Column(header.get(others.get(0)), extension));
            }
        }
        return Optional.empty();
    }

    /**
     * The images {@code table}'s column {@code column} names, labeled by its label column, read for training (a null
     * {@code modelShape}: at the images' own common size) or for a model of input {@code modelShape}.
     */
    static ReadResult read(CsvFormat.Table table, Column column, ColumnNames names, OnError onError, List<Long> modelShape) {
        Path file = table.file();
        RecordCollector collector = new RecordCollector(file.toString(), onError);
        List<ImageFolderFormat.Entry> entries = entries(table, column, names, collector);
        String source = file.getFileName().toString();
        return modelShape == null ? ImageFolderFormat.read(entries, collector, file.toString(), source)
                : ImageFolderFormat.readFor(entries, collector, modelShape, file.toString(), source);
    }

    /** Each record's image file by its id (its id column's, else its file name), for those whose file exists. */
    static java.util.Map<String, Path> files(CsvFormat.Table table, Column column, ColumnNames names) {
        java.util.Map<String, Path> files = new java.util.HashMap<>();
        entries(table, column, names, new RecordCollector(table.file().toString(), OnError.SKIP)).forEach(e -> files.put(e.id(), e.file()));
        return files;
    }

    /** The rows of {@code table} as images to read; a bad row reported to {@code collector}, and the columns not read said. */
    private static List<ImageFolderFormat.Entry> entries(CsvFormat.Table table, Column column, ColumnNames names,
            RecordCollector collector) {
        Path file = table.file();
        Path base = file.toAbsolutePath().getParent();
        List<ImageFolderFormat.Entry> entries = new ArrayList<>();
        int[] index = {-1, -1, -1}; // the image, label and id columns
        List<String> header = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        Path[] root = {null}; // what the cells are relative to, found from the first: the table's folder, or one in it
        table.stream(bad -> collector.bad("line " + bad.line(), bad.problem(), bad.expected()), row -> {
            String[] cells = row.cells();
            if (header.isEmpty()) {
                for (int c = 0; c < cells.length; c++) {
                    String name = cells[c].trim();
                    header.add(name);
                    index[0] = name.equals(column.name()) ? c : index[0];
                    index[1] = names.isLabel(name) && index[1] < 0 ? c : index[1];
                    index[2] = name.equalsIgnoreCase("id") && index[2] < 0 ? c : index[2];
                }
                return;
            }
            String where = "line " + row.line();
            if (cells.length == 1 && cells[0].isBlank()) {
                return; // a blank line
            }
            if (cells.length != header.size()) {
                collector.bad(where, cells.length + " cells, not " + header.size() + " like the header", "one cell a column");
                return;
            }
            String cell = cells[index[0]].strip();
            String name = column.fileName(cell);
            if (cell.isEmpty()) {
                collector.bad(where, "no image file named in column '" + column.name() + "'", "the image's file, relative to "
                        + base + " or absolute");
                return;
            }
            if (name.matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
                collector.bad(where, "a URL (" + dev.distillery.util.Listing.clipped(cell, 60) + "), which is not fetched",
                        "the image's file: download the images (for example with wget -i) and name the files");
                return;
            }
            if (root[0] == null) {
                root[0] = rootFor(base, name);
            }
            Path image = root[0].resolve(name).normalize();
            if (!Files.isRegularFile(image)) {
                collector.bad(where + " (" + name + ")", "no such image file: " + image, "the image's file, relative to "
                        + base + (root[0].equals(base) ? "" : " or its folder " + base.relativize(root[0])) + ", or absolute");
                return;
            }
            String id = index[2] >= 0 && !cells[index[2]].isBlank() ? cells[index[2]].strip() : cell;
            if (!seen.add(id)) {
                collector.bad(where, "duplicate id '" + id + "'", "each row's " + (index[2] >= 0 ? "id" : "image") + " once");
                return;
            }
            String label = index[1] >= 0 ? LabelText.of(cells[index[1]]) : null;
            entries.add(new ImageFolderFormat.Entry(image, id, label, where + " (" + name + ")", row.line()));
        });
        List<String> unread = header.stream().filter(h -> !h.equals(column.name()) && !names.isLabel(h) && !h.equalsIgnoreCase("id")
                && !h.isBlank()).toList();
        if (!unread.isEmpty()) {
            collector.warn(String.format("%s: read as images named in column '%s'; the other columns, %s, are not read", file,
                    column.name(), dev.distillery.util.Listing.firstQuoted(unread, 5)));
        }
        if (root[0] != null && !root[0].equals(base)) {
            collector.warn(String.format("%s: the image files %s in column '%s' are read from %s/, the folder beside the"
                    + " table that holds them", file, column.extension() == null ? "named" : "named by the ids (as ." + column.extension()
                    + " files)", column.name(), base.relativize(root[0])));
        }
        return entries;
    }

    /**
     * The folder the manifest's file names are relative to, from the first one, {@code name}: the table's own folder
     * {@code base} where the file is there (or the name is absolute), else the one subfolder of {@code base} that holds
     * it ({@code train.csv} naming {@code 1001.png} beside a {@code train/} folder of them), else {@code base}, whose
     * missing file each row then reports.
     */
    private static Path rootFor(Path base, String name) {
        if (Files.isRegularFile(base.resolve(name))) {
            return base;
        }
        try (java.util.stream.Stream<Path> dirs = Files.list(base)) {
            List<Path> holding = dirs.filter(Files::isDirectory).filter(d -> Files.isRegularFile(d.resolve(name))).limit(2).toList();
            return holding.size() == 1 ? holding.get(0) : base;
        } catch (java.io.IOException e) {
            return base;
        }
    }

    /**
     * How a file name of {@code manifest}'s image column is written in a copy of its rows in {@code folder}: the same
     * image, named relative to {@code folder} (with forward slashes), so that the copy reads as the manifest does; an
     * absolute name stays as it is.
     */
    static java.util.function.UnaryOperator<String> relocated(Path manifest, Path folder, Column column) {
        Path base = manifest.toAbsolutePath().getParent();
        Path[] root = {null};
        return cell -> {
            String stripped = cell.strip().isEmpty() ? "" : column.fileName(cell.strip());
            if (stripped.isEmpty() || Path.of(stripped).isAbsolute()) {
                return cell;
            }
            if (root[0] == null) {
                root[0] = rootFor(base, stripped);
            }
            return folder.toAbsolutePath().relativize(root[0].resolve(stripped).normalize()).toString().replace('\\', '/');
        };
    }

    /** Ends the quick look at the first rows. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }
}
