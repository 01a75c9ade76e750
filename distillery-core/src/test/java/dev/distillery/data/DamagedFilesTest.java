package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.curate.DocFiles;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files as they arrive from other tools: byte-order marks, Windows line ends, a line that is not UTF-8. */
class DamagedFilesTest {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    /** 0xC3 starts a two-byte character; 0x28 ('(') cannot continue it. */
    private static final byte[] INVALID = {'b', 'a', 'd', ' ', (byte) 0xC3, 0x28};

    @TempDir
    Path dir;

    private Path file(String name, Object... parts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.write(p instanceof byte[] b ? b : p.toString().getBytes(StandardCharsets.UTF_8));
        }
        Path f = dir.resolve(name);
        Files.write(f, out.toByteArray());
        return f;
    }

    @Test
    void jsonlWithByteOrderMarkAndCrlfReadsEveryRecord() throws Exception {
        Path f = file("bom.jsonl", BOM, "{\"id\":\"a\",\"text\":\"one\",\"label\":\"x\"}\r\n{\"id\":\"b\",\"text\":\"two\",\"label\":\"y\"}\r\n");
        ReadResult r = JsonlFormat.read(f, OnError.FAIL);
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("a", "b");
        assertThat(r.dataset().get(0).text()).isEqualTo("one");
        assertThat(r.skipped()).isZero();
    }

    @Test
    void csvWithByteOrderMarkAndCrlfReadsEveryRecord() throws Exception {
        Path f = file("bom.csv", BOM, "id,text,label\r\na,one,x\r\nb,\"two\r\nlines\",y\r\n");
        ReadResult r = CsvFormat.read(f, OnError.FAIL);
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("a", "b");
        assertThat(r.dataset().schema().labels()).containsExactly("x", "y");
        assertThat(r.dataset().get(1).text()).isEqualTo("two\nlines");
    }

    @Test
    void aTsvFileIsReadAsCsvAndASpreadsheetOrParquetFileSaysHowToMakeOne() throws Exception {
        Path tsv = dir.resolve("data.tsv");
        Files.writeString(tsv, "age\tincome\tlabel\n30\t1,5\ta\n40\t2\tb\n");
        assertThat(DataFiles.read(tsv, OnError.FAIL).dataset().get(0).features()).containsExactly(30f, 1.5f);
        Path xlsx = Files.write(dir.resolve("book.xlsx"), new byte[] {'P', 'K', 3, 4});
        assertThatThrownBy(() -> DataFiles.read(xlsx, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("book.xlsx: a spreadsheet").hasMessageContaining("save the sheet as \"CSV UTF-8\"");
        // Excel's "Unicode Text" is a .txt of tab-separated columns: named, with the name that reads it
        Path txt = Files.writeString(dir.resolve("export.txt"), "age\tincome\tlabel\n30\t2\ta\n");
        assertThatThrownBy(() -> DataFiles.read(txt, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("export.txt: unknown file type, though its first line holds 3 tab-separated cells")
                .hasMessageContaining("a name ending in .tsv");
        // a statistics package's .dat: cells between spaces, named so, with the name that reads it
        Path dat = Files.writeString(dir.resolve("spector.dat"), "'OBS' 'GPA' 'GRADE'\n1 2.66 0\n2 2.89 1\n");
        assertThatThrownBy(() -> DataFiles.read(dat, OnError.FAIL)).hasMessageContaining("spector.dat: unknown file type, though its"
                + " first line holds 3 cells separated by spaces").hasMessageContaining("a name ending in .csv");
        Path notes = Files.writeString(dir.resolve("notes.txt"), "some notes here\nand a second line of them\n");
        assertThatThrownBy(() -> DataFiles.read(notes, OnError.FAIL)).hasMessageContaining("notes.txt: a text file, read as a"
                + " document only in a directory of them").hasMessageNotContaining("though its first line");
        Path parquet = Files.write(dir.resolve("t.parquet"), new byte[] {'P', 'A', 'R', '1'});
        assertThatThrownBy(() -> DataFiles.read(parquet, OnError.FAIL)).hasMessageContaining("a columnar file (parquet)")
                .hasMessageContaining("to_csv");
    }

    @Test
    void anArchiveIsRefusedWithTheCommandThatUnpacksItWhileAGzippedFileIsRead() throws Exception {
        String csv = "age,label\n30,a\n40,b\n";
        Path zip = dir.resolve("data.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("data.csv"));
            out.write(csv.getBytes(StandardCharsets.UTF_8));
        }
        for (var read : java.util.List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> DataFiles.read(zip, OnError.FAIL), () -> DocFiles.checkInput(zip))) {
            assertThatThrownBy(read).isInstanceOf(DataFormatException.class).hasMessageContaining("an archive")
                    .hasMessageContaining("unzip " + zip + " -d DIR");
        }
        // a tar of CSV files, gzipped: its headers' text had been taken for a table of comma-separated cells
        Path tar = dir.resolve("reviews.tar.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(tar))) {
            out.write(("reviews/train.csv" + "\0".repeat(83) + "0000644\0" + csv).getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> DataFiles.read(tar, OnError.FAIL)).hasMessageContaining("tar xf " + tar + " -C DIR")
                .hasMessageNotContaining("rename");
        Path gz = dir.resolve("data.csv.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(csv.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(DataFiles.read(gz, OnError.FAIL).dataset().size()).isEqualTo(2);
    }

    @Test
    void aFileSavedAsWindows1252SaysWhatTheByteIsThereAndHowToConvertIt() throws Exception {
        Path f = dir.resolve("de.csv");
        Files.write(f, "alter;region;label\n35;süd;ja\n".getBytes(java.nio.charset.Charset.forName("windows-1252")));
        assertThatThrownBy(() -> CsvFormat.read(f, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("de.csv:line 2").hasMessageContaining("invalid UTF-8 at byte 5 of the line (0xFC)")
                .hasMessageContaining("it is 'ü' in Windows-1252").hasMessageContaining("iconv -f windows-1252 -t utf-8");
    }

    @Test
    void aUtf16FileWithItsByteOrderMarkReadsAsTheSameTableAndTexts() throws Exception {
        // Excel's "Unicode Text" and PowerShell's Out-File write UTF-16 with a byte-order mark: once refused as
        // "invalid UTF-8 ... it is 'ÿ' in Windows-1252", the wrong advice
        String table = "alter\tregion\tlabel\r\n35\tsüd\tja\r\n41\tnord\tnein\r\n";
        Path utf8 = Files.writeString(dir.resolve("table.tsv"), table);
        for (java.nio.charset.Charset utf16 : java.util.List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
            byte[] mark = utf16 == StandardCharsets.UTF_16LE ? new byte[] {(byte) 0xFF, (byte) 0xFE} : new byte[] {(byte) 0xFE, (byte) 0xFF};
            Path f = file("table-" + utf16.name() + ".tsv", mark);
            Files.write(f, table.getBytes(utf16), java.nio.file.StandardOpenOption.APPEND);
            ReadResult r = DataFiles.read(f, OnError.FAIL);
            assertThat(r.dataset().schema().featureNames()).as(utf16.name())
                    .isEqualTo(DataFiles.read(utf8, OnError.FAIL).dataset().schema().featureNames()).contains("region=süd");
            assertThat(r.dataset().examples()).extracting(e -> e.label().orElseThrow()).containsExactly("ja", "nein");
        }
        Path texts = file("texts.jsonl", new byte[] {(byte) 0xFF, (byte) 0xFE});
        Files.write(texts, "{\"id\":\"a\",\"text\":\"Grüße\",\"label\":\"x\"}\n".getBytes(StandardCharsets.UTF_16LE),
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(JsonlFormat.read(texts, OnError.FAIL).dataset().get(0).text()).isEqualTo("Grüße");
        assertThat(Utf8Lines.readAll(texts)).hasSize(1);
    }

    @Test
    void invalidUtf8NamesTheLineAndSkipsOnlyThatLine() throws Exception {
        Path jsonl = file("bad.jsonl", "{\"id\":\"a\",\"text\":\"one\",\"label\":\"x\"}\n{\"id\":\"b\",\"text\":\"", INVALID,
                "\",\"label\":\"x\"}\n{\"id\":\"c\",\"text\":\"three\",\"label\":\"y\"}\n");
        assertThatThrownBy(() -> JsonlFormat.read(jsonl, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad.jsonl:line 2").hasMessageContaining("invalid UTF-8 at byte");
        ReadResult skipped = JsonlFormat.read(jsonl, OnError.SKIP);
        assertThat(skipped.dataset().examples()).extracting(Example::id).containsExactly("a", "c");
        assertThat(skipped.skipped()).isEqualTo(1);
        assertThat(skipped.skipReasons().get(0)).contains("line 2", "invalid UTF-8");

        Path csv = file("bad.csv", "id,text,label\na,one,x\nb,", INVALID, ",x\nc,three,y\n");
        assertThatThrownBy(() -> CsvFormat.read(csv, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad.csv:line 3").hasMessageContaining("invalid UTF-8");
        ReadResult csvSkipped = CsvFormat.read(csv, OnError.SKIP);
        assertThat(csvSkipped.dataset().examples()).extracting(Example::id).containsExactly("a", "c");
        assertThat(csvSkipped.skipped()).isEqualTo(1);

        Path docs = file("docs.jsonl", BOM, "{\"id\":\"a\",\"text\":\"one\"}\r\n{\"id\":\"b\",\"text\":\"", INVALID, "\"}\r\n{\"text\":\"three\"}\r\n");
        assertThatThrownBy(() -> DocFiles.read(docs, OnError.FAIL)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("docs.jsonl:line 2").hasMessageContaining("invalid UTF-8");
        DocFiles.Read read = DocFiles.read(docs, OnError.SKIP);
        assertThat(read.docs()).hasSize(2);
        assertThat(read.docs().get(0).text()).isEqualTo("one");
        assertThat(read.skipped()).isEqualTo(1);
    }

    @Test
    void linesLongerThanTheReadBufferAndAFinalLineWithoutBreakSurvive() throws Exception {
        String longText = "w".repeat(200_000);
        Path f = file("long.jsonl", "{\"text\":\"" + longText + "\",\"label\":\"x\"}\n{\"text\":\"é\",\"label\":\"y\"}");
        ReadResult r = JsonlFormat.read(f, OnError.FAIL);
        assertThat(r.dataset().get(0).text()).hasSize(200_000);
        assertThat(r.dataset().get(1).text()).isEqualTo("é");
    }
}
