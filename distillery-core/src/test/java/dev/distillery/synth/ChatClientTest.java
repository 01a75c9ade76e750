package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatClientTest {
    /** A scripted reply: status, body, and a delay before answering. */
    record Reply(int status, String body, long delayMillis) {}

    static String ok(String content) {
        return "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\"}}]}";
    }

    HttpServer server;
    final Deque<Reply> script = new ArrayDeque<>();
    final List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> auth = new java.util.concurrent.CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/v1/chat/completions", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            auth.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            Reply r;
            synchronized (script) {
                r = script.isEmpty() ? new Reply(500, "script exhausted", 0) : script.poll();
            }
            try {
                Thread.sleep(r.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            try {
                exchange.sendResponseHeaders(r.status(), out.length);
                exchange.getResponseBody().write(out);
            } catch (IOException e) {
                // the client gave up (timeout): nothing to answer
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    ChatClient.Settings settings() {
        return new ChatClient.Settings(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "tiny", "secret",
                Duration.ofSeconds(5), 2, Duration.ofMillis(10), 1000, null);
    }

    static final List<ChatClient.Message> ASK = List.of(ChatClient.Message.system("You write e-mails."), ChatClient.Message.user("One, please."));

    @Test
    void sendsTheChatRequestAndReturnsTheFirstChoice() {
        script.add(new Reply(200, ok("Dear Sir"), 0));
        String answer = new ChatClient(settings()).complete(ASK, 0.7, 64);
        assertThat(answer).isEqualTo("Dear Sir");
        assertThat(bodies).singleElement().satisfies(b -> assertThat(b).contains("\"model\":\"tiny\"").contains("\"role\":\"system\"")
                .contains("\"content\":\"One, please.\"").contains("\"max_tokens\":64"));
        assertThat(auth).containsExactly("Bearer secret");
    }

    @Test
    void theChatGeneratorFillsThePromptWithAClassAndOneOfItsExamples() {
        script.add(new Reply(200, ok("  Cheap pills, order now  "), 0));
        script.add(new Reply(200, ok("Lunch on Friday?"), 0));
        ChatGenerator g = new ChatGenerator(new ChatClient(settings()), new PromptTemplate("Write a {label} like: {example}"),
                List.of("ham", "spam"), 0.9, 128);
        List<Candidate<String>> out = g.generate(List.of("see you at the meeting", "win a prize today"), new int[] {0, 1}, 2,
                new java.util.Random(1));
        assertThat(out).extracting(Candidate::example).containsExactly("Cheap pills, order now", "Lunch on Friday?");
        assertThat(out).allSatisfy(c -> assertThat(c.generator()).isEqualTo("chat"));
        for (int i = 0; i < 2; i++) {
            String expected = out.get(i).label() == 0 ? "Write a ham like: see you at the meeting" : "Write a spam like: win a prize today";
            assertThat(bodies.get(i)).contains(expected);
        }
        assertThatThrownBy(() -> new ChatGenerator(new ChatClient(settings()), new PromptTemplate("{lable}: {example}"), List.of("a"), 0, 8))
                .hasMessageContaining("{lable}");
    }

    @Test
    void retriesServerErrorsAndRateLimitsThenSucceeds() {
        script.add(new Reply(503, "busy", 0));
        script.add(new Reply(429, "slow down", 0));
        script.add(new Reply(200, ok("third time"), 0));
        ChatClient client = new ChatClient(settings());
        assertThat(client.complete(ASK, 0, 16)).isEqualTo("third time");
        assertThat(client.requestsSent()).isEqualTo(3);
    }

    @Test
    void clientErrorsFailAtOnceWithTheStatusAndBody() {
        script.add(new Reply(400, "{\"error\":\"unknown model tiny\"}", 0));
        ChatClient client = new ChatClient(settings());
        assertThatThrownBy(() -> client.complete(ASK, 0, 16)).isInstanceOf(ChatClient.ChatException.class)
                .hasMessageContaining("HTTP 400").hasMessageContaining("unknown model tiny")
                .satisfies(e -> assertThat(((ChatClient.ChatException) e).status()).isEqualTo(400));
        assertThat(client.requestsSent()).isEqualTo(1);
    }

    @Test
    void aServerThatNeverAnswersTimesOutAndGivesUpAfterTheRetries() {
        script.add(new Reply(200, ok("late"), 3000));
        script.add(new Reply(200, ok("late"), 3000));
        ChatClient client = new ChatClient(settings().withTimeout(Duration.ofMillis(200)).withRetries(1, Duration.ofMillis(10)));
        assertThatThrownBy(() -> client.complete(ASK, 0, 16)).isInstanceOf(ChatClient.ChatException.class)
                .hasMessageContaining("no answer within 200 ms").hasMessageContaining("gave up after 2 attempts");
        assertThat(client.requestsSent()).isEqualTo(2);
    }

    @Test
    void malformedRepliesNameWhatWasExpected() {
        script.add(new Reply(200, "{\"choices\": []}", 0));
        script.add(new Reply(200, "<html>proxy error</html>", 0));
        ChatClient client = new ChatClient(settings());
        assertThatThrownBy(() -> client.complete(ASK, 0, 16)).hasMessageContaining("expected choices[0].message.content");
        assertThatThrownBy(() -> client.complete(ASK, 0, 16)).hasMessageContaining("not JSON").hasMessageContaining("proxy error");
    }

    @Test
    void aRepeatedRequestIsAnsweredFromTheCache() {
        script.add(new Reply(200, ok("cached answer"), 0));
        ChatClient client = new ChatClient(settings().withCache(dir.resolve("cache")));
        assertThat(client.complete(ASK, 0.2, 16)).isEqualTo("cached answer");
        ChatClient again = new ChatClient(settings().withCache(dir.resolve("cache")));
        assertThat(again.complete(ASK, 0.2, 16)).isEqualTo("cached answer");
        assertThat(again.requestsSent()).isZero();
        assertThat(again.cacheHits()).isEqualTo(1);
        assertThat(bodies).hasSize(1);
    }

    @Test
    void promptTemplatesRefuseMissingValues() {
        PromptTemplate t = new PromptTemplate("Write one {label} e-mail like:\n{example}");
        assertThat(t.placeholders()).containsExactly("label", "example");
        assertThat(t.fill(Map.of("label", "spam", "example", "WIN $$$"))).isEqualTo("Write one spam e-mail like:\nWIN $$$");
        assertThatThrownBy(() -> t.fill(Map.of("label", "spam"))).hasMessageContaining("{example}");
    }
}
