package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ExportCommandTest extends CliTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String runIdOf(Result r) {
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out().lines().filter(l -> l.startsWith("run saved to")).reduce((a, b) -> b).orElseThrow().replaceAll(".*/", "");
    }

    private Path exportDirOf(Result r) {
        String line = r.out().lines().filter(l -> l.startsWith("wrote model.onnx")).findFirst().orElseThrow();
        return Path.of(line.substring(line.lastIndexOf(" to ") + 4));
    }

    @Test
    void exportsAnNgramModelCheckedOnItsOwnTestSplitAndRefusesBadRequests() throws Exception {
        Path f = spamFile(100);
        String train = runIdOf(run("train", "--data", f.toString(), "--model", "ngram", "--width", "8", "--epochs", "3"));

        Result export = run("export", train);
        assertThat(export.exitCode()).as(export.err() + export.out()).isZero();
        assertThat(export.out()).contains("argmax agreement 1.0000: passed");
        Path out = exportDirOf(export);
        for (String file : List.of("model.onnx", "featurizer.json", "labels.json", "parity.json", "MODEL_CARD.md")) {
            assertThat(out.resolve(file)).isRegularFile();
        }
        JsonNode parity = JSON.readTree(out.resolve("parity.json").toFile());
        assertThat(parity.get("passed").asBoolean()).isTrue();
        // the run's own test split, rebuilt from its config: as many examples as the run tested on
        int tested = JSON.readTree(dir.resolve("home/runs").resolve(train).resolve("results.json").toFile()).get("test_examples").asInt();
        assertThat(parity.get("examples").asInt()).isEqualTo(tested).isBetween(35, 45);
        assertThat(parity.get("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-4);
        assertThat(JSON.readTree(out.resolve("labels.json").toFile()).get("labels").toString()).isEqualTo("[\"ham\",\"spam\"]");
        assertThat(Files.readString(out.resolve("MODEL_CARD.md"))).contains("float32, as trained", "ham, spam");

        // the documented recipe, implemented here from its words alone, gives the ids of every test vector
        JsonNode card = JSON.readTree(out.resolve("featurizer.json").toFile());
        JsonNode recipe = card.get("recipe");
        assertThat(card.get("test_vectors")).hasSizeGreaterThanOrEqualTo(5);
        for (JsonNode v : card.get("test_vectors")) {
            List<Long> expected = new ArrayList<>();
            v.get("ids").forEach(id -> expected.add(id.asLong()));
            assertThat(recipeIds(v.get("text").asText(), recipe.get("ngrams").asInt(), recipe.get("buckets").asInt(),
                    recipe.get("max_tokens").asInt())).as(v.get("text").asText()).isEqualTo(expected);
            assertThat(v.get("logits")).hasSize(2);
        }

        // refused: an output directory holding a user's files, an unknown format
        Path busy = dir.resolve("busy");
        Files.createDirectories(busy);
        Files.writeString(busy.resolve("thesis.tex"), "years of work");
        Result refused = run("export", train, "--out", busy.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("already holds other files (thesis.tex)");
        assertThat(busy.resolve("thesis.tex")).hasContent("years of work");
        Result format = run("export", train, "--format", "tflite");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).contains("the only format is onnx");

        // a quantized model exports dequantized, and says so; the model may be named as --model, as eval takes it
        String quantized = runIdOf(run("quantize", "--model", train));
        Result q = run("export", "--model", quantized, "--out", dir.resolve("q").toString());
        assertThat(q.exitCode()).as(q.err()).isZero();
        assertThat(Files.readString(dir.resolve("q").resolve("MODEL_CARD.md"))).contains("8-bit integers", "dequantized to float32");

        // the compression search on a network that is no cnn: its precisions only (it failed after measuring them)
        Result search = run("compress", train);
        assertThat(search.exitCode()).as(search.err()).isZero();
        assertThat(search.out()).contains("searched over weight precisions only", "int8", "int4", "chosen (*)");

        // and eval takes it as an argument, as export does; two different models or none are refused
        Result eval = run("eval", train, "--data", f.toString());
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("accuracy");
        Result two = run("export", train, "--model", quantized);
        assertThat(two.exitCode()).isEqualTo(2);
        assertThat(two.err()).contains("The model (a run id, run directory or model directory) given twice");
        for (List<String> args : List.of(List.of("export", "--data", f.toString()), List.of("eval", "--data", f.toString()),
                List.of("serve"))) {
            String command = args.get(0);
            Result none = run(args.toArray(String[]::new));
            assertThat(none.exitCode()).as(command).isEqualTo(2);
            assertThat(none.err()).as(command).contains("Missing the model");
        }
    }

    @Test
    void aTfidfLinearModelExportsAndItsRecipeReproducesItsTestVectors() throws Exception {
        Path f = spamFile(20);
        String train = runIdOf(run("train", "--data", f.toString(), "--model", "linear"));
        Result prune = run("prune", train, "--sparsity", "0.5"); // was a NullPointerException: the run keeps no validation split
        assertThat(prune.exitCode()).isEqualTo(2);
        assertThat(prune.err()).contains("is a linear model, solved rather than trained by gradient steps", "quantize");
        assertThat(prune.out()).as("refused before its data is read").doesNotContain("test split", "cross-validation");
        String network = runIdOf(run("train", "--data", f.toString(), "--model", "ngram", "--width", "4", "--epochs", "1"));
        Result noHoldOut = run("prune", network, "--sparsity", "0.5"); // too few labels to hold some out
        assertThat(noHoldOut.exitCode()).isEqualTo(2);
        assertThat(noHoldOut.err()).contains("held out no validation split");

        Result export = run("export", train);
        assertThat(export.exitCode()).as(export.err() + export.out()).isZero();
        assertThat(export.out()).contains("argmax agreement 1.0000: passed");
        // With --model auto (the default) the run records no model spec; its test split is still found and checked on.
        Result auto = run("export", runIdOf(run("train", "--data", f.toString())));
        assertThat(auto.exitCode()).as(auto.err() + auto.out()).isZero();
        assertThat(auto.out()).contains("the test split of " + f, ": passed");
        // on dense features the card names the model without the text hash width, which it does not have
        StringBuilder table = new StringBuilder("x1,x2,label\n");
        for (int i = 0; i < 40; i++) {
            table.append(i % 7).append(',').append((i * 3) % 5).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
        }
        Path dense = Files.writeString(dir.resolve("dense.csv"), table);
        Result denseExport = run("export", runIdOf(run("train", "--data", dense.toString(), "--model", "linear")));
        assertThat(denseExport.exitCode()).as(denseExport.err() + denseExport.out()).isZero();
        assertThat(Files.readString(exportDirOf(denseExport).resolve("MODEL_CARD.md"))).contains("| architecture | `LinearSpec[c=")
                .doesNotContain("width=");
        // a text read from a column of another name: the card says which, as an application must feed that column
        StringBuilder tickets = new StringBuilder("body,label\n");
        for (int i = 0; i < 40; i++) {
            tickets.append(i % 2 == 0 ? "screen battery cable broken " : "password login locked out ").append(i).append(',')
                    .append(i % 2 == 0 ? "hardware" : "access").append('\n');
        }
        Path bodies = Files.writeString(dir.resolve("bodies.csv"), tickets);
        Result bodyExport = run("export", runIdOf(run("train", "--data", bodies.toString(), "--text-column", "body", "--model", "linear")));
        assertThat(bodyExport.exitCode()).as(bodyExport.err() + bodyExport.out()).isZero();
        assertThat(Files.readString(exportDirOf(bodyExport).resolve("MODEL_CARD.md")))
                .contains("the TF-IDF feature ids of the text (in the training data, column or key 'body')");
        JsonNode card = JSON.readTree(exportDirOf(export).resolve("featurizer.json").toFile());
        assertThat(Files.readString(exportDirOf(export).resolve("MODEL_CARD.md"))).contains("TF-IDF feature ids of the text,")
                .containsPattern("chosen by cross-validation \\| (logistic|squared hinge) loss, C [0-9.]+ \\|")
                .doesNotContain("n-gram bucket ids");
        JsonNode recipe = card.get("recipe");
        assertThat(recipe.get("featurizer").asText()).isEqualTo("tfidf");
        assertThat(recipe.get("min_char_gram").asInt()).isEqualTo(2);
        assertThat(recipe.get("max_char_gram").asInt()).isEqualTo(5);
        assertThat(card.get("input").get("shape").toString()).isEqualTo("[\"batch\",2,\"length\"]");
        assertThat(card.get("test_vectors")).hasSizeGreaterThanOrEqualTo(5);
        for (JsonNode v : card.get("test_vectors")) {
            java.util.TreeMap<Long, Integer> counts = tfidfRecipeCounts(v.get("text").asText(), recipe.get("buckets").asInt(),
                    recipe.get("max_chars").asInt(), recipe.get("min_char_gram").asInt(), recipe.get("max_char_gram").asInt());
            List<Long> ids = new ArrayList<>();
            v.get("ids").forEach(id -> ids.add(id.asLong()));
            assertThat(ids).as(v.get("text").asText()).containsExactlyElementsOf(counts.keySet());
            int i = 0;
            for (int count : counts.values()) {
                assertThat((float) v.get("tf").get(i++).asDouble()).isEqualTo((float) (1 + Math.log(count)));
            }
        }
    }

    /** featurizer.json's TF-IDF recipe, from its words: each distinct id with its count. */
    private static java.util.TreeMap<Long, Integer> tfidfRecipeCounts(String text, int buckets, int maxChars, int minGram,
            int maxGram) {
        List<String> words = recipeWords((text.length() > maxChars ? text.substring(0, maxChars) : text), Integer.MAX_VALUE);
        long half = buckets / 2;
        java.util.TreeMap<Long, Integer> counts = new java.util.TreeMap<>();
        for (int i = 0; i < words.size(); i++) {
            counts.merge(1 + Math.floorMod(fnv(words.get(i)), half - 1), 1, Integer::sum);
            if (i + 1 < words.size()) {
                counts.merge(1 + Math.floorMod(fnv(words.get(i) + " " + words.get(i + 1)), half - 1), 1, Integer::sum);
            }
            String padded = " " + words.get(i) + " ";
            for (int n = minGram; n <= maxGram; n++) {
                for (int s = 0; s + n <= padded.length(); s++) {
                    counts.merge(half + Math.floorMod(fnv("\u0001" + padded.substring(s, s + n)), buckets - half), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_16LE)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** featurizer.json's text recipe, step by step, as someone reimplementing it from the document would write it. */
    private static List<Long> recipeIds(String text, int ngrams, int buckets, int maxTokens) {
        List<String> words = recipeWords(text, maxTokens);
        List<Long> ids = new ArrayList<>();
        for (int n = 1; n <= ngrams; n++) {
            for (int i = 0; i + n <= words.size() && ids.size() < maxTokens; i++) {
                ids.add(1 + Math.floorMod(fnv(String.join(" ", words.subList(i, i + n))), (long) buckets - 1));
            }
        }
        return ids;
    }

    /** Both recipes' words: the lower-cased text's runs of letters and digits, at most {@code limit} of them. */
    private static List<String> recipeWords(String text, int limit) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (char c : (text.toLowerCase(Locale.ROOT) + " ").toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                word.append(c);
            } else if (word.length() > 0) {
                if (words.size() < limit) {
                    words.add(word.toString());
                }
                word.setLength(0);
            }
        }
        return words;
    }
}
