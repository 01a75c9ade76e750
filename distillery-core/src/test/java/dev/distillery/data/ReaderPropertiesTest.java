package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.curate.DocFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Every reader, fed valid files mutated at random (bytes flipped, inserted or deleted, lines cut, duplicated or swapped,
 * byte-order marks and CRs added), either reads the file or fails with the project's own {@link DataFormatException};
 * and under {@code --on-error skip} every non-blank line is accounted for: read as a record or counted as skipped.
 */
class ReaderPropertiesTest {
    private Path dir;

    @BeforeProperty
    void createDir() throws Exception {
        dir = Files.createTempDirectory("reader-properties");
    }

    @AfterProperty
    void deleteDir() throws Exception {
        dev.distillery.util.AtomicFiles.deleteRecursively(dir);
    }

    private static final String JSONL = """
            {"id":"a","text":"free money now","label":"spam"}
            {"id":"b","text":"meeting at ten","label":"ham"}
            {"text":"café ünïcode ✓","label":"ham"}
            {"id":"d","features":[1.0,2.5],"label":"x"}
            {"id":"e","text":"last one","label":"spam"}
            """;
    private static final String CSV = """
            id,text,label
            a,free money now,spam
            b,"meeting, at ten",ham
            c,"two
            lines",ham
            d,last one,spam
            """;
    private static final String DENSE_CSV = """
            f0,f1,label
            1.0,2.0,a
            3.5,-1,b
            0,0,a
            """;

    private static final String ARFF = """
            % a comment
            @relation r
            @attribute 'sepal length' numeric
            @attribute kind {a,'b c'}
            @attribute note string
            @attribute class {yes,no}
            @data
            5.1,a,'it\\'s here',yes
            4.9 'b c' "two, words" no
            ?,?,?,yes
            {0 2.5, 3 no}
            """;

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 10_000).flatMap(at -> Arbitraries.integers().between(0, 255).map(b -> new Mutation.Flip(at, b))),
                Arbitraries.integers().between(0, 10_000).flatMap(at -> Arbitraries.integers().between(0, 255).map(b -> new Mutation.Insert(at, b))),
                Arbitraries.integers().between(0, 10_000).map(Mutation.Delete::new),
                Arbitraries.integers().between(0, 100).map(Mutation.DuplicateLine::new),
                Arbitraries.integers().between(0, 100).map(Mutation.CutLine::new),
                Arbitraries.just(new Mutation.Bom()),
                Arbitraries.just(new Mutation.Crlf()));
        return one.list().ofMinSize(0).ofMaxSize(6);
    }

    @Property(tries = 300, seed = "42")
    void jsonlNeverThrowsAnythingElseAndCountsEveryLine(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        check("data.jsonl", JSONL, mutations, f -> JsonlFormat.read(f, OnError.SKIP), true);
        check("data.jsonl", JSONL, mutations, f -> JsonlFormat.read(f, OnError.FAIL), false);
    }

    @Property(tries = 300, seed = "42")
    void csvNeverThrowsAnythingElse(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        check("text.csv", CSV, mutations, f -> CsvFormat.read(f, OnError.SKIP), false);
        check("dense.csv", DENSE_CSV, mutations, f -> CsvFormat.read(f, OnError.SKIP), false);
        check("dense.csv", DENSE_CSV, mutations, f -> CsvFormat.read(f, OnError.FAIL), false);
    }

    @Property(tries = 300, seed = "42")
    void arffNeverThrowsAnythingElse(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        ColumnNames names = new ColumnNames("class", null);
        check("data.arff", ARFF, mutations, f -> DataFiles.read(f, OnError.SKIP, names), false);
        check("data.arff", ARFF, mutations, f -> DataFiles.read(f, OnError.FAIL, names), false);
    }

    @Property(tries = 300, seed = "42")
    void curateDocumentsNeverThrowAnythingElseAndCountEveryLine(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        check("docs.jsonl", JSONL, mutations, f -> {
            DocFiles.Read r = DocFiles.read(f, OnError.SKIP);
            return new Counted(r.docs().size(), r.skipped());
        }, true);
    }

    @Property(tries = 100, seed = "42")
    void mailNeverThrowsAnythingElse(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        String message = "From: a@example.com\r\nSubject: hello\r\nContent-Type: multipart/alternative; boundary=XX\r\n\r\n"
                + "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n"
                + "--XX\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>caf=E9</p>\r\n--XX--\r\n";
        check("m.eml", message, mutations, f -> DataFiles.read(f, OnError.SKIP), false);
    }

    @Property(tries = 300, seed = "42")
    void idxNeverThrowsAnythingElse(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        java.nio.ByteBuffer labels = java.nio.ByteBuffer.allocate(8 + 3).putInt(0x00000801).putInt(3).put(new byte[] {0, 1, 0});
        Files.write(dir.resolve("t-labels-idx1-ubyte"), labels.array());
        java.nio.ByteBuffer images = java.nio.ByteBuffer.allocate(16 + 12).putInt(0x00000803).putInt(3).putInt(2).putInt(2);
        check("t-images-idx3-ubyte", new String(images.array(), StandardCharsets.ISO_8859_1), mutations,
                f -> DataFiles.read(f, OnError.SKIP), false);
    }

    /** Records read and lines skipped, however a reader reports them. */
    private record Counted(int records, int skipped) {}

    private void check(String name, String valid, List<Mutation> mutations, Function<Path, Object> read, boolean oneRecordPerLine)
            throws Exception {
        byte[] bytes = valid.getBytes(name.contains("idx") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        Object result;
        try {
            result = read.apply(file);
        } catch (DataFormatException expected) {
            assertThat(expected.getMessage()).contains(file.toString());
            return;
        }
        if (!oneRecordPerLine) {
            return;
        }
        Counted counted = result instanceof ReadResult r ? new Counted(r.dataset().size(), r.skipped()) : (Counted) result;
        assertThat(counted.records() + counted.skipped()).as("records + skipped lines of %s", mutations).isEqualTo(nonBlankLines(bytes));
    }

    /** Lines that are not blank once decoded (lines of invalid UTF-8 count: a reader must skip and count them). */
    private static int nonBlankLines(byte[] bytes) throws Exception {
        int n = 0;
        try (Utf8Lines lines = Utf8Lines.of(new java.io.ByteArrayInputStream(bytes))) {
            for (Utf8Lines.Line line; (line = lines.next()) != null; ) {
                n += !line.valid() || !line.text().isBlank() ? 1 : 0;
            }
        }
        return n;
    }

    sealed interface Mutation {
        byte[] apply(byte[] in);

        record Flip(int at, int value) implements Mutation {
            public byte[] apply(byte[] in) {
                byte[] out = in.clone();
                if (out.length > 0) {
                    out[at % out.length] = (byte) value;
                }
                return out;
            }
        }

        record Insert(int at, int value) implements Mutation {
            public byte[] apply(byte[] in) {
                int i = in.length == 0 ? 0 : at % (in.length + 1);
                byte[] out = new byte[in.length + 1];
                System.arraycopy(in, 0, out, 0, i);
                out[i] = (byte) value;
                System.arraycopy(in, i, out, i + 1, in.length - i);
                return out;
            }
        }

        record Delete(int at) implements Mutation {
            public byte[] apply(byte[] in) {
                if (in.length == 0) {
                    return in;
                }
                int i = at % in.length;
                byte[] out = new byte[in.length - 1];
                System.arraycopy(in, 0, out, 0, i);
                System.arraycopy(in, i + 1, out, i, in.length - i - 1);
                return out;
            }
        }

        record DuplicateLine(int line) implements Mutation {
            public byte[] apply(byte[] in) {
                List<String> lines = new ArrayList<>(List.of(new String(in, StandardCharsets.ISO_8859_1).split("\n", -1)));
                String l = lines.get(line % lines.size());
                lines.add(line % lines.size(), l);
                return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
            }
        }

        record CutLine(int line) implements Mutation {
            public byte[] apply(byte[] in) {
                List<String> lines = new ArrayList<>(List.of(new String(in, StandardCharsets.ISO_8859_1).split("\n", -1)));
                int i = line % lines.size();
                lines.set(i, lines.get(i).substring(0, lines.get(i).length() / 2));
                return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
            }
        }

        record Bom() implements Mutation {
            public byte[] apply(byte[] in) {
                byte[] out = new byte[in.length + 3];
                out[0] = (byte) 0xEF;
                out[1] = (byte) 0xBB;
                out[2] = (byte) 0xBF;
                System.arraycopy(in, 0, out, 3, in.length);
                return out;
            }
        }

        record Crlf() implements Mutation {
            public byte[] apply(byte[] in) {
                return new String(in, StandardCharsets.ISO_8859_1).replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            }
        }
    }
}
