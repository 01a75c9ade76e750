package dev.distillery.cli;

import dev.distillery.export.ExportJob;
import dev.distillery.model.TorchRuntime;
import dev.distillery.serve.LabelStudioBackend;
import dev.distillery.serve.ModelRegistry;
import dev.distillery.serve.ModelServer;
import dev.distillery.serve.ServeMetrics;
import dev.distillery.serve.TrainRunRetrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve models over HTTP with dynamic batching until stopped (Ctrl-C or SIGTERM drains requests in flight).",
                "POST /v1/models/NAME/predict {\"instances\": [{\"features\": [...]} | {\"COLUMN\": value, ...}"
                        + " | {\"text\": \"...\"} | \"...\"]} (a text under the column the model was trained on also),"
                        + " optionally with"
                        + " \"thresholds\": {\"LABEL\": P} (answer LABEL wherever its probability reaches P, as predict --threshold);"
                        + " GET /v1/models, /health, /metrics (Prometheus).",
                "Binds 127.0.0.1 unless --host says otherwise; any other address needs a bearer token."})
final class ServeCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "[NAME[@VERSION]=]MODEL",
            description = "A run id, run directory, model directory or `distillery export` directory; optionally named "
                    + "(default: its directory name) and versioned (default: 1). A name given twice needs two versions; "
                    + "requests go to the last one unless they name a version (/v1/models/NAME/versions/V/predict).")
    List<String> models;

    @Option(names = "--model", paramLabel = "[NAME[@VERSION]=]MODEL",
            description = "The same as the arguments, as an option (repeatable), as eval and predict take a model.")
    List<String> modelOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Port (0: any free one; default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--runtime", paramLabel = "NAME", defaultValue = "auto", description = "onnx (ONNX Runtime on the model exported in memory, "
            + "checked against it first), djl (Distillery's own engine), or auto: onnx for every family that exports, djl for "
            + "the rest. Export directories always run in ONNX Runtime. Default: ${DEFAULT-VALUE}.")
    String runtime;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token every request but /health must carry (default: $DISTILLERY_TOKEN).")
    String token;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "64", description = "Most instances per model call (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-wait-ms", paramLabel = "MS", defaultValue = "0", description = "Longest wait for more requests to fill a batch; 0 (the default) runs at once with whatever waits, so batches grow only with the load.")
    double maxWaitMs;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "256", description = "Requests that may wait per model; beyond, 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "5000", description = "A request's deadline; past it, 504 (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--max-request-bytes", paramLabel = "BYTES", defaultValue = "8000000", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxRequestBytes;

    @Option(names = "--max-instances", paramLabel = "N", defaultValue = "1024", description = "Most instances per request (default: ${DEFAULT-VALUE}).")
    int maxInstances;

    @Option(names = "--label-studio", paramLabel = "NAME", description = "Also be a Label Studio ML backend (POST /setup, "
            + "/predict, /webhook) for the served model NAME: predictions with scores, annotations stored under "
            + "$DISTILLERY_HOME/label-studio/NAME, and retraining in the background that switches to the new version only "
            + "when it beats the current one on the training run's test data.")
    String labelStudio;

    @Option(names = "--retrain-every", defaultValue = "20", paramLabel = "N", description = "With --label-studio: retrain "
            + "after every N new annotations (default: ${DEFAULT-VALUE}).")
    int retrainEvery;

    /** The models to serve, from the arguments and --model options: at least one. */
    private List<String> served() {
        List<String> all = new java.util.ArrayList<>();
        all.addAll(models == null ? List.of() : models);
        all.addAll(modelOptions == null ? List.of() : modelOptions);
        if (all.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing the model to serve: give a run id, "
                    + "run directory, model directory or export directory, as MODEL or as --model MODEL");
        }
        return all;
    }

    @Override
    public Integer call() throws InterruptedException {
        List<String> toServe = served();
        ModelRegistry.Runtime engine = switch (runtime) {
            case "auto" -> ModelRegistry.Runtime.AUTO;
            case "djl" -> ModelRegistry.Runtime.DJL;
            case "onnx" -> ModelRegistry.Runtime.ONNX;
            default -> throw new IllegalArgumentException("unknown --runtime '" + runtime + "'; use auto, onnx or djl");
        };
        String bearer = token != null ? token : System.getenv("DISTILLERY_TOKEN");
        Context ctx = Context.fromEnvironment();
        ServeMetrics metrics = new ServeMetrics();
        ModelRegistry registry = new ModelRegistry(metrics, new ModelRegistry.Batching(maxBatch, Math.round(maxWaitMs * 1000), queue));
        ModelServer server;
        try {
            for (String model : toServe) {
                add(ctx, registry, model, engine);
            }
            LabelStudioBackend backend = labelStudio == null ? null : labelStudioBackend(ctx, registry, engine);
            server = ModelServer.start(registry, metrics, new ModelServer.Settings(host, port, bearer, timeoutMs, maxRequestBytes,
                    maxInstances), backend);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("draining requests in flight, then stopping");
            server.close();
            stopped.countDown();
        }, "distillery-serve-shutdown"));
        for (var m : server.describe()) {
            System.out.printf("model %s version %s (%s) from %s%n", m.get("name"), m.get("version"), m.get("runtime"), m.get("source"));
        }
        System.out.printf("serving on http://%s:%d (POST /v1/models/NAME/predict; GET /v1/models, /health, /metrics)%s%s%n", host,
                server.port(), bearer == null ? "" : "; bearer token required",
                labelStudio == null ? "" : "; Label Studio ML backend for " + labelStudio + " at the same address");
        stopped.await();
        return 0;
    }

    private LabelStudioBackend labelStudioBackend(Context ctx, ModelRegistry registry, ModelRegistry.Runtime engine) {
        ModelRegistry.Entry entry = registry.find(labelStudio, null).orElseThrow(() -> new IllegalArgumentException(
                "--label-studio " + labelStudio + ": no served model of that name"));
        TrainRunRetrainer retrainer = new TrainRunRetrainer(ctx.catalog(), ctx.runs(), Path.of(entry.source()), engine,
                TorchRuntime.threads());
        if (retrainer.unavailableReason() != null) {
            System.out.println("label studio: predictions only, no retraining: " + retrainer.unavailableReason());
        }
        return new LabelStudioBackend(registry, labelStudio, ctx.home().root().resolve("label-studio").resolve(labelStudio),
                retrainer, retrainEvery, timeoutMs);
    }

    private void add(Context ctx, ModelRegistry registry, String spec, ModelRegistry.Runtime engine) {
        String name = null;
        String version = "1";
        String ref = spec;
        int eq = spec.indexOf('=');
        if (eq > 0) {
            name = spec.substring(0, eq);
            ref = spec.substring(eq + 1);
            int at = name.indexOf('@');
            if (at > 0) {
                version = name.substring(at + 1);
                name = name.substring(0, at);
            }
        }
        Path p = Path.of(ref);
        boolean export = Files.isRegularFile(p.resolve(ExportJob.ONNX_FILE)) && Files.isRegularFile(p.resolve("featurizer.json"));
        Path dir = export ? p : ModelRef.resolve(ctx, ref);
        if (name == null) {
            Path named = export || !dir.getFileName().toString().equals("model") ? dir : dir.toAbsolutePath().getParent();
            name = named.getFileName().toString();
        }
        registry.add(name, version, dir.toString(), ModelRegistry.load(dir, engine, TorchRuntime.threads()));
    }
}
