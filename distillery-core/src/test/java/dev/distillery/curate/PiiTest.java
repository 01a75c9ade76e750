package dev.distillery.curate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.data.OnError;
import dev.distillery.run.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Personal data and secrets: each kind found, look-alikes kept, and nothing unredacted in any output or report. */
class PiiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String redacted(String text) {
        return dev.distillery.data.PersonalData.redact(text).text();
    }

    @Test
    void secretsAndTokensOfTheWellKnownFormatsAndRandomLookingOnesAreRedacted() {
        assertThat(redacted("key sk-proj-4fG7hJ2kL9mN3pQ8rS1tU6vW0xY5zA2b here")).isEqualTo("key [SECRET] here");
        assertThat(redacted("AKIAIOSFODNN7EXAMPLE")).isEqualTo("[SECRET]");
        assertThat(redacted("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
                .isEqualTo("aws_secret_access_key = [SECRET]");
        assertThat(redacted("token ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5 ok")).isEqualTo("token [SECRET] ok");
        assertThat(redacted("password: hunter2!x")).isEqualTo("password: [SECRET]");
        assertThat(redacted("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----")).isEqualTo("[SECRET]");
        assertThat(redacted("blob Zk9xR2h3TjdQcTRWbTJLc0w4WXQ1Qm4z end")).isEqualTo("blob [SECRET] end");
        assertThat(redacted("PEWvlzY+XwBDVxTlLZkXgyjiOayiDRNT")).isEqualTo("[SECRET]"); // no digit, but base64 and 4.4+ bits
        // look-alikes: a git hash, a UUID, a long camel-case identifier, a file path
        for (String kept : List.of("commit 3f786850e387550fdab836ed7e6dc881de23001b", "id 123e4567-e89b-12d3-a456-426614174000",
                "class AbstractSingletonProxyFactoryBean2020", "XMLHttpRequestEventTargetFactoryProvider",
                "org.apache.commons.lang3.StringUtils", "getUserAccountBalanceForYear2023Q4", "see /usr/share/doc/python3-sklearn/changelog.Debian.gz")) {
            assertThat(redacted(kept)).as(kept).isEqualTo(kept);
        }
    }

    @Test
    void ibansAndNationalIdentifiersAreRedactedOnlyWithAValidChecksum() {
        assertThat(redacted("pay to DE89 3704 0044 0532 0130 00 today")).isEqualTo("pay to [IBAN] today");
        assertThat(redacted("GB82WEST12345698765432")).isEqualTo("[IBAN]");
        // followed by a space and more capitals or digits, as bank letters write the BIC or the bank code after it
        assertThat(redacted("Konto DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX")).isEqualTo("Konto [IBAN] BIC COBADEFFXXX");
        assertThat(redacted("IBAN GB82WEST12345698765432 BIC NWBKGB2L")).isEqualTo("IBAN [IBAN] BIC NWBKGB2L");
        assertThat(redacted("DE89 3704 0044 0532 0130 00 DE89 3704 0044 0532 0130 00")).isEqualTo("[IBAN] [IBAN]");
        assertThat(redacted("GB82WEST12345698765432X")).as("no IBAN ends inside a word").isEqualTo("GB82WEST12345698765432X");
        // a failed checksum keeps the whole reference, not a part of it taken for a card or a phone number
        assertThat(redacted("ref DE13 0735 6475 7051 2046 18 ok")).isEqualTo("ref DE13 0735 6475 7051 2046 18 ok");
        assertThat(redacted("SSN 078-05-1120 on file")).isEqualTo("SSN [NATIONAL_ID] on file");
        assertThat(redacted("ref 000-12-3456")).isEqualTo("ref 000-12-3456"); // never issued
        assertThat(redacted("DNI 12345678Z")).isEqualTo("DNI [NATIONAL_ID]");
        assertThat(redacted("part 12345678A")).isEqualTo("part 12345678A"); // wrong check letter
    }

    @Test
    void aCardNumberRunningOnIntoItsExpiryOrCodeIsRedactedAndAListOfNumbersIsNot() {
        assertThat(redacted("card 4111 1111 1111 1111 05/27 cvv 123")).isEqualTo("card [CARD] 05/27 cvv 123");
        assertThat(redacted("4111111111111111 123")).isEqualTo("[CARD] 123");
        assertThat(redacted("order 12 4111 1111 1111 1111")).isEqualTo("order 12 [CARD]");
        assertThat(redacted("amex 3782 822463 10005 0427")).isEqualTo("amex [CARD] 0427");
        // days of a month and a phone number beside a street number: digit runs, some passing the Luhn check by chance
        String days = "DD 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31";
        assertThat(redacted(days)).isEqualTo(days);
        assertThat(redacted("FREE:1-561-742-5932 9835-16 Lake Worth Rd.")).doesNotContain("[CARD]");
    }

    @Test
    void internationalPhoneNumbersInAnyGroupingAndNotFileNamesAsAddresses() {
        assertThat(redacted("call +49 30 813 49529 now")).isEqualTo("call [PHONE] now");
        assertThat(redacted("or +44 20 7946 0958")).isEqualTo("or [PHONE]");
        // running on into a date or a year: the number is its first groups, at most 15 digits (it was left whole)
        assertThat(redacted("tel +1 415 555 2671 2023-05-01")).isEqualTo("tel [PHONE]-05-01");
        // 16 digits after a +, one in ten passing the Luhn check, grouped as no card is: a phone number, not a card
        assertThat(redacted("Call +49 30 81349529 2024 for details")).isEqualTo("Call [PHONE] 2024 for details");
        assertThat(redacted("+4111 1111 1111 1111")).isEqualTo("+[CARD]"); // grouped as a card is
    }

    @Test
    void nationalNumbersAfterAPhoneWordDialledWith00InFrenchPairsOrAfterATrunkZero() {
        assertThat(redacted("Handy: 0151/12345678")).isEqualTo("Handy: [PHONE]");
        assertThat(redacted("Tel.: 0049 30 81349529")).isEqualTo("Tel.: [PHONE]");
        assertThat(redacted("fon 0 30 - 81 34 95 29")).isEqualTo("fon [PHONE]");
        assertThat(redacted("Cell Telephone No: 234 803 123 4567 or mail")).isEqualTo("Cell Telephone No: [PHONE] or mail");
        // two numbers listed after one word are two numbers, and a column's gap ends one
        assertThat(redacted("Tél : 01 56 77 01 20 / 06 81 57 85 47;")).isEqualTo("Tél : [PHONE] / [PHONE];");
        assertThat(redacted("Tel : 852-24218309      852-24259526")).isEqualTo("Tel : [PHONE]      [PHONE]");
        assertThat(redacted("call 0049 30 81349529 now")).isEqualTo("call [PHONE] now");
        assertThat(redacted("appelez 01 23 45 67 89.")).isEqualTo("appelez [PHONE].");
        assertThat(redacted("mobile 07700 900123")).isEqualTo("mobile [PHONE]");
        assertThat(redacted("ring 07700 900123")).isEqualTo("ring [PHONE]");
        // a list of months, a hex dump, a font size, pH values, a year range: no phone numbers
        for (String kept : List.of("MM 01 02 03 04 05 06 07 08 09 10 11 12", "01 01 00 00 00 00 00 00", "font 12 345 678 90",
                "pH 7.4 7.5 7.6 7.7", "in 2019-2020 and 2021", "order 00123 of 2001")) {
            assertThat(redacted(kept)).as(kept).isEqualTo(kept);
        }
        assertThat(redacted("see icon@2x.png and jo@example.com")).isEqualTo("see icon@2x.png and [EMAIL]");
        assertThat(redacted("version +1.2")).isEqualTo("version +1.2");
    }

    @Test
    void peoplesNamesAndDatesOfBirthInAClinicalNote() {
        assertThat(redacted("Seen by Dr. Kahn today. Patient Anna Maria Kahn, DOB: 1970-03-02, reports knee pain."))
                .isEqualTo("Seen by Dr. [NAME] today. Patient [NAME], DOB: [DATE_OF_BIRTH], reports knee pain.");
        assertThat(redacted("Mrs Jones was born on 3 March 1970; John F. Smith and Jürgen Groß-Weber signed."))
                .isEqualTo("Mrs [NAME] was born on [DATE_OF_BIRTH]; [NAME] and [NAME] signed.");
        assertThat(redacted("Anna O'Brien and Omar McDonald, Prof. MacLeod")).isEqualTo("[NAME] and [NAME], Prof. [NAME]");
        assertThat(redacted("Anna USA Today")).as("a word in capitals is no surname").isEqualTo("Anna USA Today");
        assertThat(dev.distillery.data.PersonalData.redact("Anna Kahn met Ben Ross").counts())
                .containsEntry(dev.distillery.data.PersonalData.Kind.NAME, 2);
        // a given name alone, places and things with capitals, dates that are not birth dates: kept
        for (String kept : List.of("Paul said the knee is better", "San Jose General Hospital", "follow up on 2024-05-01",
                "New York, March 3, 1970", "Take Aspirin Daily")) {
            assertThat(redacted(kept)).as(kept).isEqualTo(kept);
        }
    }

    @Test
    void theNameAnEmailAddressIsWrittenWithIsRedactedWhateverItsGivenName() {
        // Debian changelogs: names the given-name list does not know, each right before its bracketed address
        assertThat(redacted("Thanks to Pino Toscano <pino@example.org> (Closes: #970223)"))
                .isEqualTo("Thanks to [NAME] <[EMAIL]> (Closes: #970223)");
        assertThat(redacted("Reported-by: Helmut Grohne <helmut@example.de>")).isEqualTo("Reported-by: [NAME] <[EMAIL]>");
        assertThat(redacted("From: \"Xinyang Ge\" <xg@example.com>")).isEqualTo("From: \"[NAME]\" <[EMAIL]>");
        assertThat(redacted("cc Johannes Schauer Marin Rodrigues (josch@example.org)")).isEqualTo("cc [NAME] ([EMAIL])");
        assertThat(redacted("by Bjarni I. Gislason  <bg@example.is>")).isEqualTo("by [NAME]  <[EMAIL]>");
        // particles, a nickname in brackets, initials in capitals; after a sign-off's "--" or a header's colon, any words
        assertThat(redacted("-- Marco d'Itri <md@example.it>  Sat, 1 Jan 2022")).isEqualTo("-- [NAME] <[EMAIL]>  Sat, 1 Jan 2022");
        assertThat(redacted("Jeroen van der Kolff <j@example.nl>")).isEqualTo("[NAME] <[EMAIL]>");
        assertThat(redacted("Laszlo Boszormenyi (GCS) <g@example.hu>")).isEqualTo("[NAME] <[EMAIL]>");
        assertThat(redacted("Maintainer: Abhijith PA <a@example.in>")).isEqualTo("Maintainer: [NAME] <[EMAIL]>");
        assertThat(redacted("\n -- gregor herrmann <g@example.at>  Sun, 2 Jan")).isEqualTo("\n -- [NAME] <[EMAIL]>  Sun, 2 Jan");
        assertThat(redacted("To: ann lee <a@example.com>, bob <b@example.com>")).isEqualTo("To: [NAME] <[EMAIL]>, [NAME] <[EMAIL]>");
        // words that introduce a name are no part of it
        assertThat(redacted("Quoting Ronan Waide (rw@example.ie):")).isEqualTo("Quoting [NAME] ([EMAIL]):");
        assertThat(redacted("Thanks Pino Toscano <p@example.org>")).isEqualTo("Thanks [NAME] <[EMAIL]>");
        // a word before a given name the list knows is no part of the name
        assertThat(redacted("Patient Anna Kahn (anna.kahn@example.org) reports")).isEqualTo("Patient [NAME] ([EMAIL]) reports");
        // one capitalized word, or an address written bare after words, names nobody for sure: left to the name rule
        assertThat(redacted("mail Support <help@example.com>")).isEqualTo("mail Support <[EMAIL]>");
        assertThat(redacted("Write To help@example.com")).isEqualTo("Write To [EMAIL]");
        assertThat(dev.distillery.data.PersonalData.redact("Pino Toscano <p@example.org>, Kjell Lund <k@example.org>").counts())
                .containsEntry(dev.distillery.data.PersonalData.Kind.NAME, 2);
    }

    @Test
    void whomAGreetingAddressesAndWhoSignsAfterAClosingAreNames() {
        assertThat(redacted("Dear Helmut Grohne,\nyour parcel is late.")).isEqualTo("Dear [NAME],\nyour parcel is late.");
        assertThat(redacted("Hi Xinyang! Thanks for the report")).isEqualTo("Hi [NAME]! Thanks for the report");
        assertThat(redacted("Sehr geehrter Herr Grohne,\nanbei")).isEqualTo("Sehr geehrter Herr [NAME],\nanbei");
        assertThat(redacted("The fix is in.\n\nBest regards,\nBjarni I. Gislason\nACME Support"))
                .isEqualTo("The fix is in.\n\nBest regards,\n[NAME]\nACME Support");
        assertThat(redacted("Mit freundlichen Grüßen\r\nHelmut Grohne\r\n")).isEqualTo("Mit freundlichen Grüßen\r\n[NAME]\r\n");
        assertThat(redacted("Cheers,\nPino")).isEqualTo("Cheers,\n[NAME]");
        assertThat(redacted("Best\nRegards\nPino")).isEqualTo("Best\nRegards\n[NAME]"); // the closing's second line is no name
        // greetings to no one in particular, and words after a greeting or a closing that are no name line, are kept
        assertThat(redacted("Thanks.\nBest Regards\nPino")).isEqualTo("Thanks.\nBest Regards\n[NAME]");
        for (String kept : List.of("Dear Customer,\nyour order", "Hi Team!", "Hello World", "Dear Sir or Madam,",
                "Dear GlobalSCAPE Customer,", "Dear Internet Marketers,", "Dear Homeowner,",
                "Thanks,\nthe support team", "Best regards,\nACME GmbH", "Thanks for the quick fix\nPino reported it")) {
            assertThat(redacted(kept)).as(kept).isEqualTo(kept);
        }
    }

    @Test
    void aVulnerabilityOrAdvisoryNumberIsNoPhoneNumber() {
        for (String kept : List.of("CVE-2026-760241: Memory corruption", "fixes CVE-2024-1234567.", "DSA-5678-123456 and INC-2024-555123")) {
            assertThat(redacted(kept)).as(kept).isEqualTo(kept);
        }
        assertThat(redacted("Tel 2026-760-241")).isEqualTo("Tel [PHONE]"); // the same digits after a word are still a number
    }

    @Test
    void everyTextFieldIsRedactedUnlessTheFieldsOptionNamesFewer() {
        ObjectNode record = JSON.createObjectNode().put("id", "r1").put("text", "hi").put("author_email", "jo@example.com");
        record.putObject("meta").putArray("cc").add("ann@example.org");
        assertThat(new PiiRedactor().rewriteFields(record)).containsEntry("email redacted", 2L);
        assertThat(record.get("author_email").asText()).isEqualTo("[EMAIL]");
        assertThat(record.at("/meta/cc/0").asText()).isEqualTo("[EMAIL]");

        ObjectNode other = JSON.createObjectNode().put("a", "x@y.com").put("b", "z@y.com");
        new PiiRedactor(List.of("a")).rewriteFields(other);
        assertThat(other.get("a").asText()).isEqualTo("[EMAIL]");
        assertThat(other.get("b").asText()).isEqualTo("z@y.com");
    }

    @Test
    void noOutputOrReportOfCurateHoldsPersonalDataWhicheverStepRemovedTheRecord() throws Exception {
        String secret = "card 4111 1111 1111 1111 and mail jo.doe@example.com";
        StringBuilder lines = new StringBuilder();
        String body = "Please review the quarterly figures before the meeting on Tuesday, " + secret + ", thanks a lot.";
        lines.append(JSON.createObjectNode().put("id", "a").put("text", body).put("author_email", "boss@example.com")).append('\n');
        lines.append(JSON.createObjectNode().put("id", "b").put("text", body)).append('\n'); // exact duplicate: removed before pii
        lines.append(JSON.createObjectNode().put("id", "c").put("text", "short " + secret)).append('\n'); // too short: removed
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, lines.toString());
        Path out = dir.resolve("out.jsonl");
        CurateJob.Outcome o = new CurateJob(new RunStore(dir.resolve("runs")), null)
                .run(in, "text", out, CurateConfig.defaults(null), OnError.FAIL, null, List.of());
        List<Path> written = new java.util.ArrayList<>(List.of(out));
        try (var files = Files.walk(o.run().dir())) {
            files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".png")).forEach(written::add);
        }
        assertThat(written).anyMatch(f -> f.endsWith("summary.md")).anyMatch(f -> f.endsWith("results.json"));
        for (Path f : written) {
            String content = Files.readString(f);
            // The card as written or with its spaces taken out; not "4111" alone, which the random digits of the
            // test's temporary directory, named in results.json, held once.
            assertThat(content).as(f.toString()).doesNotContain("example.com", "4111 1111", "4111111111111111");
        }
        String summary = Files.readString(o.run().dir().resolve("summary.md"));
        assertThat(summary).contains("[EMAIL]", "[CARD]"); // the samples are there, redacted
        JsonNode kept = JSON.readTree(Files.readAllLines(out).get(0));
        assertThat(kept.get("author_email").asText()).isEqualTo("[EMAIL]");
    }
}
