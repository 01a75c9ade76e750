package dev.distillery.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A client for any server that speaks the OpenAI chat-completions protocol (llama.cpp server, vLLM,
 * Ollama, hosted APIs): POST {@code <base>/v1/chat/completions}. Transient failures (timeouts, 429,
 * 5xx, connection errors) are retried with exponential backoff; other errors and malformed replies fail
 * at once with the status and what was expected. Requests are spaced to a rate limit, and answers are
 * cached on disk by the request's content, so a rerun of the same synthesis costs nothing.
 */
public final class ChatClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One chat message. */
    public record Message(String role, String content) {
        public static Message system(String content) {
            return new Message("system", content);
        }

        public static Message user(String content) {
            return new Message("user", content);
        }
    }

    /** How to reach the server and how patient to be. */
    public record Settings(URI baseUrl, String model, String apiKey, Duration timeout, int maxRetries, Duration backoff,
            double requestsPerSecond, Path cacheDir) {
        public Settings {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, got: " + maxRetries);
            }
            if (!(requestsPerSecond > 0)) {
                throw new IllegalArgumentException("requestsPerSecond must be > 0, got: " + requestsPerSecond);
            }
        }

        /** 60 s timeout, 3 retries from 1 s backoff, 5 requests/s, no cache. */
        public static Settings of(URI baseUrl, String model) {
            return new Settings(baseUrl, model, null, Duration.ofSeconds(60), 3, Duration.ofSeconds(1), 5, null);
        }

        public Settings withTimeout(Duration t) {
            return new Settings(baseUrl, model, apiKey, t, maxRetries, backoff, requestsPerSecond, cacheDir);
        }

        public Settings withRetries(int retries, Duration firstBackoff) {
            return new Settings(baseUrl, model, apiKey, timeout, retries, firstBackoff, requestsPerSecond, cacheDir);
        }

        public Settings withCache(Path dir) {
            return new Settings(baseUrl, model, apiKey, timeout, maxRetries, backoff, requestsPerSecond, dir);
        }

        public Settings withRate(double perSecond) {
            return new Settings(baseUrl, model, apiKey, timeout, maxRetries, backoff, perSecond, cacheDir);
        }
    }

    /** The server could not give an answer: the message says what happened and what was expected. */
    public static final class ChatException extends RuntimeException {
        private final int status;

        public ChatException(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** The HTTP status, or -1 when there was none (timeout, connection error, malformed reply). */
        public int status() {
            return status;
        }
    }

    private final Settings settings;
    private final HttpClient http;
    private final URI endpoint;
    private long nextSlotNanos;
    private int requestsSent;
    private int cacheHits;

    public ChatClient(Settings settings) {
        this.settings = settings;
        String base = settings.baseUrl().toString().replaceAll("/+$", "");
        this.endpoint = URI.create(base.endsWith("/v1") ? base + "/chat/completions" : base + "/v1/chat/completions");
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    /** Requests that reached the server (retries included). */
    public synchronized int requestsSent() {
        return requestsSent;
    }

    /** Answers served from the cache. */
    public synchronized int cacheHits() {
        return cacheHits;
    }

    /** The assistant's reply to {@code messages}. */
    public String complete(List<Message> messages, double temperature, int maxTokens) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", settings.model());
        ArrayNode msgs = body.putArray("messages");
        for (Message m : messages) {
            msgs.addObject().put("role", m.role()).put("content", m.content());
        }
        body.put("temperature", temperature);
        body.put("max_tokens", maxTokens);
        String request = body.toString();
        Path cached = settings.cacheDir() == null ? null
                : settings.cacheDir().resolve(Hashing.sha256(endpoint + "\n" + request) + ".txt");
        if (cached != null && Files.isRegularFile(cached)) {
            try {
                String answer = Files.readString(cached, StandardCharsets.UTF_8);
                synchronized (this) {
                    cacheHits++;
                }
                return answer;
            } catch (IOException e) {
                // An unreadable cache entry is only a miss.
            }
        }
        String answer = send(request);
        if (cached != null) {
            AtomicFiles.writeString(cached, answer);
        }
        return answer;
    }

    private String send(String request) {
        ChatException last = null;
        for (int attempt = 0; attempt <= settings.maxRetries(); attempt++) {
            if (attempt > 0) {
                sleep(settings.backoff().multipliedBy(1L << Math.min(attempt - 1, 10)));
            }
            waitForRateSlot();
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(settings.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request, StandardCharsets.UTF_8));
            if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
                b.header("Authorization", "Bearer " + settings.apiKey());
            }
            HttpResponse<String> response;
            try {
                synchronized (this) {
                    requestsSent++;
                }
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (HttpTimeoutException e) {
                last = new ChatException(endpoint + ": no answer within " + settings.timeout().toMillis() + " ms", -1, e);
                continue;
            } catch (IOException e) {
                last = new ChatException(endpoint + ": could not connect or read (" + e.getMessage() + ")", -1, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChatException(endpoint + ": interrupted", -1, e);
            }
            int status = response.statusCode();
            if (status == 429 || status >= 500) {
                last = new ChatException(endpoint + ": HTTP " + status + " (" + excerpt(response.body()) + ")", status, null);
                continue;
            }
            if (status != 200) {
                throw new ChatException(endpoint + ": HTTP " + status + " (" + excerpt(response.body()) + "); expected 200 with a "
                        + "chat completion", status, null);
            }
            return content(response.body());
        }
        throw new ChatException(last.getMessage() + "; gave up after " + (settings.maxRetries() + 1) + " attempts", last.status(), last);
    }

    /** The text of the first choice, or a clear error naming what was missing. */
    static String content(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new ChatException("malformed reply: not JSON (" + excerpt(body) + ")", -1, e);
        }
        JsonNode content = root == null ? null : root.path("choices").path(0).path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw new ChatException("malformed reply: expected choices[0].message.content as a string, got " + excerpt(body), -1, null);
        }
        return content.asText();
    }

    private static String excerpt(String body) {
        String s = body == null ? "" : body.replaceAll("\\s+", " ").trim();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private void waitForRateSlot() {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, nextSlotNanos);
            nextSlotNanos = slot + (long) (1e9 / settings.requestsPerSecond());
            wait = slot - now;
        }
        if (wait > 0) {
            sleep(Duration.ofNanos(wait));
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChatException("interrupted while waiting", -1, e);
        }
    }
}
