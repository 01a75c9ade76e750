package dev.distillery.curate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The curation pipeline as data: an ordered list of steps, each with its options, read from YAML or
 * JSON. Unknown steps and options are errors naming the file and the step, so a typo never silently
 * turns a rule off.
 *
 * <pre>
 * steps:
 *   - normalize: {}
 *   - exact-dedup: {}
 *   - near-dedup: {threshold: 0.8, shingle: 5, permutations: 128}
 *   - semantic-dedup: {threshold: 0.9}   # optional: MiniLM embeddings, cosine
 *   - quality: {min_words: 5}
 *   - pii: {}
 *   - language: {keep: [en]}          # without keep: detect and count only
 *   - decontaminate: {test: test.jsonl, ngram: 13, min_overlap: 0.5, boilerplate_docs: 3}
 * </pre>
 */
public record CurateConfig(List<StepConfig> steps) {

    /** What a curation of {@code input} reads: the input and each decontamination step's test file. */
    public List<Path> inputs(Path input) {
        List<Path> inputs = new ArrayList<>(List.of(input));
        steps.stream().filter(s -> s.name().equals("decontaminate"))
                .forEach(s -> inputs.add(Path.of(String.valueOf(s.options().get("test")))));
        return inputs;
    }

    /** One step: its name and options. */
    public record StepConfig(String name, Map<String, Object> options) {}

    static final Map<String, Set<String>> OPTIONS = Map.of(
            "normalize", Set.of(),
            "exact-dedup", Set.of(),
            "near-dedup", Set.of("threshold", "shingle", "permutations", "seed"),
            "quality", Set.of("min_words", "max_words", "min_mean_word_length", "max_mean_word_length", "max_symbol_ratio",
                    "min_alpha_word_ratio", "max_duplicate_line_ratio", "max_top_bigram_ratio"),
            "semantic-dedup", Set.of("threshold", "max_tokens", "seed"),
            "pii", Set.of("fields"),
            "language", Set.of("keep", "candidates", "max_chars"),
            "decontaminate", Set.of("test", "ngram", "min_overlap", "boilerplate_docs"));

    /** The default pipeline: every step but decontamination (which needs a test set), with default options; language is counted, not filtered. */
    public static CurateConfig defaults(String testFile) {
        List<StepConfig> steps = new ArrayList<>(List.of(new StepConfig("normalize", Map.of()),
                new StepConfig("exact-dedup", Map.of()), new StepConfig("near-dedup", Map.of()),
                new StepConfig("quality", Map.of()), new StepConfig("language", Map.of()), new StepConfig("pii", Map.of())));
        if (testFile != null) {
            steps.add(new StepConfig("decontaminate", Map.of("test", testFile)));
        }
        return new CurateConfig(steps);
    }

    public static CurateConfig read(Path file) {
        ObjectMapper mapper = file.toString().endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid " + (file.toString().endsWith(".json") ? "JSON" : "YAML") + ": "
                    + e.getMessage(), e);
        }
        JsonNode steps = root == null ? null : root.get("steps");
        if (steps == null || !steps.isArray() || steps.isEmpty()) {
            throw new IllegalArgumentException(file + ": expected a non-empty 'steps' list");
        }
        List<StepConfig> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            JsonNode s = steps.get(i);
            String where = file + ", step " + (i + 1);
            String name;
            JsonNode opts;
            if (s.isTextual()) {
                name = s.asText();
                opts = mapper.createObjectNode();
            } else if (s.isObject() && s.size() == 1) {
                name = s.fieldNames().next();
                opts = s.get(name).isNull() ? mapper.createObjectNode() : s.get(name);
            } else {
                throw new IllegalArgumentException(where + ": expected a step name or {name: {options}}");
            }
            Set<String> allowed = OPTIONS.get(name);
            if (allowed == null) {
                throw new IllegalArgumentException(where + ": unknown step '" + name + "'; steps are " + OPTIONS.keySet());
            }
            for (Iterator<String> it = opts.fieldNames(); it.hasNext(); ) {
                String opt = it.next();
                if (!allowed.contains(opt)) {
                    throw new IllegalArgumentException(where + " (" + name + "): unknown option '" + opt + "'; options are " + allowed);
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = mapper.convertValue(opts, Map.class);
            out.add(new StepConfig(name, map));
        }
        return new CurateConfig(out);
    }
}
