package dev.distillery.export;

import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.model.Featurizer;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.NgramBagSpec;
import dev.distillery.model.NgramFeaturizer;
import dev.distillery.model.TfidfFeaturizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code featurizer.json}: how to turn a raw input into the exported graph's input, exactly enough to reimplement in
 * any language, with test vectors (inputs, the ids or features they become, and the logits the graph must give).
 * The test inputs are made up here, never taken from the user's data, so nothing of the data leaves in the export.
 */
public final class FeaturizerCard {
    /**
     * Texts that exercise every rule of the text recipe: case, punctuation and digits as separators or word parts,
     * letters beyond ASCII, characters outside the Basic Multilingual Plane (never word characters), a repeated
     * n-gram, and the empty text.
     */
    static final List<String> TEXTS = List.of(
            "Free money!!! Click here to claim your prize",
            "Meeting moved to 3pm; see agenda v2.1",
            "Ünïcödé straße ΣΟΦΙΑ naïve café 東京 2024",
            "emoji \uD83D\uDE00 between words \uD83D\uDE80rocket",
            "the the the the",
            "");

    private FeaturizerCard() {}

    /** The TF-IDF model's recipe ({@link TfidfFeaturizer}), step by step. */
    private static Map<String, Object> tfidfRecipe(TfidfFeaturizer tfidf) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("featurizer", "tfidf");
        recipe.put("buckets", tfidf.buckets());
        recipe.put("max_chars", TfidfFeaturizer.MAX_CHARS);
        recipe.put("min_char_gram", tfidf.minCharGram());
        recipe.put("max_char_gram", tfidf.maxCharGram());
        String fnv = "FNV-1a 64-bit over UTF-16 code units, each fed as its low byte then its high byte (UTF-16LE), offset "
                + "basis 0xcbf29ce484222325, prime 0x100000001b3, wrapping signed 64-bit; floorMod is the non-negative remainder";
        recipe.put("steps", List.of(
                "take the first max_chars UTF-16 code units of the text, then lower-case them with Unicode's full case "
                        + "mapping, locale-independent (Java's String.toLowerCase(Locale.ROOT))",
                "words: the maximal runs of UTF-16 code units that are letters or decimal digits (Unicode general category "
                        + "L* or Nd; the two halves of a surrogate pair never are), in order",
                "half = buckets / 2 (integer division). " + fnv,
                "for each word w at position i: the word id 1 + floorMod(fnv(w), half - 1); if a word follows, the bigram id "
                        + "1 + floorMod(fnv(w + ' ' + next), half - 1); then for the word padded with one space (U+0020) on "
                        + "each side, for each n from min_char_gram to max_char_gram and each start position, the character n-gram id half + "
                        + "floorMod(fnv(U+0001 + gram), buckets - half)",
                "count each distinct id; its term frequency is 1 + ln(count) computed in double precision and rounded to "
                        + "float32; list the distinct ids in ascending order",
                "input row 0: the ids as float32; row 1: their term frequencies; pad both rows with 0 to the longest text "
                        + "of the batch (at least one position); IDF, length normalization and weights are in the graph"));
        return recipe;
    }

    /** The made-up examples whose graph outputs become test vectors. */
    public static List<Example> testInputs(Schema schema) {
        List<Example> out = new ArrayList<>();
        if (schema.kind() == Schema.Kind.TEXT) {
            for (int i = 0; i < TEXTS.size(); i++) {
                out.add(Example.text("test-vector-" + i, TEXTS.get(i), null, "featurizer-card"));
            }
            return out;
        }
        int size = schema.featureSize();
        Random rng = new Random(7);
        float[] ramp = new float[size];
        float[] random = new float[size];
        for (int j = 0; j < size; j++) {
            ramp[j] = size == 1 ? 0f : j / (float) (size - 1);
            random[j] = rng.nextFloat();
        }
        out.add(Example.dense("test-vector-0", new float[size], null, "featurizer-card"));
        out.add(Example.dense("test-vector-1", ramp, null, "featurizer-card"));
        out.add(Example.dense("test-vector-2", random, null, "featurizer-card"));
        return out;
    }

    /** The document: input contract, recipe and test vectors with the logits {@code logits} gave for them. */
    static Map<String, Object> describe(Schema schema, ModelSpec spec, Featurizer featurizer, List<Example> inputs,
            float[][] logits) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", 1);
        doc.put("labels", schema.labels());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", OnnxExporter.INPUT);
        List<Object> shape = new ArrayList<>(List.of(OnnxGraph.BATCH));
        List<Map<String, Object>> vectors = new ArrayList<>();
        if (featurizer instanceof TfidfFeaturizer tfidf) {
            input.put("dtype", "float32");
            shape.add(2);
            shape.add("length");
            input.put("shape", shape);
            doc.put("input", input);
            doc.put("kind", "text");
            doc.put("recipe", tfidfRecipe(tfidf));
            for (int i = 0; i < inputs.size(); i++) {
                TfidfFeaturizer.Features f = tfidf.features(inputs.get(i).text());
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("text", inputs.get(i).text());
                v.put("ids", f.ids());
                v.put("tf", f.tf());
                v.put("logits", logits[i]);
                vectors.add(v);
            }
        } else if (schema.kind() == Schema.Kind.TEXT) {
            NgramBagSpec ngram = (NgramBagSpec) spec;
            NgramFeaturizer ngrams = (NgramFeaturizer) featurizer;
            input.put("dtype", "int64");
            shape.add("length");
            input.put("shape", shape);
            doc.put("input", input);
            doc.put("kind", "text");
            Map<String, Object> recipe = new LinkedHashMap<>();
            recipe.put("featurizer", "ngram");
            recipe.put("ngrams", ngram.ngrams());
            recipe.put("buckets", ngram.buckets());
            recipe.put("max_tokens", ngram.maxTokens());
            recipe.put("steps", List.of(
                    "lower-case the whole text with Unicode's full case mapping, locale-independent (Java's "
                            + "String.toLowerCase(Locale.ROOT))",
                    "words: the maximal runs of UTF-16 code units that are letters or decimal digits (Unicode general "
                            + "category L* or Nd; the two halves of a surrogate pair never are), in order, at most max_tokens",
                    "n-grams: for n = 1 .. ngrams, for each start position in order, the n words joined by one space (U+0020)",
                    "hash: FNV-1a 64-bit over the n-gram's UTF-16 code units, each fed as its low byte then its high byte "
                            + "(UTF-16LE), offset basis 0xcbf29ce484222325, prime 0x100000001b3, wrapping signed 64-bit",
                    "id = 1 + floorMod(hash, buckets - 1), floorMod being the non-negative remainder of the signed hash",
                    "stop after max_tokens ids",
                    "batch: pad every row with id 0 to the longest row of the batch (at least one position); 0 is ignored"));
            doc.put("recipe", recipe);
            for (int i = 0; i < inputs.size(); i++) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("text", inputs.get(i).text());
                v.put("ids", ngrams.ids(inputs.get(i).text()));
                v.put("logits", logits[i]);
                vectors.add(v);
            }
        } else {
            input.put("dtype", "float32");
            shape.addAll(schema.featureShape());
            input.put("shape", shape);
            if (!schema.featureNames().isEmpty()) {
                input.put("feature_names", schema.featureNames()); // the training file's columns, in input order
            }
            if (!schema.fill().isEmpty()) {
                input.put("fill", schema.fill()); // by feature name, what a missing value is read as
            }
            doc.put("input", input);
            doc.put("kind", schema.featureShape().size() == 3 ? "image" : "dense");
            doc.put("recipe", Map.of("steps", List.of(
                    "the features exactly as Distillery reads them, row-major in the input's shape: numbers of a CSV or "
                            + "JSONL record as given; a CSV category column as its 0/1 features, 1 in the one named "
                            + "column=value and 0 in the column's others (all 0 for a missing value); a missing number"
                            + " (an empty cell, NA, JSON null) as input.fill's value for its feature, the median of the"
                            + " training data; IDX image pixels divided by 255 (0..1), channels first",
                    "no scaling or normalization is left to do: input normalization, where the model has one, is inside the graph")));
            for (int i = 0; i < inputs.size(); i++) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("features", inputs.get(i).features());
                v.put("logits", logits[i]);
                vectors.add(v);
            }
        }
        doc.put("outputs", Map.of(OnnxExporter.LOGITS, "float32 (batch, classes), raw scores in label order",
                OnnxExporter.PROBABILITIES, "float32 (batch, classes), softmax of the logits"));
        doc.put("test_vectors", vectors);
        return doc;
    }
}
