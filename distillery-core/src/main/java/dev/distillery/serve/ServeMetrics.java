package dev.distillery.serve;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics, with the official client library: requests and errors by model and status,
 * request latency, batch sizes and queue depth by model. Each server has its own registry, so two servers in one
 * process (tests) do not share counts.
 */
public final class ServeMetrics {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter requests = Counter.builder().name("distillery_requests_total")
            .help("Prediction requests answered, by model, version and HTTP status").labelNames("model", "version", "status").register(registry);
    final Counter errors = Counter.builder().name("distillery_errors_total")
            .help("Requests answered with an error (status 400 and above), by endpoint kind and status")
            .labelNames("endpoint", "status").register(registry);
    final Histogram latency = Histogram.builder().name("distillery_request_duration_seconds")
            .help("Prediction request latency from arrival to answer").labelNames("model", "version").classicOnly()
            .classicUpperBounds(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5).register(registry);
    final Histogram batchSize = Histogram.builder().name("distillery_batch_size")
            .help("Instances per model call after dynamic batching").labelNames("model", "version").classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512).register(registry);
    final Gauge queueDepth = Gauge.builder().name("distillery_queue_depth")
            .help("Requests waiting for their model").labelNames("model", "version").register(registry);

    /** The metrics in Prometheus's text exposition format. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
