package dev.distillery.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV with a header row (RFC 4180 quoting). Columns named {@code id}, {@code label} and
 * {@code source} are optional. A {@code text} column makes a text data set; otherwise every other
 * column is a numeric feature.
 */
public final class CsvFormat {
    private CsvFormat() {}

    public static ReadResult read(Path file, OnError onError) {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        RecordCollector collector = new RecordCollector(file.toString(), onError);
        try (MappingIterator<String[]> rows = mapper.readerFor(String[].class).readValues(file.toFile())) {
            if (!rows.hasNextValue()) {
                throw new DataFormatException(file.toString(), "no header row", "a header such as id,text,label");
            }
            Columns cols = Columns.of(rows.nextValue(), file);
            while (true) {
                String[] row;
                long line;
                try {
                    if (!rows.hasNextValue()) {
                        break;
                    }
                    row = rows.nextValue();
                    line = rows.getCurrentLocation().getLineNr();
                } catch (RuntimeException e) {
                    // After a broken quote the parser cannot find the next record boundary, so this stops even under SKIP.
                    Throwable cause = e.getCause() instanceof JsonProcessingException ? e.getCause() : e;
                    throw new DataFormatException(file + ":line " + rows.getCurrentLocation().getLineNr(),
                            "malformed CSV: " + cause.getMessage().lines().findFirst().orElse(""),
                            "RFC 4180 quoting", e);
                }
                if (row.length == 1 && row[0].isEmpty()) {
                    continue;
                }
                String where = "line " + line;
                if (row.length != cols.width) {
                    collector.bad(where, row.length + " columns", cols.width + " columns like the header");
                    continue;
                }
                Example e = cols.toExample(row, "line-" + line, file.getFileName().toString(), where, collector);
                if (e != null) {
                    collector.add(e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return collector.finish(null);
    }

    private record Columns(int width, int id, int label, int source, int text, int[] features) {
        static Columns of(String[] header, Path file) {
            int id = -1, label = -1, source = -1, text = -1;
            List<Integer> features = new ArrayList<>();
            for (int i = 0; i < header.length; i++) {
                switch (header[i].trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "id" -> id = i;
                    case "label" -> label = i;
                    case "source" -> source = i;
                    case "text" -> text = i;
                    default -> features.add(i);
                }
            }
            if (text < 0 && features.isEmpty()) {
                throw new DataFormatException(file + ":line 1", "header has neither a text column nor feature columns",
                        "a 'text' column or numeric feature columns");
            }
            int[] f = text >= 0 ? new int[0] : features.stream().mapToInt(Integer::intValue).toArray();
            return new Columns(header.length, id, label, source, text, f);
        }

        Example toExample(String[] row, String defaultId, String defaultSource, String where, RecordCollector c) {
            String exampleId = id >= 0 && !row[id].isEmpty() ? row[id] : defaultId;
            String lab = label >= 0 && !row[label].isEmpty() ? row[label] : null;
            String src = source >= 0 ? row[source] : defaultSource;
            if (text >= 0) {
                return Example.text(exampleId, row[text], lab, src);
            }
            float[] values = new float[features.length];
            for (int i = 0; i < features.length; i++) {
                String cell = row[features[i]].trim();
                try {
                    values[i] = Float.parseFloat(cell);
                } catch (NumberFormatException e) {
                    values[i] = Float.NaN;
                }
                if (!Float.isFinite(values[i])) {
                    c.bad(where, "column " + (features[i] + 1) + " is '" + cell + "'", "a finite number");
                    return null;
                }
            }
            return Example.denseOwned(exampleId, values, lab, src);
        }
    }

    public static void write(Dataset data, Path file) {
        boolean text = data.schema().kind() == Schema.Kind.TEXT;
        AtomicFiles.write(file, out -> {
            CsvMapper mapper = new CsvMapper();
            try (CsvGenerator gen = (CsvGenerator) mapper.getFactory().createGenerator(out)) {
                List<String> header = new ArrayList<>(List.of("id", "label"));
                if (text) {
                    header.add("text");
                } else {
                    for (int i = 0; i < data.schema().featureSize(); i++) {
                        header.add("f" + i);
                    }
                }
                writeRow(gen, header);
                for (Example e : data.examples()) {
                    List<String> row = new ArrayList<>(List.of(e.id(), e.label().orElse("")));
                    if (text) {
                        row.add(e.text());
                    } else {
                        for (float v : e.features()) {
                            row.add(Float.toString(v));
                        }
                    }
                    writeRow(gen, row);
                }
            }
        });
    }

    private static void writeRow(CsvGenerator gen, List<String> cells) throws IOException {
        gen.writeStartArray();
        for (String c : cells) {
            gen.writeString(c);
        }
        gen.writeEndArray();
    }
}
