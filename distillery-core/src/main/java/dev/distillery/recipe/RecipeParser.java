package dev.distillery.recipe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.distillery.data.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a recipe file. Every complaint names the file, the line and what was expected: one {@link DataFormatException}
 * (exit code 2). The structure is checked here; whether each command knows its options is checked by the caller's
 * {@link StageCommands}, still before anything runs.
 *
 * <pre>
 * name: spam                     # optional; default: the file name
 * stages:
 *   teacher:
 *     command: train
 *     with: {data: spamassassin, model: ngram, epochs: 3}
 *   small:
 *     command: quantize
 *     args: ["${stages.teacher.run}"]
 *     with: {bits: 8}
 * </pre>
 */
public final class RecipeParser {
    private static final Set<String> TOP_KEYS = Set.of("name", "stages", "intended_use");
    private static final Set<String> STAGE_KEYS = Set.of("command", "args", "with", "after");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RecipeParser() {}

    public static Recipe parse(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw DataFormatException.notFound(file, "a recipe YAML file");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not read " + file, e);
        }
        Map<String, Integer> lines = lines(file, text);
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new DataFormatException(file + ":" + lineOf(e), "not valid YAML", "a YAML mapping with 'stages'");
        }
        if (root == null || !root.isObject()) {
            throw new DataFormatException(file + ":1", "the recipe is not a mapping", "keys 'name' and 'stages'");
        }
        checkKeys(file, lines, "", root, TOP_KEYS);
        String name = root.path("name").isTextual() ? root.get("name").asText() : stem(file);
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new DataFormatException(at(file, lines, "/name"), "name '" + name + "' is not a plain word", "letters, digits, '.', '_' or '-'");
        }
        JsonNode stagesNode = root.path("stages");
        if (!stagesNode.isObject() || stagesNode.isEmpty()) {
            throw new DataFormatException(at(file, lines, "/stages"), "no stages", "'stages:' mapping stage names to {command, args, with}");
        }
        List<Recipe.Stage> stages = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stagesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String stageName = e.getKey();
            String pointer = "/stages/" + stageName;
            if (!stageName.matches("[A-Za-z][A-Za-z0-9_-]{0,63}")) {
                throw new DataFormatException(at(file, lines, pointer), "stage name '" + stageName + "' is not a plain word",
                        "a letter, then letters, digits, '_' or '-'");
            }
            JsonNode s = e.getValue();
            if (!s.isObject()) {
                throw new DataFormatException(at(file, lines, pointer), "stage " + stageName + " is not a mapping", "{command, args, with, after}");
            }
            checkKeys(file, lines, pointer, s, STAGE_KEYS);
            if (!s.path("command").isTextual() || s.get("command").asText().isBlank()) {
                throw new DataFormatException(at(file, lines, pointer), "stage " + stageName + " has no command", "command: train (or data split, quantize, ...)");
            }
            List<String> command = List.of(s.get("command").asText().trim().split("\\s+"));
            // A whole command line under command: would run, but the references in it would go unseen by the order of
            // the stages: a student could run before its teacher.
            int firstOption = 0;
            while (firstOption < command.size() && !command.get(firstOption).startsWith("-") && !command.get(firstOption).contains("${")) {
                firstOption++;
            }
            if (firstOption < command.size()) {
                throw new DataFormatException(at(file, lines, pointer + "/command"), "stage " + stageName + "'s command holds"
                        + " options or references ('" + String.join(" ", command.subList(firstOption, command.size())) + "')",
                        "the command alone (command: " + (firstOption == 0 ? "train" : String.join(" ", command.subList(0, firstOption))) + "), its"
                                + " options under with: (with: {data: ..., epochs: 3}) and its arguments under args:");
            }
            List<String> args = new ArrayList<>();
            if (s.has("args")) {
                if (!s.get("args").isArray()) {
                    throw new DataFormatException(at(file, lines, pointer + "/args"), "args is not a list", "args: [value, ...]");
                }
                for (JsonNode a : s.get("args")) {
                    if (!a.isValueNode()) {
                        throw new DataFormatException(at(file, lines, pointer + "/args"), "an argument is not a plain value", "strings or numbers");
                    }
                    args.add(a.asText());
                }
            }
            Map<String, Object> options = new LinkedHashMap<>();
            if (s.has("with")) {
                if (!s.get("with").isObject()) {
                    throw new DataFormatException(at(file, lines, pointer + "/with"), "with is not a mapping", "with: {option: value, ...}");
                }
                for (Iterator<Map.Entry<String, JsonNode>> o = s.get("with").fields(); o.hasNext(); ) {
                    Map.Entry<String, JsonNode> opt = o.next();
                    options.put(opt.getKey(), value(file, lines, pointer + "/with/" + opt.getKey(), opt.getValue()));
                }
            }
            List<String> after = new ArrayList<>();
            if (s.has("after")) {
                for (JsonNode a : s.get("after").isArray() ? s.get("after") : YAML.createArrayNode().add(s.get("after"))) {
                    after.add(a.asText());
                }
            }
            Map<String, Integer> keyLines = new HashMap<>();
            keyLines.put("args", lines.getOrDefault(pointer + "/args", lines.getOrDefault(pointer, 1)));
            keyLines.put("after", lines.getOrDefault(pointer + "/after", lines.getOrDefault(pointer, 1)));
            for (String option : options.keySet()) {
                keyLines.put(option, lines.getOrDefault(pointer + "/with/" + option, lines.getOrDefault(pointer, 1)));
            }
            stages.add(new Recipe.Stage(stageName, command, List.copyOf(args), options, List.copyOf(after),
                    lines.getOrDefault(pointer, 1), Map.copyOf(keyLines)));
        }
        JsonNode use = root.path("intended_use");
        if (!use.isMissingNode() && !use.isTextual()) {
            throw new DataFormatException(at(file, lines, "/intended_use"), "intended_use is not text", "intended_use: what the model is for, and not for");
        }
        Recipe recipe = new Recipe(name, file, List.copyOf(stages), use.isTextual() ? use.asText().trim() : null);
        Dag.of(recipe); // references and cycles, checked before anything runs
        return recipe;
    }

    private static Object value(Path file, Map<String, Integer> lines, String pointer, JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isNumber() || v.isBoolean()) {
            return v.isBoolean() ? (Object) v.asBoolean() : v.asText();
        }
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode i : v) {
                if (!i.isValueNode()) {
                    throw new DataFormatException(at(file, lines, pointer), "a list item is not a plain value", "strings or numbers");
                }
                items.add(i.asText());
            }
            return items;
        }
        throw new DataFormatException(at(file, lines, pointer), "value is " + v.getNodeType(), "a string, number, true/false or a list");
    }

    private static void checkKeys(Path file, Map<String, Integer> lines, String pointer, JsonNode node, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new DataFormatException(at(file, lines, pointer + "/" + key), "unknown key '" + key + "'",
                        "one of " + new java.util.TreeSet<>(allowed));
            }
        }
    }

    static String at(Path file, Map<String, Integer> lines, String pointer) {
        return file + ":" + lines.getOrDefault(pointer, 1);
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static int lineOf(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
            return j.getLocation().getLineNr();
        }
        return 1;
    }

    /** The line of every mapping key, by its JSON pointer ({@code /stages/teacher/with/epochs}). */
    static Map<String, Integer> lines(Path file, String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            Deque<String> path = new ArrayDeque<>();
            Deque<Boolean> inObject = new ArrayDeque<>();
            String pendingField = null;
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                switch (t) {
                    case FIELD_NAME -> {
                        pendingField = p.currentName();
                        String pointer = pointer(path) + "/" + pendingField;
                        lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
                    }
                    case START_OBJECT, START_ARRAY -> {
                        if (pendingField != null) {
                            path.addLast(pendingField);
                        } else if (!inObject.isEmpty()) {
                            path.addLast("-");
                        }
                        inObject.addLast(t == JsonToken.START_OBJECT);
                        pendingField = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        inObject.pollLast();
                        if (!path.isEmpty() && !inObject.isEmpty()) {
                            path.pollLast();
                        }
                        pendingField = null;
                    }
                    default -> pendingField = null;
                }
            }
        } catch (IOException e) {
            return lines; // the tree parse reports the syntax error with its line
        }
        return lines;
    }

    private static String pointer(Deque<String> path) {
        return path.isEmpty() ? "" : "/" + String.join("/", path);
    }
}
