package dev.distillery.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The lines of a UTF-8 text file as every reader of the project sees them: a byte-order mark at the start is dropped,
 * lines end at LF with an optional CR before it (Unix and Windows files read the same), and each line is decoded on
 * its own, strictly, so that a line of invalid UTF-8 is reported with its number and the byte where decoding failed
 * and the lines after it still read (Java's readers stop the whole file at the first bad byte, with no line number).
 * A file that begins with a UTF-16 byte-order mark (Excel's "Unicode Text", PowerShell's {@code Out-File}, many
 * Windows exports) is read as the UTF-16 it says it is, re-encoded to UTF-8 on the way in: the mark makes it no guess.
 */
public final class Utf8Lines implements Closeable {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** One line: its 1-based number and either its text or, when it is not valid UTF-8, the problem. */
    public record Line(int number, String text, String problem) {
        public boolean valid() {
            return problem == null;
        }
    }

    private final InputStream in;
    private final CharsetDecoder decoder = newDecoder();
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkEnd;
    private byte[] buffer = new byte[8192];
    private int number;
    private boolean done;

    private Utf8Lines(InputStream in) {
        this.in = in;
    }

    /** Opens {@code file} (gzip-compressed or not); a missing file or a directory is bad input, named. */
    public static Utf8Lines open(Path file) {
        if (Files.isDirectory(file)) {
            throw new DataFormatException(file.toString(), "is a directory", "a text file");
        }
        try {
            return of(bytes(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw DataFormatException.notFound(file, "an existing text file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new DataFormatException(file.toString(), "is not readable (permissions)", "a readable text file");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /**
     * The bytes of {@code file}, decompressed if it is gzip-compressed (by its first two bytes, whatever its name: a
     * {@code data.csv.gz} from pandas' to_csv, a Spark job's {@code part-00000.json.gz}).
     */
    public static InputStream bytes(Path file) throws IOException {
        java.io.PushbackInputStream in = new java.io.PushbackInputStream(Files.newInputStream(file), 2);
        return startsWith(in, 0x1F, 0x8B) ? new Gunzipped(file, new java.util.zip.GZIPInputStream(in, 1 << 16)) : in;
    }

    /** A gzip file's content; damaged or cut-short compressed data is bad input naming the file, not a failure. */
    private static final class Gunzipped extends java.io.FilterInputStream {
        private final Path file;

        Gunzipped(Path file, InputStream in) {
            super(in);
            this.file = file;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (java.io.EOFException | java.util.zip.ZipException e) {
                throw damaged(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (java.io.EOFException | java.util.zip.ZipException e) {
                throw damaged(e);
            }
        }

        private DataFormatException damaged(IOException e) {
            return new DataFormatException(file.toString(), "its gzip-compressed data is damaged or cut short (" + e.getMessage()
                    + ")", "a whole .gz file: compress it again, or give the uncompressed file");
        }
    }

    /** Whether {@code in}'s next two bytes are {@code first} and {@code second}; they are pushed back either way. */
    private static boolean startsWith(java.io.PushbackInputStream in, int first, int second) throws IOException {
        byte[] mark = in.readNBytes(2);
        in.unread(mark);
        return mark.length == 2 && (mark[0] & 0xFF) == first && (mark[1] & 0xFF) == second;
    }

    public static Utf8Lines of(InputStream in) {
        try {
            // two bytes looked at and pushed back: no second buffer in front of the reader's own chunks
            java.io.PushbackInputStream start = new java.io.PushbackInputStream(in, 2);
            boolean utf16 = startsWith(start, 0xFF, 0xFE) || startsWith(start, 0xFE, 0xFF);
            return new Utf8Lines(utf16 ? new Utf16AsUtf8(start) : start);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A UTF-16 stream with its byte-order mark as UTF-8 bytes (the mark dropped by the decoder); an unpaired surrogate
     * becomes U+FFFD, which no reader takes for a delimiter.
     */
    private static final class Utf16AsUtf8 extends InputStream {
        private final java.io.Reader chars;
        private final java.nio.charset.CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final CharBuffer pending = CharBuffer.allocate(8192);
        private final ByteBuffer out = ByteBuffer.allocate(4 * 8192);
        private boolean end;

        Utf16AsUtf8(InputStream in) {
            this.chars = new java.io.InputStreamReader(in, StandardCharsets.UTF_16);
            out.flip();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (!out.hasRemaining()) {
                if (end) {
                    return -1;
                }
                int n = chars.read(pending);
                end = n < 0;
                pending.flip();
                out.clear();
                encoder.encode(pending, out, end);
                pending.compact();
                out.flip();
            }
            int n = Math.min(len, out.remaining());
            out.get(b, off, n);
            return n;
        }

        @Override
        public void close() throws IOException {
            chars.close();
        }
    }

    /**
     * Every line of a small file read whole (an annotators' answers, a corrections list), as {@link #next} reads them;
     * the first line that is not valid UTF-8 is bad input, named by file and line.
     */
    public static List<String> readAll(Path file) {
        List<String> out = new java.util.ArrayList<>();
        try (Utf8Lines lines = open(file)) {
            for (Line line = lines.next(); line != null; line = lines.next()) {
                if (!line.valid()) {
                    throw new DataFormatException(file + ":line " + line.number(), line.problem(), "UTF-8 text");
                }
                out.add(line.text());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return out;
    }

    /** The next line, or null at the end of the file. */
    public Line next() throws IOException {
        int length = 0;
        while (true) {
            if (chunkPos == chunkEnd) {
                chunkEnd = done ? -1 : in.read(chunk);
                chunkPos = 0;
                if (chunkEnd <= 0) {
                    done = true;
                    chunkEnd = 0;
                    if (length == 0) {
                        return null; // the file ended with a line break (or is empty)
                    }
                    break;
                }
            }
            int newline = -1;
            for (int i = chunkPos; i < chunkEnd; i++) {
                if (chunk[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int stop = newline < 0 ? chunkEnd : newline;
            int count = stop - chunkPos;
            if (length + count > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(2 * buffer.length, length + count));
            }
            System.arraycopy(chunk, chunkPos, buffer, length, count);
            length += count;
            chunkPos = newline < 0 ? chunkEnd : newline + 1;
            if (newline >= 0) {
                break;
            }
        }
        number++;
        int start = 0;
        if (number == 1 && length >= 3 && Arrays.equals(buffer, 0, 3, BOM, 0, 3)) {
            start = 3;
        }
        if (length > start && buffer[length - 1] == '\r') {
            length--;
        }
        return decode(start, length);
    }

    /**
     * One line's bytes (without its line break) decoded as {@link #next} decodes them, for readers that split lines
     * themselves (Spark's): a byte-order mark on line 1 and a trailing CR are dropped.
     */
    public static Line decode(byte[] line, int length, int number) {
        if (number == 1 && length >= 2 && ((line[0] & 0xFF) == 0xFF && (line[1] & 0xFF) == 0xFE
                || (line[0] & 0xFF) == 0xFE && (line[1] & 0xFF) == 0xFF)) {
            return new Line(number, null, "the file is UTF-16, which is read only on one machine: convert it"
                    + " (iconv -f utf-16 -t utf-8)");
        }
        int start = number == 1 && length >= 3 && Arrays.equals(line, 0, 3, BOM, 0, 3) ? 3 : 0;
        int end = length > start && line[length - 1] == '\r' ? length - 1 : length;
        return decode(newDecoder(), line, start, end, number);
    }

    private static CharsetDecoder newDecoder() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private Line decode(int start, int end) {
        return decode(decoder, buffer, start, end, number);
    }

    private static Line decode(CharsetDecoder decoder, byte[] buffer, int start, int end, int number) {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, start, end - start);
        CharBuffer chars = CharBuffer.allocate(end - start);
        decoder.reset();
        CoderResult result = decoder.decode(bytes, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            int at = bytes.position();
            return new Line(number, null, at < end
                    ? String.format("invalid UTF-8 at byte %d of the line (0x%02X)", at - start + 1, buffer[at] & 0xFF)
                            + legacyHint(buffer[at])
                    : "invalid UTF-8: the line ends inside a multi-byte character");
        }
        chars.flip();
        return new Line(number, chars.toString(), null);
    }

    /**
     * Where the byte is a letter in Windows-1252 (0xFC 'ü', 0xE9 'é'), the encoding spreadsheets in Western Europe save CSV
     * in: what it would be and how to convert the file, since reading it as that would be a guess.
     */
    private static String legacyHint(byte b) {
        String c = new String(new byte[] {b}, java.nio.charset.Charset.forName("windows-1252"));
        return (b & 0xFF) >= 0xC0 && Character.isLetter(c.codePointAt(0))
                ? "; it is '" + c + "' in Windows-1252: if the file was saved so, convert it (iconv -f windows-1252 -t utf-8)"
                : "";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
