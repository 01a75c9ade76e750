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

/**
 * The lines of a UTF-8 text file as every reader of the project sees them: a byte-order mark at the start is dropped,
 * lines end at LF with an optional CR before it (Unix and Windows files read the same), and each line is decoded on
 * its own, strictly, so that a line of invalid UTF-8 is reported with its number and the byte where decoding failed
 * and the lines after it still read (Java's readers stop the whole file at the first bad byte, with no line number).
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

    /** Opens {@code file}; a missing file or a directory is bad input, named. */
    public static Utf8Lines open(Path file) {
        if (Files.isDirectory(file)) {
            throw new DataFormatException(file.toString(), "is a directory", "a text file");
        }
        try {
            return new Utf8Lines(Files.newInputStream(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataFormatException(file.toString(), "file not found", "an existing text file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new DataFormatException(file.toString(), "is not readable (permissions)", "a readable text file");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    public static Utf8Lines of(InputStream in) {
        return new Utf8Lines(in);
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
