package dev.distillery.spark;

import dev.distillery.curate.CurateConfig;
import dev.distillery.curate.Curator;
import dev.distillery.curate.DocFiles;
import dev.distillery.curate.NearDedup;
import dev.distillery.curate.StepReport;
import dev.distillery.data.OnError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The embedded side of bench/neardup-throughput, measured like {@link MllibNearDuplicates}: the curation pipeline with
 * its near-dedup step only (curate's own code, streamed from the file as {@code distillery curate} does) run
 * {@code REPEATS} times in one JVM, one JSON line per run with the step's documents per second (its own timing,
 * reading excluded); the first run is cold, later ones warm. Writes the pairs of the last run.
 *
 * <p>Usage: EmbeddedNearDuplicates CORPUS.jsonl PAIRS.jsonl THRESHOLD [REPEATS]
 */
public final class EmbeddedNearDuplicates {
    private EmbeddedNearDuplicates() {}

    public static void main(String[] args) throws IOException {
        BenchmarkRuns.checkArguments(args, 3, 4, "EmbeddedNearDuplicates CORPUS.jsonl PAIRS.jsonl THRESHOLD [REPEATS]");
        Path corpus = Path.of(args[0]);
        double threshold = Double.parseDouble(args[2]);
        int repeats = args.length == 4 ? Integer.parseInt(args[3]) : 1;
        CurateConfig config = new CurateConfig(List.of(new CurateConfig.StepConfig("near-dedup", Map.of("threshold", threshold,
                "shingle", NearDedup.DEFAULT_SHINGLE, "permutations", NearDedup.DEFAULT_PERMUTATIONS))));
        List<NearDedup.IdPair> pairs = List.of();
        for (int run = 1; run <= repeats; run++) {
            Curator curator = new Curator(config, ignored -> List.of());
            Curator.Result r = curator.run(DocFiles.source(corpus, OnError.FAIL, DocFiles.TEXT), d -> { }, m -> { });
            StepReport step = r.reports().get(0);
            pairs = ((NearDedup) curator.steps().get(0)).lastPairs();
            BenchmarkRuns.printRun(run, step.in(), step.seconds(), pairs.size(), "");
        }
        BenchmarkRuns.writePairs(Path.of(args[1]),
                pairs.stream().map(p -> new BenchmarkRuns.Pair(p.a(), p.b(), p.jaccard())).toList());
    }
}
