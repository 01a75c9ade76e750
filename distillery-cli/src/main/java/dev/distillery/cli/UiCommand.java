package dev.distillery.cli;

import dev.distillery.ui.UiServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ui", mixinStandardHelpOptions = true,
        description = {"A local web dashboard over $DISTILLERY_HOME: runs (filter, sort, a page per run with its curves, compare "
                + "runs side by side), recipes (the DAG live while it runs, the report), and review pages that write files the CLI "
                + "reads: label-issue corrections (train --corrections), answers to a labeling project's batch (label import), "
                + "what curation removed and synthesis rejected.",
                "Binds 127.0.0.1 unless --host says otherwise; any other address needs a token (printed in the address to open)."})
final class UiCommand implements Callable<Integer> {
    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Token a browser on another address must give once as ?token= (default: $DISTILLERY_TOKEN).")
    String token;

    @Override
    public Integer call() throws InterruptedException {
        Context ctx = Context.fromEnvironment();
        String required = token != null ? token : System.getenv("DISTILLERY_TOKEN");
        UiServer server = UiServer.start(ctx.home(), new UiServer.Settings(host, port, UiServer.isLoopback(host) ? null : required));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "distillery-ui-shutdown"));
        String address = "http://" + (UiServer.isLoopback(host) ? "localhost" : host) + ":" + server.port() + "/";
        System.out.println("dashboard for " + ctx.home().root() + " at " + address
                + (UiServer.isLoopback(host) ? "" : "?token=" + required) + "   (Ctrl-C stops it)");
        stopped.await();
        return 0;
    }
}
