package dev.distillery.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Classifier;
import dev.distillery.model.MlpSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private ModelServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Classifier model(Dataset data) {
        Classifier c = Classifier.create(new MlpSpec(8, 1, 0f, true), data.schema());
        c.block().initialize(c.model().getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, c.featurizer().inputShape(2));
        return c;
    }

    /** A predictor that waits for {@code gate} before answering, and records the size of every call. */
    static final class Gated implements Predictor {
        final CountDownLatch gate;
        final List<Integer> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        final Schema schema = TestData.blobs(2, 1).schema();

        Gated(CountDownLatch gate) {
            this.gate = gate;
        }

        public Schema schema() {
            return schema;
        }

        public String runtime() {
            return "test";
        }

        public String description() {
            return "gated";
        }

        public float[][] probabilities(List<Example> batch) {
            calls.add(batch.size());
            try {
                gate.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            float[][] out = new float[batch.size()][3];
            for (float[] row : out) {
                java.util.Arrays.fill(row, 1f / 3);
            }
            return out;
        }

        public void close() {}
    }

    private ModelRegistry registry;

    private ModelServer start(Predictor p, ModelRegistry.Batching batching, ModelServer.Settings settings) {
        ServeMetrics metrics = new ServeMetrics();
        registry = new ModelRegistry(metrics, batching);
        registry.add("blobs", "1", "test", p);
        server = ModelServer.start(registry, metrics, settings);
        return server;
    }

    private static ModelServer.Settings loopback(String token, long timeoutMillis) {
        return new ModelServer.Settings("127.0.0.1", 0, token, timeoutMillis, 20_000, 16);
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models/blobs/predict"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String instances(Dataset data, int n) {
        StringBuilder sb = new StringBuilder("{\"instances\": [");
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? "," : "").append("{\"features\": ").append(java.util.Arrays.toString(data.examples().get(i).features())).append('}');
        }
        return sb.append("]}").toString();
    }

    @Test
    void predictsOneOrManyInstancesAsTheModelDoesAndReportsModelsHealthAndMetrics() throws Exception {
        Dataset data = TestData.blobs(4, 1);
        Classifier c = model(data);
        float[][] expected = c.probabilities(data.examples().subList(0, 3), 3);
        start(new DjlPredictor(c), new ModelRegistry.Batching(64, 1000, 16), loopback(null, 5000));

        HttpResponse<String> one = post("/v1/models/blobs/predict", instances(data, 1), null);
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        JsonNode p = JSON.readTree(one.body());
        assertThat(p.get("model").asText()).isEqualTo("blobs");
        assertThat(p.get("version").asText()).isEqualTo("1");
        JsonNode probs = p.get("predictions").get(0).get("probabilities");
        for (int j = 0; j < 3; j++) {
            assertThat(probs.get(data.schema().labels().get(j)).asDouble()).isCloseTo(expected[0][j], org.assertj.core.data.Offset.offset(1e-6));
        }
        assertThat(p.get("predictions").get(0).get("label").asText())
                .isEqualTo(data.schema().labels().get(Classifier.argmax(expected[0])));

        HttpResponse<String> many = post("/v1/models/blobs/versions/1/predict", instances(data, 3), null);
        assertThat(JSON.readTree(many.body()).get("predictions")).hasSize(3);

        JsonNode models = JSON.readTree(get("/v1/models").body()).get("models");
        assertThat(models).hasSize(1);
        assertThat(models.get(0).get("name").asText()).isEqualTo("blobs");
        assertThat(models.get(0).get("labels").toString()).isEqualTo("[\"left\",\"middle\",\"right\"]");
        assertThat(models.get(0).get("input").asText()).isEqualTo("8 numeric features");
        assertThat(get("/health").body()).contains("\"status\":\"UP\"");
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("distillery_requests_total{model=\"blobs\",status=\"200\",version=\"1\"} 2.0")
                .contains("distillery_batch_size_count{model=\"blobs\",version=\"1\"} 2").contains("distillery_request_duration_seconds_bucket");
    }

    @Test
    void aRequestsThresholdsAnswerALabelWhereverItsProbabilityReachesThemAsPredictDoes() throws Exception {
        Dataset data = TestData.blobs(4, 1);
        Classifier c = model(data);
        start(new DjlPredictor(c), new ModelRegistry.Batching(64, 1000, 16), loopback(null, 5000));
        int n = data.size();
        float[][] probabilities = c.probabilities(data.examples(), n);
        float lowest = Float.MAX_VALUE; // a threshold some instance that answers another label reaches
        for (float[] row : probabilities) {
            lowest = Classifier.argmax(row) != 0 ? Math.min(lowest, Math.max(row[0], 1e-3f)) : lowest;
        }
        String left = data.schema().labels().get(0);
        String body = instances(data, n);
        String withThreshold = body.substring(0, body.length() - 1) + ", \"thresholds\": {\"" + left + "\": " + lowest + "}}";
        JsonNode plain = JSON.readTree(post("/v1/models/blobs/predict", body, null).body()).get("predictions");
        HttpResponse<String> r = post("/v1/models/blobs/predict", withThreshold, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode decided = JSON.readTree(r.body()).get("predictions");
        var thresholds = dev.distillery.eval.ClassThresholds.parse(List.of(left + "=" + lowest), data.schema().labels());
        int changed = 0;
        for (int i = 0; i < n; i++) {
            assertThat(decided.get(i).get("label").asText()).isEqualTo(data.schema().labels().get(thresholds.decide(probabilities[i])));
            changed += decided.get(i).get("label").asText().equals(plain.get(i).get("label").asText()) ? 0 : 1;
        }
        assertThat(changed).as("the threshold answers '" + left + "' where another label is more probable").isPositive();
        HttpResponse<String> typo = post("/v1/models/blobs/predict", body.substring(0, body.length() - 1)
                + ", \"thresholds\": {\"lefty\": 0.2}}", null);
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("threshold for 'lefty': no such label; expected one of [left, middle, right]");
        HttpResponse<String> notAProbability = post("/v1/models/blobs/predict", body.substring(0, body.length() - 1)
                + ", \"thresholds\": {\"left\": \"high\"}}", null);
        assertThat(notAProbability.statusCode()).isEqualTo(400);
        assertThat(notAProbability.body()).contains("threshold for 'left' is \\\"high\\\": expected a probability above 0 and at most 1");
    }

    @Test
    void anImageFileSentAsBase64PredictsAsItsPixelsDo() throws Exception {
        Dataset bars = TestData.bars(3, 4);
        Classifier c = Classifier.create(dev.distillery.model.CnnSpec.DEFAULT.withWidth(4), bars.schema());
        c.block().initialize(c.model().getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, c.featurizer().inputShape(2));
        ServeMetrics metrics = new ServeMetrics();
        registry = new ModelRegistry(metrics, new ModelRegistry.Batching(64, 0, 16));
        registry.add("bars", "1", "test", new DjlPredictor(c));
        server = ModelServer.start(registry, metrics, loopback(null, 5000));

        // the first image as an 8-bit gray PNG file
        float[] px = bars.examples().get(0).features();
        java.awt.image.BufferedImage png = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int k = 0; k < 64; k++) {
            png.getRaster().setSample(k % 8, k / 8, 0, Math.round(px[k] * 255));
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(png, "png", bytes);
        String base64 = java.util.Base64.getEncoder().encodeToString(bytes.toByteArray());
        HttpResponse<String> byImage = post("/v1/models/bars/predict", "{\"instances\": [{\"image\": \"" + base64 + "\"}]}", null);
        assertThat(byImage.statusCode()).as(byImage.body()).isEqualTo(200);
        float[] quantized = new float[64];
        for (int k = 0; k < 64; k++) {
            quantized[k] = Math.round(px[k] * 255) / 255f; // what 8 bits a pixel keep
        }
        float[] expected = c.probabilities(List.of(Example.dense("x", quantized, null, "test")), 1)[0];
        JsonNode probs = JSON.readTree(byImage.body()).get("predictions").get(0).get("probabilities");
        assertThat(probs.get("h").asDouble()).isCloseTo(expected[bars.schema().indexOf("h")], org.assertj.core.data.Offset.offset(1e-5));

        HttpResponse<String> notAnImage = post("/v1/models/bars/predict", "{\"instances\": [{\"image\": \"aGVsbG8=\"}]}", null);
        assertThat(notAnImage.statusCode()).isEqualTo(400);
        assertThat(notAnImage.body()).contains("instance 0", "not a base64-encoded image: expected a PNG, JPEG, GIF, BMP, TIFF or WebP file");
        registry.add("blobs", "1", "test", new DjlPredictor(model(TestData.blobs(2, 1))));
        HttpResponse<String> notAnImageModel = post("/v1/models/blobs/predict", "{\"instances\": [{\"image\": \"" + base64 + "\"}]}", null);
        assertThat(notAnImageModel.statusCode()).isEqualTo(400);
        assertThat(notAnImageModel.body()).contains("this model does not read images");
    }

    @Test
    void aPhotoSentToServeIsTurnedUprightAsAFolderOfThemIsRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.awt.image.BufferedImage stored = new java.awt.image.BufferedImage(16, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                stored.getRaster().setSample(x, y, 0, x < 8 ? 20 : 230);
            }
        }
        byte[] photo = TestData.jpegWithOrientation(stored, 6);
        java.nio.file.Files.createDirectories(dir.resolve("a"));
        java.nio.file.Files.write(dir.resolve("a/photo.jpg"), photo);
        Dataset folder = dev.distillery.data.DataFiles.read(dir, dev.distillery.data.OnError.FAIL).dataset();
        float[] served = ModelServer.image(java.util.Base64.getEncoder().encodeToString(photo), folder.schema(), "instance 0: ");
        assertThat(served).containsExactly(folder.get(0).features());
        assertThat(folder.schema().featureShape()).containsExactly(1L, 16L, 8L);
        assertThat(served[7]).as("the top row's last pixel: the dark half on top").isLessThan(0.3f);
        assertThat(served[15 * 8 + 7]).as("the bottom row's last pixel").isGreaterThan(0.7f);
    }

    @Test
    void aModelTrainedOnNamedColumnsTakesFeaturesByNameInAnyOrder() throws Exception {
        Dataset unnamed = TestData.blobs(4, 1);
        List<String> names = java.util.stream.IntStream.range(0, 8).mapToObj(j -> "col" + j).toList();
        Dataset data = unnamed.withSchema(unnamed.schema().withFeatureNames(names));
        start(new DjlPredictor(model(data)), new ModelRegistry.Batching(64, 0, 16), loopback(null, 5000));
        float[] x = data.get(0).features();
        StringBuilder byName = new StringBuilder("{\"instances\": [{\"features\": {");
        for (int j = 7; j >= 0; j--) { // reversed: order does not matter
            byName.append('"').append(names.get(j)).append("\": ").append(x[j]).append(j > 0 ? ", " : "");
        }
        String named = byName.append("}}]}").toString();
        HttpResponse<String> r = post("/v1/models/blobs/predict", named, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("predictions")).isEqualTo(
                JSON.readTree(post("/v1/models/blobs/predict", instances(data, 1), null).body()).get("predictions"));
        assertThat(JSON.readTree(get("/v1/models").body()).get("models").get(0).get("input").asText())
                .isEqualTo("8 numeric features (columns col0, col1, col2, col3, col4, col5, col6, col7)");

        HttpResponse<String> missing = post("/v1/models/blobs/predict", named.replace("\"col3\"", "\"colX\""), null);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("lacks [col3]", "has [colX] the model was not trained on");
        HttpResponse<String> word = post("/v1/models/blobs/predict", named.replace("\"col3\": " + x[3], "\"col3\": \"high\""), null);
        assertThat(JSON.readTree(word.body()).get("error").asText()).contains("\"col3\" is \"high\"; expected a finite number");
        // a number sent as text, as forms send them, is read as a file's cell is
        HttpResponse<String> asText = post("/v1/models/blobs/predict", named.replace("\"col3\": " + x[3], "\"col3\": \" " + x[3] + "\""), null);
        assertThat(asText.statusCode()).as(asText.body()).isEqualTo(200);
        assertThat(JSON.readTree(asText.body()).get("predictions")).isEqualTo(JSON.readTree(r.body()).get("predictions"));
    }

    @Test
    void aMissingValueSentAsNullIsReadAsTheModelsFillValue() throws Exception {
        Dataset unnamed = TestData.blobs(4, 5);
        List<String> names = java.util.stream.IntStream.range(0, 8).mapToObj(j -> "col" + j).toList();
        Dataset data = unnamed.withSchema(unnamed.schema().withFeatureNames(names).withFill(java.util.Map.of("col3", 0.25f)));
        start(new DjlPredictor(model(data)), new ModelRegistry.Batching(64, 0, 16), loopback(null, 5000));
        float[] x = data.get(0).features();
        StringBuilder row = new StringBuilder();
        for (int j = 0; j < 8; j++) {
            row.append(j > 0 ? ", " : "").append('"').append(names.get(j)).append("\": ").append(j == 3 ? "VALUE" : Float.toString(x[j]));
        }
        String template = "{\"instances\": [{\"features\": {" + row + "}}]}";
        HttpResponse<String> asNull = post("/v1/models/blobs/predict", template.replace("VALUE", "null"), null);
        assertThat(asNull.statusCode()).as(asNull.body()).isEqualTo(200);
        assertThat(JSON.readTree(asNull.body()).get("predictions")).isEqualTo(
                JSON.readTree(post("/v1/models/blobs/predict", template.replace("VALUE", "0.25"), null).body()).get("predictions"));
        for (String missing : List.of("\"\"", "\"NA\"")) { // as a CSV cell: empty or NA is a missing value
            HttpResponse<String> r = post("/v1/models/blobs/predict", template.replace("VALUE", missing), null);
            assertThat(JSON.readTree(r.body()).get("predictions")).as(missing).isEqualTo(JSON.readTree(asNull.body()).get("predictions"));
        }
        HttpResponse<String> noFill = post("/v1/models/blobs/predict", template.replace("VALUE", "null").replace("\"col2\": " + x[2],
                "\"col2\": null"), null);
        assertThat(noFill.statusCode()).as("col2 has no fill value").isEqualTo(400);
        assertThat(JSON.readTree(noFill.body()).get("error").asText()).contains("\"col2\" is null; expected a finite number");
    }

    /**
     * Serves a model of blobs whose features are named c0..c5 and {@code last} (two names): returns the request's
     * "c0": 1, ..., "c5": 6 fields, which the caller completes with the last two features.
     */
    private String startOnBlobsNamed(String... last) throws Exception {
        Dataset unnamed = TestData.blobs(4, 3);
        List<String> names = new java.util.ArrayList<>(List.of("c0", "c1", "c2", "c3", "c4", "c5"));
        names.addAll(List.of(last));
        start(new DjlPredictor(model(unnamed.withSchema(unnamed.schema().withFeatureNames(names)))),
                new ModelRegistry.Batching(64, 0, 16), loopback(null, 5000));
        return "\"c0\": 1, \"c1\": 2, \"c2\": 3, \"c3\": 4, \"c4\": 5, \"c5\": 6";
    }

    @Test
    void aJsonTrueOrFalseIsTheCategoryAJsonLinesFileReadsItAs() throws Exception {
        String numbers = startOnBlobsNamed("owner=false", "owner=true");
        assertSamePredictions(numbers + ", \"owner\": true", numbers + ", \"owner=false\": 0, \"owner=true\": 1");
        assertSamePredictions(numbers + ", \"owner\": false", numbers + ", \"owner=false\": 1, \"owner=true\": 0");
    }

    @Test
    void aModelTrainedOnNestedJsonRecordsTakesTheRequestNestedAsTheFileWas() throws Exception {
        String numbers = startOnBlobsNamed("customer.age", "customer.income");
        assertSamePredictions(numbers + ", \"customer\": {\"age\": 7, \"income\": 8}",
                numbers + ", \"customer.age\": 7, \"customer.income\": 8");
    }

    /** Posts one instance of each of two {@code features} objects' fields: both answered, the same. */
    private void assertSamePredictions(String fields, String sameAs) throws Exception {
        HttpResponse<String> one = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {" + fields + "}}]}", null);
        HttpResponse<String> other = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {" + sameAs + "}}]}", null);
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(JSON.readTree(one.body()).get("predictions")).isEqualTo(JSON.readTree(other.body()).get("predictions"));
    }

    @Test
    void aCategoryColumnMaySendItsValueInsteadOfItsZeroOneFeatures() throws Exception {
        String numbers = startOnBlobsNamed("region=north", "region=south");
        assertSamePredictions(numbers + ", \"region\": \"south\"", numbers + ", \"region=north\": 0, \"region=south\": 1");
        HttpResponse<String> byValue = post("/v1/models/blobs/predict",
                "{\"instances\": [{\"features\": {" + numbers + ", \"region\": \"south\"}}]}", null);
        HttpResponse<String> east = post("/v1/models/blobs/predict",
                "{\"instances\": [{\"features\": {" + numbers + ", \"region\": \"east\"}}]}", null);
        assertThat(east.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(east.body()).get("error").asText()).contains("\"region\" is \"east\", a category the model was not trained on",
                "[north, south]");
        for (String missing : List.of("null", "\"\"", "\"NA\"", "\"none\"", "\"#N/A\"")) { // as a file's cell reads
            assertSamePredictions(numbers + ", \"region\": " + missing, numbers + ", \"region=north\": 0, \"region=south\": 0");
        }
        assertSamePredictions(numbers + ", \"region\": \"South\"", numbers + ", \"region\": \"south\"");
        HttpResponse<String> row = post("/v1/models/blobs/predict", "{\"instances\": [{" + numbers + ", \"region\": \"south\"}]}", null);
        assertThat(row.statusCode()).as("the row itself, without \"features\": " + row.body()).isEqualTo(200);
        assertThat(JSON.readTree(row.body()).get("predictions")).isEqualTo(JSON.readTree(byValue.body()).get("predictions"));
        HttpResponse<String> trainingRow = post("/v1/models/blobs/predict", "{\"instances\": [{\"id\": 17, " + numbers
                + ", \"region\": \"south\", \"label\": 1}]}", null);
        assertThat(trainingRow.statusCode()).as("a row of the training file, its numeric id and label passed over: "
                + trainingRow.body()).isEqualTo(200);
        HttpResponse<String> shortRow = post("/v1/models/blobs/predict", "{\"instances\": [{\"c0\": 1}]}", null);
        assertThat(JSON.readTree(shortRow.body()).get("error").asText()).contains("instance 0: lacks", "'region' (north, south)");
        HttpResponse<String> noRegion = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {" + numbers + "}}]}", null);
        assertThat(noRegion.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noRegion.body()).get("error").asText()).as("the column by its own name, with its values")
                .contains("lacks [region]", "'c5', 'region' (north, south)").doesNotContain("region=");
        HttpResponse<String> withEmail = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {" + numbers
                + ", \"region\": \"south\", \"email\": \"ann@example.com\"}}]}", null);
        assertThat(withEmail.statusCode()).as("a column of personal data is passed over, as a file's is").isEqualTo(200);
        HttpResponse<String> withDate = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {" + numbers
                + ", \"region\": \"south\", \"booked\": \"2024-03-15T14:30:00Z\"}}]}", null);
        assertThat(withDate.statusCode()).as("and so is a date, as a file's column of dates is").isEqualTo(200);
        HttpResponse<String> withId = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {" + numbers
                + ", \"region\": \"south\", \"customer_id\": 9001}}]}", null);
        assertThat(withId.statusCode()).as("and so is an identifier").isEqualTo(200);
        assertThat(JSON.readTree(withEmail.body()).get("predictions")).isEqualTo(JSON.readTree(byValue.body()).get("predictions"));
        HttpResponse<String> withNote = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {" + numbers
                + ", \"region\": \"south\", \"note\": \"call back\"}}]}", null);
        assertThat(withNote.statusCode()).as("words the model has no feature of are passed over, as a file's are").isEqualTo(200);
        for (String unknownNumber : List.of("3", "\"3\"")) {
            HttpResponse<String> withScore = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {" + numbers
                    + ", \"region\": \"south\", \"score\": " + unknownNumber + "}}]}", null);
            assertThat(withScore.statusCode()).as("an unknown number is still refused: " + unknownNumber).isEqualTo(400);
            assertThat(withScore.body()).contains("has [score] the model was not trained on");
        }
    }

    /** A text model that answers each text's length as the first class's share, so answers tell which text it read. */
    static final class TextLength implements Predictor {
        final Schema schema = Schema.text(List.of("short", "long")).withColumns(new dev.distillery.data.ColumnNames("queue", "body"));

        public Schema schema() {
            return schema;
        }

        public String runtime() {
            return "test";
        }

        public String description() {
            return "text length";
        }

        public float[][] probabilities(List<Example> batch) {
            float[][] out = new float[batch.size()][];
            for (int i = 0; i < out.length; i++) {
                float share = Math.min(1f, batch.get(i).text().length() / 100f);
                out[i] = new float[] {1 - share, share};
            }
            return out;
        }

        public void close() {}
    }

    @Test
    void aTextModelTakesItsOwnTextColumnTextOrTheTextItself() throws Exception {
        start(new TextLength(), new ModelRegistry.Batching(64, 0, 16), loopback(null, 5000));
        String text = "x".repeat(25);
        HttpResponse<String> r = post("/v1/models/blobs/predict", "{\"instances\": [{\"body\": \"" + text + "\", \"queue\": \"tech\"},"
                + " {\"text\": \"" + text + "\"}, \"" + text + "\"]}", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (JsonNode p : JSON.readTree(r.body()).get("predictions")) {
            assertThat(p.get("probabilities").get("long").asDouble()).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-6));
        }
        HttpResponse<String> bad = post("/v1/models/blobs/predict", "{\"instances\": [{\"subject\": \"hi\"}]}", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).contains("instance 0: expected {\"body\": \"...\"} or {\"text\": \"...\"}");
    }

    @Test
    void featuresByNameNeedAModelWhoseColumnsHadNames() throws Exception {
        Dataset data = TestData.blobs(4, 2);
        start(new DjlPredictor(model(data)), new ModelRegistry.Batching(64, 0, 16), loopback(null, 5000));
        HttpResponse<String> r = post("/v1/models/blobs/predict", "{\"instances\": [{\"features\": {\"a\": 1}}]}", null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("features have no names");
    }

    @Test
    void badRequestsGetAReasonAndTheServerKeepsServing() throws Exception {
        Dataset data = TestData.blobs(4, 2);
        start(new DjlPredictor(model(data)), new ModelRegistry.Batching(64, 0, 16), loopback(null, 5000));
        String[][] cases = {
                {"{\"instances\": [", "400", "not valid JSON"},
                {"{\"inputs\": []}", "400", "\"instances\" array"},
                {"[1, 2]", "400", "expected a JSON object"},
                {"{\"instances\": []}", "400", "is empty"},
                {"{\"instances\": [{\"features\": [1, 2, 3]}]}", "400", "has 3 features; expected 8 numeric features"},
                {"{\"instances\": [{\"text\": \"hello\"}]}", "400", "expected {\"features\": [...]}"},
                {"{\"instances\": [{\"features\": [1, 2, 3, 4, 5, 6, 7, \"x\"]}]}", "400", "finite numbers"},
                {instances(data, 8).replace("]}", "]}").replace("{\"instances\": [", "{\"instances\": [" + "{\"features\": [0,0,0,0,0,0,0,0]},".repeat(9)), "413", "at most 16"},
                {"{\"instances\": [{\"features\": [" + "0.123456789,".repeat(3000) + "0]}]}", "413",
                        "larger than the 20,000 bytes this server takes (serve --max-request-bytes)"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = post("/v1/models/blobs/predict", c[0], null);
            assertThat(r.statusCode()).as(c[0].substring(0, Math.min(60, c[0].length()))).isEqualTo(Integer.parseInt(c[1]));
            assertThat(JSON.readTree(r.body()).get("error").asText()).contains(c[2]);
        }
        assertThat(post("/v1/models/nosuch/predict", instances(data, 1), null).statusCode()).isEqualTo(404);
        assertThat(post("/v1/models/blobs/versions/9/predict", instances(data, 1), null).body()).contains("version '9'");
        HttpResponse<String> path = get("/v1/nowhere");
        assertThat(path.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(path.body()).get("error").asText()).contains("/v1/nowhere not found");
        assertThat(post("/v1/models/blobs/predict", instances(data, 2), null).statusCode()).isEqualTo(200);
        assertThat(get("/metrics").body()).contains("distillery_errors_total{endpoint=\"predict\",status=\"400\"} 7.0");
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndAWaitTooLongAnswers504() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Gated slow = new Gated(gate);
        // 1.5 s: long enough that the second request is still queued when the third arrives on a busy machine (a
        // request that times out leaves the queue), short enough to see the first one's 504.
        start(slow, new ModelRegistry.Batching(1, 0, 1), loopback(null, 1500));
        Dataset data = TestData.blobs(2, 3);
        CompletableFuture<HttpResponse<String>> first = postAsync(instances(data, 1));
        while (slow.calls.isEmpty()) {
            Thread.sleep(5); // the worker holds the first request
        }
        CompletableFuture<HttpResponse<String>> second = postAsync(instances(data, 1));
        while (registry.find("blobs", null).orElseThrow().batcher().queued() == 0) {
            Thread.sleep(5); // the second waits in the one-place queue
        }
        HttpResponse<String> refused = post("/v1/models/blobs/predict", instances(data, 1), null);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        assertThat(JSON.readTree(refused.body()).get("error").asText()).contains("retry later");
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
        assertThat(JSON.readTree(first.get().body()).get("error").asText()).contains("no answer within 1500 ms");
        gate.countDown();
        assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isIn(200, 504);
        assertThat(post("/v1/models/blobs/predict", instances(data, 1), null).statusCode()).isEqualTo(200);
    }

    @Test
    void concurrentRequestsShareOneModelCallUpToTheBatchLimit() throws Exception {
        CountDownLatch open = new CountDownLatch(0);
        Gated recording = new Gated(open);
        ServeMetrics metrics = new ServeMetrics();
        Dataset data = TestData.blobs(3, 4);
        try (Batcher b = new Batcher("t", "1", recording, 8, 300_000, 64, metrics)) {
            List<CompletableFuture<float[][]>> results = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < 5; i++) {
                results.add(b.submit(data.examples().subList(0, 1), deadline));
            }
            results.add(b.submit(data.examples().subList(0, 4), deadline)); // 5 + 4 > 8: waits for the next call
            for (CompletableFuture<float[][]> r : results) {
                r.get(10, TimeUnit.SECONDS);
            }
            assertThat(results.get(5).get()).hasNumberOfRows(4);
        }
        assertThat(recording.calls).containsExactly(5, 4);
    }

    @Test
    void aRequestThatTimesOutWhileQueuedFreesItsPlaceBeforeItsCallerHears() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Gated slow = new Gated(gate);
        Dataset data = TestData.blobs(2, 7);
        List<Example> one = data.examples().subList(0, 1);
        try (Batcher b = new Batcher("t", "1", slow, 1, 0, 1, new ServeMetrics())) {
            long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            CompletableFuture<float[][]> held = b.submit(one, later);
            while (slow.calls.isEmpty()) {
                Thread.sleep(5); // the worker holds the first request
            }
            CompletableFuture<float[][]> waiting = b.submit(one, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThat(b.queued()).as("the timed-out request left the queue").isZero();
            CompletableFuture<float[][]> retry = b.submit(one, later); // the one place is free again
            gate.countDown();
            assertThat(held.get(10, TimeUnit.SECONDS)).hasNumberOfRows(1);
            assertThat(retry.get(10, TimeUnit.SECONDS)).hasNumberOfRows(1);
        }
        assertThat(slow.calls).containsExactly(1, 1);
    }

    @Test
    void offLoopbackNeedsATokenAndATokenIsEnforced() throws Exception {
        Dataset data = TestData.blobs(2, 5);
        ServeMetrics metrics = new ServeMetrics();
        assertThatThrownBy(() -> ModelServer.start(new ModelRegistry(metrics, new ModelRegistry.Batching(4, 0, 4)), metrics,
                new ModelServer.Settings("0.0.0.0", 0, null, 1000, 1000, 4))).hasMessageContaining("needs a bearer token");
        start(new DjlPredictor(model(data)), new ModelRegistry.Batching(64, 0, 16), loopback("s3cret", 5000));
        assertThat(post("/v1/models/blobs/predict", instances(data, 1), null).statusCode()).isEqualTo(401);
        assertThat(post("/v1/models/blobs/predict", instances(data, 1), "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/v1/models").statusCode()).isEqualTo(401);
        assertThat(post("/v1/models/blobs/predict", instances(data, 1), "s3cret").statusCode()).isEqualTo(200);
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void shutdownFinishesRequestsInFlight() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Gated slow = new Gated(gate);
        start(slow, new ModelRegistry.Batching(4, 0, 4), loopback(null, 10_000));
        Dataset data = TestData.blobs(2, 6);
        CompletableFuture<HttpResponse<String>> inFlight = postAsync(instances(data, 1));
        while (slow.calls.isEmpty()) {
            Thread.sleep(5);
        }
        ModelServer closing = server;
        server = null;
        Thread stopper = new Thread(closing::close);
        stopper.start();
        Thread.sleep(200);
        assertThat(stopper.isAlive()).as("close waits for the request in flight").isTrue();
        gate.countDown();
        assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        stopper.join(15_000);
        assertThat(stopper.isAlive()).isFalse();
    }
}
