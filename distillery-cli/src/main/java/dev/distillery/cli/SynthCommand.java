package dev.distillery.cli;

import dev.distillery.synth.ChatClient;
import dev.distillery.synth.PromptTemplate;
import dev.distillery.synth.SynthJob;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate labeled synthetic examples and keep only the verified ones.",
                "Image generators: augment (shifted crops, flips, small affine maps, elastic distortion, same-class " +
                        "mixup) and cvae (a class-conditional VAE fitted to the labeled images, then sampled). Text " +
                        "generators: eda (WordNet synonyms replaced and inserted, word swaps, deletions), lm (a " +
                        "class-conditional neural word language model fitted to the labeled texts, then sampled) and chat " +
                        "(any OpenAI-compatible chat-completions server: --chat-url; API key, if any, in the environment " +
                        "variable DISTILLERY_CHAT_API_KEY). Each candidate must pass, in order: text quality (text only); the" +
                        " teacher, which must predict the intended label with at least --min-confidence; leakage (no " +
                        "near-copy of a real example in DATA or --test); novelty (no near-copy of a candidate accepted before" +
                        " it).",
                "Similarity: Jaccard of word 5-grams (text), cosine of pixels (images).",
                "Writes the accepted examples as JSON Lines, a verdict per candidate and the acceptance rates per " +
                        "generator and reason."},
        footer = {"", "Example:",
                "  distillery synth fashion-mnist --teacher <run> --labeled 600 --candidates 6000 \\",
                "      --test fashion-mnist:test --out synth.jsonl"})
final class SynthCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    DataArgument dataArgument;

    @Option(names = "--teacher", required = true, paramLabel = "RUN", description = "The verifying teacher: a run id (or prefix) or a model directory.")
    String teacher;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the accepted examples (JSON Lines, atomically).")
    Path out;

    @Option(names = "--labeled", paramLabel = "AMOUNT", description = "Generate from only this many labels (600, 1%%), stratified. Default: all.")
    String labeled;

    @Option(names = "--candidates", defaultValue = "1000", paramLabel = "N", description = "Candidates to generate. Default: ${DEFAULT-VALUE}.")
    int candidates;

    @Option(names = "--test", paramLabel = "DATA", description = "Test data no candidate may nearly copy.")
    String test;

    @Option(names = "--min-confidence", defaultValue = "0.9", paramLabel = "P",
            description = "The teacher's least probability for the intended label. Default: ${DEFAULT-VALUE}.")
    double minConfidence;

    @Option(names = "--leakage", paramLabel = "SIM",
            description = "Reject candidates at least this similar to a real example. Default: 0.8 (text), 0.98 (images).")
    Double leakage;

    @Option(names = "--novelty", paramLabel = "SIM",
            description = "Reject candidates at least this similar to one already accepted. Default: 0.9 (text), 0.995 (images).")
    Double novelty;

    @Option(names = "--generators", split = ",", paramLabel = "G",
            description = "Generators sharing the candidates. Default: augment,cvae (images); eda, plus chat with --chat-url (text).")
    List<String> generators;

    @Option(names = "--chat-url", paramLabel = "URL",
            description = "Base URL of an OpenAI-compatible server, e.g. http://localhost:8080 (llama.cpp), http://localhost:11434 (Ollama).")
    java.net.URI chatUrl;

    @Option(names = "--chat-model", defaultValue = "default", paramLabel = "NAME", description = "Model name sent to the server. Default: ${DEFAULT-VALUE}.")
    String chatModel;

    @Option(names = "--chat-prompt", paramLabel = "FILE",
            description = "Prompt template file with {label} and {example} placeholders. Default: a built-in prompt.")
    Path chatPrompt;

    @Option(names = "--chat-rate", defaultValue = "5", paramLabel = "N", description = "Requests per second at most. Default: ${DEFAULT-VALUE}.")
    double chatRate;

    @Option(names = "--no-verify", description = "Keep every candidate (the unverified baseline).")
    boolean noVerify;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    OnErrorOption onError;

    @Mixin
    ColumnOptions columns;

    @Override
    public Integer call() {
        String data = dataArgument.ref();
        Context ctx = Context.fromEnvironment();
        Path teacherDir = ModelRef.resolve(ctx, teacher);
        SynthJob.Spec s = new SynthJob.Spec(data, test, labeled, candidates, minConfidence, leakage, novelty, !noVerify, seed,
                onError.policy, generators);
        SynthJob job = new SynthJob(columns.applyTo(ctx.catalog()), ctx.runs(), System.out::println);
        if (chatUrl != null) {
            // The API key comes from the environment, never from the command line, so it stays out of shell history and run records.
            ChatClient.Settings settings = new ChatClient.Settings(chatUrl, chatModel, System.getenv("DISTILLERY_CHAT_API_KEY"),
                    java.time.Duration.ofSeconds(60), 3, java.time.Duration.ofSeconds(1), chatRate, ctx.home().chatCache());
            PromptTemplate prompt = null;
            if (chatPrompt != null) {
                try {
                    prompt = new PromptTemplate(java.nio.file.Files.readString(chatPrompt));
                } catch (java.io.IOException e) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "cannot read --chat-prompt " + chatPrompt + ": " + e.getMessage());
                }
            }
            job = job.withChat(new ChatClient(settings), prompt);
        }
        SynthJob.Outcome o = job.run(s, teacherDir, out,
                List.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
        System.out.printf("%,d of %,d candidates accepted, written to %s%n", o.written(), o.report().outcomes().size(), o.output());
        System.out.println("run saved to " + o.run().dir());
        return 0;
    }
}
