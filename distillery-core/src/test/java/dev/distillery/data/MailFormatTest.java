package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** E-mail read as a data set: .eml files, label directories, mbox and maildir, damaged messages counted. */
class MailFormatTest {
    @TempDir
    Path dir;

    private static String mail(String subject, String body) {
        return "From: a@example.com\r\nSubject: " + subject + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
    }

    private Path write(String relative, String content) throws Exception {
        Path f = dir.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void labelDirectoriesOfEmlFilesBecomeALabeledTextDataSet() throws Exception {
        write("mail/spam/1.eml", mail("WIN money", "click here for a free prize"));
        write("mail/spam/2.eml", mail("cheap pills", "order now"));
        write("mail/ham/3.eml", mail("meeting", "see you at ten"));
        write("mail/ham/nested/4.eml", "Just a note without any headers at all.\nSecond line of the body.\n");
        write("mail/loose.eml", mail("no label", "sits at the top"));
        ReadResult r = DataFiles.read(dir.resolve("mail"), OnError.FAIL);
        Dataset d = r.dataset();
        assertThat(d.schema().kind()).isEqualTo(Schema.Kind.TEXT);
        assertThat(d.schema().labels()).containsExactly("ham", "spam");
        assertThat(d.examples()).extracting(Example::id).containsExactly("ham/3.eml", "ham/nested/4.eml", "loose.eml", "spam/1.eml", "spam/2.eml");
        assertThat(d.get(0).text()).contains("meeting", "see you at ten");
        // without headers the whole message is the body; a mail parser alone would have taken it for broken headers
        assertThat(d.get(1).text()).isEqualTo("Just a note without any headers at all.\nSecond line of the body.");
        assertThat(d.get(2).hasLabel()).isFalse();
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void aFolderNamedAsUnlabeledDataHoldsRecordsWithoutALabelNotAClass() throws Exception {
        write("reviews/pos/1.txt", "a wonderful film");
        write("reviews/neg/2.txt", "a boring film");
        write("reviews/unsup/3.txt", "a film I saw");
        write("reviews/unsup/4.txt", "another film I saw");
        ReadResult r = DataFiles.read(dir.resolve("reviews"), OnError.FAIL);
        assertThat(r.dataset().schema().labels()).containsExactly("neg", "pos");
        assertThat(r.dataset().examples().stream().filter(e -> !e.hasLabel()).map(Example::id)).containsExactly("unsup/3.txt",
                "unsup/4.txt");
        assertThat(r.warnings()).singleElement().asString().contains("the 2 files in unsup/ are read without a label");
    }

    @Test
    void filesWithoutAnExtensionAreDocumentsOrMessagesAndOtherFilesAreSaid() throws Exception {
        write("news/sci.space/61542", "From: a@example.com\nSubject: orbits\nLines: 1\n\nThe launch window opens at noon.\n");
        write("news/sci.space/00001.7c53336b37003a9286aba55d2945844c", "Plain words about a rocket, no headers.\n");
        write("news/rec.autos/1.", "Engines and wheels, as Enron's inbox/1. names a message.\n");
        write("news/rec.autos/manual.pdf", "%PDF-1.4 not read");
        ReadResult r = DataFiles.read(dir.resolve("news"), OnError.FAIL);
        assertThat(r.dataset().examples()).extracting(Example::id).containsExactly("rec.autos/1.",
                "sci.space/00001.7c53336b37003a9286aba55d2945844c", "sci.space/61542");
        assertThat(r.dataset().get(2).text()).isEqualTo("orbits\n\nThe launch window opens at noon."); // headers read as mail
        assertThat(r.dataset().get(1).text()).isEqualTo("Plain words about a rocket, no headers.");
        assertThat(r.warnings()).singleElement().asString().contains("1 file passed over as neither mail nor text (rec.autos/manual.pdf)");
    }

    @Test
    void mboxAndMaildirAreReadMessageByMessageAndBrokenBase64IsKeptRawAndCounted() throws Exception {
        String broken = "From: b@example.com\r\nSubject: garbled\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n";
        String good64 = "From: b@example.com\r\nSubject: fine\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString("a proper message body".getBytes(StandardCharsets.UTF_8)) + "\r\n";
        write("box.mbox", "From a@example.com Mon Jan  1 00:00:00 2024\n" + mail("one", "first")
                + "From b@example.com Mon Jan  1 00:00:01 2024\n" + broken + "From c@example.com Mon Jan  1 00:00:02 2024\n" + good64);
        ReadResult box = DataFiles.read(dir.resolve("box.mbox"), OnError.FAIL);
        assertThat(box.dataset().examples()).extracting(Example::id).containsExactly("box.mbox#1", "box.mbox#2", "box.mbox#3");
        assertThat(box.dataset().get(0).text()).isEqualTo("one\n\nfirst");
        assertThat(box.dataset().get(1).text()).contains("garbled", "iVBORw0KGgo"); // raw, not binary garbage
        assertThat(box.dataset().get(2).text()).contains("a proper message body");
        assertThat(box.warnings()).singleElement().asString().contains("1 text parts", "kept raw");

        write("maildir/cur/1700000000.1.host:2,S", mail("read", "already seen"));
        write("maildir/new/1700000001.2.host", mail("unread", "fresh"));
        Files.createDirectories(dir.resolve("maildir/tmp"));
        Files.createDirectories(dir.resolve("not-mail"));
        Files.writeString(dir.resolve("not-mail/data.jsonl"), "{\"text\": \"x\"}\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DataFiles.read(dir.resolve("not-mail"), OnError.FAIL))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("is a directory without e-mail, text files or images"
                        + " in it; it holds the data files data.jsonl: name one");
        ReadResult md = DataFiles.read(dir.resolve("maildir"), OnError.FAIL);
        assertThat(md.dataset().examples()).extracting(Example::id).containsExactly("cur/1700000000.1.host:2,S", "new/1700000001.2.host");
    }

    @Test
    void labelDirectoriesOfTextFilesAreReadAsScikitLearnsLoadFilesReadsThem() throws Exception {
        // the IMDB reviews' layout: train/pos/*.txt, train/neg/*.txt, one review a file
        write("reviews/pos/1_10.txt", "A joy from start to finish.\r\nSee it twice.\n");
        write("reviews/neg/2_1.txt", "\uFEFFDull, and far too long.");
        Files.write(dir.resolve("reviews/neg/3_2.txt"), "Ennuyeux, d\u00e9j\u00e0 vu.".getBytes(java.nio.charset.Charset.forName("windows-1252")));
        Files.write(dir.resolve("reviews/pos/4_9.txt"), "Wonderful cast.".getBytes(StandardCharsets.UTF_16));
        Files.write(dir.resolve("reviews/pos/5_8.txt"), new byte[] {'P', 'K', 3, 4, 0, 0, 0});
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DataFiles.read(dir.resolve("reviews"), OnError.FAIL))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("pos/5_8.txt: not a text file (it holds NUL bytes)");
        ReadResult r = DataFiles.read(dir.resolve("reviews"), OnError.SKIP);
        assertThat(r.skipped()).isEqualTo(1);
        Dataset d = r.dataset();
        assertThat(d.schema().kind()).isEqualTo(Schema.Kind.TEXT);
        assertThat(d.schema().labels()).containsExactly("neg", "pos");
        assertThat(d.examples()).extracting(Example::id).containsExactly("neg/2_1.txt", "neg/3_2.txt", "pos/1_10.txt", "pos/4_9.txt");
        assertThat(d.examples()).extracting(Example::text).containsExactly("Dull, and far too long.", "Ennuyeux, d\u00e9j\u00e0 vu.",
                "A joy from start to finish.\nSee it twice.", "Wonderful cast.");
        assertThat(r.warnings()).singleElement().asString().contains("1 .txt file was not UTF-8 and read as Windows-1252");
        // one .txt file alone may be one document or one text a line: it says how to give either
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DataFiles.read(dir.resolve("reviews/pos/1_10.txt"), OnError.FAIL))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("a text file, read as a document only in a directory")
                .hasMessageContaining("JSON Lines");
    }
}
