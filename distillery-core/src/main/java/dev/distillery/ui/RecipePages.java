package dev.distillery.ui;

import static dev.distillery.ui.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Recipes: the list, one recipe's DAG with each stage's action (run, cached, resume), status, time and estimate, updated
 * live while it runs (server-sent events whenever {@code state.json} or {@code plan.json} changes), and its report.
 */
final class RecipePages implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POLL_MS = 300;

    private final Path root;
    /** Each open event stream and the last snapshot it was sent. */
    private final Map<SseClient, String> clients = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ui-recipe-events");
        t.setDaemon(true);
        return t;
    });

    RecipePages(Path recipesRoot) {
        this.root = recipesRoot;
        poller.scheduleWithFixedDelay(this::push, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
    }

    void list(Context ctx) {
        List<List<String>> rows = new ArrayList<>();
        for (Path dir : recipes()) {
            String name = dir.getFileName().toString();
            JsonNode state = read(dir.resolve("state.json"));
            long finished = 0;
            long total = 0;
            for (JsonNode s : state) {
                total++;
                finished += s.path("status").asText().equals("finished") ? 1 : 0;
            }
            rows.add(List.of("<a href=\"/recipes/" + esc(name) + "\">" + esc(name) + "</a>", finished + " of " + total + " finished",
                    Files.exists(dir.resolve("report.html")) ? "<a href=\"/recipes/" + esc(name) + "/report\">report.html</a>" : ""));
        }
        ctx.html(Html.page("Recipes", rows.isEmpty() ? "<p>No recipe has run yet (try: distillery run recipes/spamassassin.yaml).</p>"
                : Html.table("recipes", List.of("recipe", "stages", "report"), rows)));
    }

    void show(Context ctx) {
        Path dir = recipe(ctx.pathParam("name"));
        String name = dir.getFileName().toString();
        String body = "<p><a href=\"/recipes/" + esc(name) + "/report\">report.html</a> · this page follows a running recipe live</p>"
                + "<div id=\"dag\" data-events=\"/recipes/" + esc(name) + "/events\">" + dagTable(snapshot(dir)) + "</div>";
        ctx.html(Html.page("Recipe " + name, body));
    }

    void report(Context ctx) throws IOException {
        Path f = recipe(ctx.pathParam("name")).resolve("report.html");
        if (!Files.isRegularFile(f)) {
            throw new NotFoundResponse("this recipe has no report yet");
        }
        ctx.html(Files.readString(f));
    }

    /** Opens an event stream; {@link #push} sends the recipe's table whenever it changes. */
    void events(SseClient client) {
        Path dir = recipe(client.ctx().pathParam("name"));
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        String html = dagTable(snapshot(dir));
        clients.put(client, html);
        client.sendEvent("dag", html);
    }

    private void push() {
        for (Map.Entry<SseClient, String> e : clients.entrySet()) {
            SseClient client = e.getKey();
            try {
                String html = dagTable(snapshot(recipe(client.ctx().pathParam("name"))));
                if (!html.equals(e.getValue())) {
                    clients.put(client, html);
                    client.sendEvent("dag", html);
                }
            } catch (RuntimeException ex) {
                clients.remove(client); // a closed or failed stream: drop it
            }
        }
    }

    /** The recipe's stages in order: from plan.json (the DAG and this run's actions), with state.json's status and times. */
    static JsonNode snapshot(Path dir) {
        JsonNode plan = read(dir.resolve("plan.json"));
        JsonNode state = read(dir.resolve("state.json"));
        var stages = JSON.createArrayNode();
        if (plan.path("stages").isArray()) {
            for (JsonNode s : plan.get("stages")) {
                ObjectNode row = s.deepCopy();
                row.set("state", state.path(s.path("name").asText()));
                stages.add(row);
            }
        } else {
            state.fields().forEachRemaining(f -> stages.add(JSON.createObjectNode().put("name", f.getKey()).set("state", f.getValue())));
        }
        return stages;
    }

    static String dagTable(JsonNode stages) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode s : stages) {
            JsonNode st = s.path("state");
            String run = st.path("run").asText("");
            rows.add(List.of(esc(s.path("name").asText()), "<code>" + esc(s.path("command").asText("")) + "</code>",
                    esc(String.join(", ", iterable(s.path("after")))), esc(s.path("action").asText("")),
                    "<span class=\"status\">" + esc(st.path("status").asText("not run yet")) + "</span>",
                    st.path("seconds").asDouble() > 0 ? String.format("%.1f", st.path("seconds").asDouble()) : "",
                    st.path("estimateSeconds").asDouble(-1) >= 0 ? String.format("%.0f", st.path("estimateSeconds").asDouble()) : "n/a",
                    st.path("peakRssMb").asDouble() > 0 ? String.format("%.0f", st.path("peakRssMb").asDouble()) : "",
                    run.isEmpty() || run.equals("null") ? "" : "<a href=\"/runs/" + esc(Path.of(run).getFileName()) + "\">run</a>"));
        }
        return Html.table("dag-table", List.of("stage", "command", "after", "this run", "status", "seconds", "estimate s", "peak MiB", ""), rows);
    }

    private static List<String> iterable(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private List<Path> recipes() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.exists(d.resolve("state.json"))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The directory of recipe {@code name}, which must be a plain name inside the recipes directory. */
    private Path recipe(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}") || !Files.isDirectory(root.resolve(name))) {
            throw new NotFoundResponse("no recipe '" + name + "'");
        }
        return root.resolve(name);
    }

    private static JsonNode read(Path f) {
        try {
            return Files.isRegularFile(f) ? JSON.readTree(f.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode(); // being replaced atomically right now, or damaged: the next poll shows it
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        clients.keySet().forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException e) {
                // already closed
            }
        });
    }
}
