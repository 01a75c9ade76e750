package dev.distillery.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Text candidates from any OpenAI-compatible chat-completions server (llama.cpp server, vLLM, Ollama): for each
 * candidate a class is drawn in the examples' proportions and one of its examples fills the prompt's
 * {@code {example}}, the class name its {@code {label}}; the reply is the candidate, meant for that class.
 * Verifiers then judge it like any other candidate. Retries, rate limit and the response cache are the client's.
 */
public final class ChatGenerator implements Generator<String> {
    /** The prompt used when the user gives none. */
    public static final PromptTemplate DEFAULT_PROMPT = new PromptTemplate(
            "Here is an example of a text of the class \"{label}\":\n\n{example}\n\n"
                    + "Write one new, different text of the same class \"{label}\", similar in length and style. "
                    + "Reply with the text only.");

    private final ChatClient client;
    private final PromptTemplate prompt;
    private final List<String> classNames;
    private final double temperature;
    private final int maxTokens;

    public ChatGenerator(ChatClient client, PromptTemplate prompt, List<String> classNames, double temperature, int maxTokens) {
        for (String name : prompt.placeholders()) {
            if (!name.equals("label") && !name.equals("example")) {
                throw new IllegalArgumentException("the prompt uses {" + name + "}; a synthesis prompt can use {label} and {example}");
            }
        }
        this.client = client;
        this.prompt = prompt;
        this.classNames = List.copyOf(classNames);
        this.temperature = temperature;
        this.maxTokens = maxTokens;
    }

    @Override
    public String name() {
        return "chat";
    }

    @Override
    public List<Candidate<String>> generate(List<String> examples, int[] labels, int n, Random rng) {
        List<Candidate<String>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int pick = rng.nextInt(examples.size());
            String text = prompt.fill(Map.of("label", classNames.get(labels[pick]), "example", examples.get(pick)));
            String reply = client.complete(List.of(ChatClient.Message.user(text)), temperature, maxTokens).strip();
            out.add(new Candidate<>(reply, labels[pick], name()));
        }
        return out;
    }
}
