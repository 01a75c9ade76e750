package dev.distillery.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * E-mail as a text data set, read through {@link EmailText} (the parser the SpamAssassin corpus goes through):
 * <ul>
 * <li>a {@code .eml} file: one message;</li>
 * <li>an mbox file ({@code .mbox}): one message per "From " separator line;</li>
 * <li>a maildir (a directory with {@code cur} or {@code new}): every file in {@code cur} and {@code new};</li>
 * <li>any other directory: every {@code .eml} file, maildir and mbox under it, labeled by the name of the subdirectory
 * of {@code dir} they are in ({@code mail/spam/1.eml} is "spam"; files directly in {@code dir} have no label), and
 * every {@code .txt} file under it the same way, one document each, as scikit-learn's {@code load_files} reads a
 * folder and the IMDB reviews ({@code train/pos/1_10.txt}) and 20 Newsgroups are laid out: UTF-8 (a byte-order mark
 * dropped, UTF-16 by its mark), else Windows-1252, counted in the warnings.</li>
 * </ul>
 * Ids are the path relative to what was read ({@code spam/1.eml}, {@code box.mbox#3}). A message that cannot be parsed
 * is a bad record (skipped and counted under {@code --on-error skip}); a text part whose encoding is broken is kept
 * raw and counted in the warnings.
 */
public final class MailFormat {
    private MailFormat() {}

    /** Whether {@code file} is something this reader reads: a .eml or .mbox file, or a directory. */
    static boolean handles(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isDirectory(file) || name.endsWith(".eml") || name.endsWith(".mbox");
    }

    public static ReadResult read(Path path, OnError onError) {
        RecordCollector collector = new RecordCollector(path.toString(), onError);
        int[] undecodable = {0, 0}; // text parts of messages that did not decode; .txt files read as Windows-1252
        List<String> warnings = new ArrayList<>();
        try {
            if (Files.isDirectory(path)) {
                readDirectory(path, collector, undecodable, warnings);
            } else {
                readFile(path, path.getFileName().toString(), null, collector, undecodable, warnings);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path, e);
        }
        if (Files.isDirectory(path) && collector.examples().isEmpty() && collector.skipped() == 0) {
            // A directory `data split` wrote (train.jsonl, test.jsonl) is a likely slip: name its data files.
            List<String> dataFiles = dataFilesIn(path);
            throw new DataFormatException(path.toString(), "is a directory without e-mail, text files or images in it"
                    + (dataFiles.isEmpty() ? "" : "; it holds the data files " + dev.distillery.util.Listing.firstOf(dataFiles, 5, ", ")
                    + ": name one"), "a data file (.jsonl, .csv, .arff, IDX), or a directory of .eml, .mbox or .txt files or"
                    + " images, in subdirectories named by their labels, or a maildir");
        }
        if (Files.isDirectory(path)) {
            List<String> others = passedOver(path);
            if (!others.isEmpty()) {
                warnings.add(String.format("%s: %,d file%s passed over as neither mail nor text (%s)", path, others.size(),
                        others.size() == 1 ? "" : "s", dev.distillery.util.Listing.firstOf(others, 3, ", ")));
            }
        }
        if (undecodable[0] > 0) {
            warnings.add(0, String.format("%s: %,d text parts of %,d messages did not decode (broken base64) and were kept raw",
                    path, undecodable[0], collector.examples().size()));
        }
        if (undecodable[1] > 0) {
            warnings.add(0, String.format("%s: %,d .txt file%s not UTF-8 and read as Windows-1252 (Western European)", path,
                    undecodable[1], undecodable[1] == 1 ? " was" : "s were"));
        }
        ReadResult r = collector.finish(null);
        return new ReadResult(r.dataset(), r.skipped(), r.skipReasons(), warnings);
    }

    /** The names of the data files (JSON Lines, CSV, IDX) directly in {@code dir}, sorted. */
    private static List<String> dataFilesIn(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> DataFiles.isJsonLines(f) || DataFiles.isCsv(f)
                    || DataFiles.isIdx(f.getFileName().toString())).map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void readDirectory(Path dir, RecordCollector collector, int[] undecodable, List<String> warnings) throws IOException {
        if (isMaildir(dir)) {
            readMaildir(dir, "", null, collector, undecodable, warnings);
            return;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (name.startsWith(".")) {
                continue;
            }
            if (Files.isDirectory(entry)) {
                String label = LabelText.ofFolder(name);
                int before = collector.examples().size();
                readLabeled(entry, name + "/", label, collector, undecodable, warnings);
                if (label == null) {
                    warnings.add(LabelText.unlabeledFolderNote(dir.toString(), name, collector.examples().size() - before));
                }
            } else if (isMailOrText(entry)) {
                readFile(entry, name, null, collector, undecodable, warnings);
            }
        }
    }

    /** Everything under {@code dir}, with {@code label}. */
    private static void readLabeled(Path dir, String prefix, String label, RecordCollector collector, int[] undecodable,
            List<String> warnings) throws IOException {
        if (isMaildir(dir)) {
            readMaildir(dir, prefix, label, collector, undecodable, warnings);
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(MailFormat::isMailOrText).sorted().toList();
        }
        for (Path f : files) {
            readFile(f, prefix + dir.relativize(f), label, collector, undecodable, warnings);
        }
    }

    private static void readMaildir(Path dir, String prefix, String label, RecordCollector collector, int[] undecodable,
            List<String> warnings) throws IOException {
        for (String sub : List.of("cur", "new")) {
            Path part = dir.resolve(sub);
            if (!Files.isDirectory(part)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(part)) {
                files = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
            }
            for (Path f : files) {
                message(Files.readAllBytes(f), prefix + sub + "/" + f.getFileName(), label, f.toString(), collector, undecodable);
            }
        }
    }

    private static void readFile(Path file, String id, String label, RecordCollector collector, int[] undecodable,
            List<String> warnings) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".txt") || hasNoExtension(name) && !looksLikeMail(raw)) {
            document(raw, id, label, file.toString(), collector, undecodable);
        } else if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mbox")) {
            List<byte[]> messages = splitMbox(raw);
            for (int i = 0; i < messages.size(); i++) {
                message(messages.get(i), id + "#" + (i + 1), label, file.toString(), collector, undecodable);
            }
        } else {
            message(raw, id, label, file.toString(), collector, undecodable);
        }
    }

    private static void message(byte[] raw, String id, String label, String source, RecordCollector collector, int[] undecodable) {
        try {
            EmailText.Parsed parsed = EmailText.parse(raw);
            undecodable[0] += parsed.undecodableParts();
            collector.add(Example.text(id, parsed.text(), label, source));
        } catch (IOException | RuntimeException e) {
            collector.bad(id, "not a readable e-mail message: " + e.getMessage(), "an RFC 5322 message");
        }
    }

    /**
     * A .txt file as one document: UTF-8 (its byte-order mark dropped), UTF-16 where its mark says so, else Windows-1252
     * (counted in {@code undecodable[1]}); line ends as \n. A file with NUL bytes in it is no text: a bad record.
     */
    private static void document(byte[] raw, String id, String label, String source, RecordCollector collector, int[] undecodable) {
        String text;
        if (raw.length >= 2 && (raw[0] == (byte) 0xFF && raw[1] == (byte) 0xFE || raw[0] == (byte) 0xFE && raw[1] == (byte) 0xFF)) {
            text = new String(raw, java.nio.charset.StandardCharsets.UTF_16); // the mark says which byte order
        } else {
            int from = raw.length >= 3 && raw[0] == (byte) 0xEF && raw[1] == (byte) 0xBB && raw[2] == (byte) 0xBF ? 3 : 0;
            for (int i = from; i < raw.length; i++) {
                if (raw[i] == 0) {
                    collector.bad(id, "not a text file (it holds NUL bytes)", "a plain text file, UTF-8 or Windows-1252");
                    return;
                }
            }
            text = EmailText.strictUtf8(raw, from); // as a message without a declared charset is read
            if (text == null) {
                text = new String(raw, from, raw.length - from, EmailText.charsetOf(null));
                undecodable[1]++;
            }
        }
        collector.add(Example.text(id, text.replace("\r\n", "\n").strip(), label, source));
    }

    /** The messages of an mbox: each starts at a line beginning "From " (at the start of the file or after a line break). */
    static List<byte[]> splitMbox(byte[] raw) {
        List<byte[]> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < raw.length; i++) {
            boolean lineStart = i == 0 || raw[i - 1] == '\n';
            if (lineStart && i + 5 <= raw.length && raw[i] == 'F' && raw[i + 1] == 'r' && raw[i + 2] == 'o' && raw[i + 3] == 'm'
                    && raw[i + 4] == ' ') {
                if (start >= 0) {
                    out.add(java.util.Arrays.copyOfRange(raw, start, i));
                }
                start = i;
            }
        }
        if (start >= 0) {
            out.add(java.util.Arrays.copyOfRange(raw, start, raw.length));
        } else if (raw.length > 0) {
            out.add(raw); // no separator: a single message
        }
        return out;
    }

    /**
     * The files under {@code dir} this reader does not read (a .pdf or .docx among the documents), by their path in it;
     * hidden files, the systems' own (Thumbs.db, desktop.ini) and a maildir's contents, all read, not among them.
     */
    private static List<String> passedOver(Path dir) {
        if (isMaildir(dir)) {
            return List.of();
        }
        List<String> others = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.sorted().toList()) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || ImageFolderFormat.SYSTEM_FILES.contains(name.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                if (Files.isDirectory(entry)) {
                    passedOver(entry).forEach(n -> others.add(name + "/" + n));
                } else if (Files.isRegularFile(entry) && !isMailOrText(entry)) {
                    others.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + dir, e);
        }
        return others;
    }

    private static boolean isMaildir(Path dir) {
        return Files.isDirectory(dir.resolve("cur")) || Files.isDirectory(dir.resolve("new"));
    }

    /**
     * A file this reader reads in a directory: an e-mail message, an mbox, a text document, or a file without an
     * extension, which holds either (20 Newsgroups' {@code sci.space/61542}, SpamAssassin's
     * {@code 00001.7c53336b37003a9286aba55d2945844c}, Enron's {@code inbox/1.}).
     */
    private static boolean isMailOrText(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".eml") || name.endsWith(".mbox") || name.endsWith(".txt") || hasNoExtension(name);
    }

    /**
     * Whether {@code name} has no extension: no dot after its first character, or after its last dot nothing, or
     * something no extension looks like (an extension is a letter and up to four letters or digits; a number or a hash
     * is none).
     */
    private static boolean hasNoExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot <= 0 || !name.substring(dot + 1).matches("[a-z][a-z0-9]{0,4}");
    }

    /** Whether {@code raw} begins as an e-mail message does: a header line ("From: ...", "Return-Path: ...") or mbox's "From ". */
    private static boolean looksLikeMail(byte[] raw) {
        String start = new String(raw, 0, Math.min(raw.length, 200), java.nio.charset.StandardCharsets.ISO_8859_1);
        return start.matches("(?s)(From |[A-Za-z][A-Za-z0-9-]*: ).*");
    }
}
