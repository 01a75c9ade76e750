package dev.distillery.ui;

import dev.distillery.data.sources.DataCatalog;
import dev.distillery.run.Run;
import dev.distillery.run.RunStore;
import dev.distillery.util.DistilleryHome;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.http.staticfiles.Location;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * {@code distillery ui}: a local web dashboard over {@code $DISTILLERY_HOME}: runs (list, page, compare), recipes (live
 * DAG, report), and the review pages that write files the CLI reads (corrections, answers). Pages are rendered by the
 * server and work without JavaScript; the one script draws charts with the vendored uPlot and follows live recipes.
 *
 * <p>Safe by default: it binds to loopback and answers only requests addressed to a loopback name (no DNS rebinding);
 * any other address needs a token, given once as {@code ?token=} (then kept in an HttpOnly, same-site cookie) or as
 * {@code Authorization: Bearer}; every state-changing request carries a per-process secret form field and, when the
 * browser sends one, an {@code Origin} of this server; no path leaves {@code $DISTILLERY_HOME}.
 */
public final class UiServer implements AutoCloseable {
    /** The hidden form field every POST form carries; {@link #csrfSecret} fills it in when a page is served. */
    static final String CSRF_FIELD = "<input type=\"hidden\" name=\"csrf\" value=\"@CSRF@\">";
    private static final String TOKEN_COOKIE = "distillery_ui_token";

    /** Where to listen and the token required of non-loopback clients (null on loopback). */
    public record Settings(String host, int port, String token) {}

    private final Settings settings;
    private final String csrfSecret = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final RecipePages recipes;
    private final Javalin app;

    private UiServer(DistilleryHome home, Settings settings) {
        this.settings = settings;
        RunStore runs = new RunStore(home.runs());
        RunPages runPages = new RunPages(runs);
        this.recipes = new RecipePages(home.root().resolve("recipes"));
        ReviewPages review = new ReviewPages(runs, new DataCatalog(home.datasets()), home.root().resolve("projects"));
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.staticFiles.add(s -> {
                s.hostedPath = "/ui";
                s.directory = "/ui";
                s.location = Location.CLASSPATH;
            });
            config.routes.before(this::guard);
            config.routes.after(this::secureHeaders);
            config.routes.get("/favicon.ico", ctx -> ctx.status(204)); // pages that are not ours (a recipe report) ask for it
            config.routes.get("/", runPages::list);
            config.routes.get("/runs/{id}", runPages::show);
            config.routes.get("/runs/{id}/files/<path>", runPages::file);
            config.routes.get("/compare", runPages::compare);
            config.routes.get("/runs/{id}/issues", review::issues);
            config.routes.post("/runs/{id}/issues", review::saveIssues);
            config.routes.get("/runs/{id}/removed", review::removed);
            config.routes.get("/projects", review::projects);
            config.routes.get("/projects/{name}", review::project);
            config.routes.post("/projects/{name}", review::saveAnswers);
            config.routes.get("/recipes", recipes::list);
            config.routes.get("/recipes/{name}", recipes::show);
            config.routes.get("/recipes/{name}/report", recipes::report);
            config.routes.sse("/recipes/{name}/events", recipes::events);
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            config.routes.exception(dev.distillery.data.DataFormatException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            config.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> error(ctx, 500, "internal error: " + e));
        });
    }

    /** Starts the dashboard; refuses a non-loopback address without a token, before binding. */
    public static UiServer start(DistilleryHome home, Settings settings) {
        if (!isLoopback(settings.host()) && (settings.token() == null || settings.token().isBlank())) {
            throw new IllegalArgumentException("the dashboard on " + settings.host() + " (not loopback) needs a token: set --token or "
                    + "DISTILLERY_TOKEN");
        }
        UiServer server = new UiServer(home, settings);
        server.app.start(settings.host(), settings.port());
        return server;
    }

    public int port() {
        return app.port();
    }

    /** Host check, token, and cross-site protection of state-changing requests. */
    private void guard(Context ctx) {
        boolean loopback = isLoopback(settings.host());
        String host = ctx.host() == null ? "" : ctx.host().replaceFirst(":\\d+$", "").replaceAll("^\\[|\\]$", "");
        if (loopback && !(host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1"))) {
            throw new ForbiddenResponse("the dashboard answers requests to localhost only (Host: " + ctx.host() + ")");
        }
        if (settings.token() != null && !settings.token().isBlank()) {
            String given = ctx.queryParam("token");
            if (given != null && same(given, settings.token())) {
                ctx.cookie(new io.javalin.http.Cookie(TOKEN_COOKIE, given, "/", -1, false, true, null, io.javalin.http.SameSite.STRICT));
            } else if (!same(ctx.cookie(TOKEN_COOKIE), settings.token()) && !same(bearer(ctx), settings.token())) {
                throw new UnauthorizedResponse("open the address the ui command printed, with ?token=");
            }
        }
        if (!ctx.method().name().equals("GET") && !ctx.method().name().equals("HEAD")) {
            String origin = ctx.header("Origin");
            if (origin != null && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
                throw new ForbiddenResponse("cross-site request refused (Origin " + origin + ")");
            }
            if (!same(ctx.formParam("csrf"), csrfSecret)) {
                throw new ForbiddenResponse("the form is stale or not from this dashboard: reload the page and try again");
            }
        }
    }

    private void secureHeaders(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "same-origin"); // "no-referrer" would make the browser send Origin: null on our own forms
        if (!ctx.path().endsWith("/report")) { // a recipe's report.html holds its own inline styles
            ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                    + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'");
        }
        // Only the dashboard's own pages carry forms; a run's files and a recipe's report are served as they are.
        boolean ownPage = !ctx.path().contains("/files/") && !ctx.path().endsWith("/report") && !ctx.path().startsWith("/ui/");
        String body = ownPage ? ctx.result() : null;
        if (body != null && body.contains("@CSRF@")) {
            ctx.result(body.replace("@CSRF@", csrfSecret));
        }
    }

    private static String bearer(Context ctx) {
        String h = ctx.header("Authorization");
        return h != null && h.startsWith("Bearer ") ? h.substring(7) : null;
    }

    private static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The run {@code id} names, which must be a run directory directly inside the run store (never a path elsewhere). */
    static Run run(RunStore runs, String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") || !Files.isDirectory(runs.root().resolve(id))) {
            throw new NotFoundResponse("no run '" + id + "'");
        }
        return runs.open(runs.root().resolve(id).toString());
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).html(Html.page("Error " + status, "<p class=\"error\">" + Html.esc(message) + "</p><p><a href=\"/\">Runs</a></p>"));
    }

    /** Whether {@code host} is a loopback address, where the dashboard asks for no token. */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "'");
        }
    }

    @Override
    public void close() {
        recipes.close();
        app.stop();
    }
}
