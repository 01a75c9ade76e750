package dev.distillery.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's defenses, checked over plain HTTP: tokens, the Host check, cross-site forms, paths outside the home. */
class DashboardSafetyTest {
    @TempDir
    Path home;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(UiServer s, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + s.port() + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(UiServer s, String path, String form, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + s.port() + path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status of GET / sent with {@code host} in the Host header (which the JDK's client will not set). */
    private static int statusWithHost(UiServer s, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.port())) {
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void anotherAddressNeedsATokenAndATokenIsAskedForOnceThenKeptInACookie() throws Exception {
        assertThatThrownBy(() -> UiServer.start(UiFixture.write(home), new UiServer.Settings("0.0.0.0", 0, null)))
                .hasMessageContaining("needs a token");
        try (UiServer s = UiServer.start(UiFixture.write(home), new UiServer.Settings("127.0.0.1", 0, "s3cret"))) {
            assertThat(get(s, "/").statusCode()).isEqualTo(401);
            assertThat(get(s, "/?token=wrong").statusCode()).isEqualTo(401);
            HttpResponse<String> ok = get(s, "/?token=s3cret");
            assertThat(ok.statusCode()).isEqualTo(200);
            String cookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
            assertThat(get(s, "/recipes", "Cookie", cookie.split(";")[0]).statusCode()).isEqualTo(200);
            assertThat(get(s, "/recipes", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void requestsForAnotherHostNameFormsFromElsewhereAndPathsOutsideTheHomeAreRefused() throws Exception {
        try (UiServer s = UiServer.start(UiFixture.write(home), new UiServer.Settings("127.0.0.1", 0, null))) {
            assertThat(statusWithHost(s, "attacker.example")).as("DNS rebinding").isEqualTo(403);
            assertThat(statusWithHost(s, "localhost:" + s.port())).isEqualTo(200);
            String page = get(s, "/projects/demo").body();
            Matcher m = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"").matcher(page);
            assertThat(m.find()).isTrue();
            String form = "csrf=" + m.group(1) + "&id_0=m1&label_0=spam";
            Path answers = home.resolve("projects/demo/batch-001-answers.jsonl");
            assertThat(post(s, "/projects/demo", "id_0=m1&label_0=spam").statusCode()).as("no form secret").isEqualTo(403);
            assertThat(post(s, "/projects/demo", form, "Origin", "http://attacker.example").statusCode()).as("cross-site").isEqualTo(403);
            assertThat(answers).doesNotExist();
            assertThat(post(s, "/projects/demo", form, "Origin", "http://localhost:" + s.port()).statusCode()).isEqualTo(303);
            assertThat(answers).exists();
            assertThat(post(s, "/projects/demo", "csrf=" + m.group(1) + "&id_0=m1&label_0=eggs").statusCode()).as("unknown label").isEqualTo(400);

            Files.writeString(home.resolve("outside.txt"), "secret");
            for (String path : new String[] {"/runs/" + UiFixture.TRAIN_A + "/files/..%2F..%2Foutside.txt", "/runs/..%2Foutside.txt",
                    "/runs/" + UiFixture.TRAIN_A + "/files/../../outside.txt", "/projects/..%2F..", "/recipes/..%2Fruns"}) {
                HttpResponse<String> r = get(s, path);
                assertThat(r.statusCode()).as(path).isIn(400, 404);
                assertThat(r.body()).doesNotContain("secret");
            }
            assertThat(get(s, "/runs/" + UiFixture.TRAIN_A + "/files/metrics.jsonl").body()).contains("val_accuracy");
        }
    }
}
