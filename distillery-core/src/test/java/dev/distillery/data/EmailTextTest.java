package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EmailTextTest {
    private static String extract(String raw) throws Exception {
        return EmailText.extract(raw.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void keepsSubjectAndPlainBodyAndSkipsMboxSeparator() throws Exception {
        String text = extract("From someone@example.com  Thu Aug 22 12:36:23 2002\nSubject: Hello there\n"
                + "From: a@b.c\n\nThe body.\n");
        assertThat(text).isEqualTo("Hello there\n\nThe body.");
    }

    @Test
    void decodesQuotedPrintableWithCharset() throws Exception {
        String text = extract("Subject: =?ISO-8859-1?Q?Caf=E9?=\nMIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
                + "Cr=E8me br=FBl=E9e, soft=\nbreak\n");
        assertThat(text).startsWith("Café").contains("Crème brûlée, softbreak");
    }

    @Test
    void decodesBase64Utf8() throws Exception {
        String body = java.util.Base64.getMimeEncoder().encodeToString("Grüße aus Köln".getBytes(StandardCharsets.UTF_8));
        String text = extract("Subject: b64\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                + body + "\n");
        assertThat(text).contains("Grüße aus Köln");
    }

    @Test
    void turnsHtmlIntoVisibleTextAndKeepsOneAlternative() throws Exception {
        String text = extract("Subject: offer\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"XX\"\n\n"
                + "--XX\nContent-Type: text/plain\n\nBuy cheap pills\n"
                + "--XX\nContent-Type: text/html\n\n<html><body><p>Buy <b>cheap</b> pills</p><script>x()</script></body></html>\n"
                + "--XX--\n");
        assertThat(text).contains("Buy cheap pills").doesNotContain("<b>").doesNotContain("<p>");
        assertThat(text.indexOf("Buy cheap pills")).isEqualTo(text.lastIndexOf("Buy cheap pills"));
    }

    @Test
    void leavesOutBinaryAttachments() throws Exception {
        String text = extract("Subject: report\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n"
                + "--B\nContent-Type: text/plain\n\nSee attached.\n"
                + "--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=r.pdf\n"
                + "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B--\n");
        assertThat(text).contains("See attached.").doesNotContain("JVBER");
    }

    @Test
    void unknownCharsetFallsBackInsteadOfFailing() throws Exception {
        String text = extract("Subject: x\nContent-Type: text/plain; charset=\"x-unknown-42\"\n\nplain words\n");
        assertThat(text).contains("plain words");
    }
}
