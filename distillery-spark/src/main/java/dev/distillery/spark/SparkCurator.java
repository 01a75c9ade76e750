package dev.distillery.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.curate.CurateConfig;
import dev.distillery.curate.CurateStep;
import dev.distillery.curate.Curator;
import dev.distillery.curate.ExactDedup;
import dev.distillery.curate.MinHash;
import dev.distillery.curate.NearDedup;
import dev.distillery.curate.RecordStep;
import dev.distillery.curate.Verdict;
import dev.distillery.curate.DocFiles;
import dev.distillery.data.BadRecordException;
import dev.distillery.data.OnError;
import dev.distillery.data.Utf8Lines;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The curation pipeline on Apache Spark: the same steps as the embedded {@link Curator}, built from the
 * same {@link CurateConfig} and calling the same core code (normalization, rules, redaction, MinHash),
 * distributed. Duplicate groups keep their smallest id, as the embedded engine does, so both engines keep
 * the same records. Near-duplicate candidates come from LSH buckets grouped across the cluster and are
 * verified by exact Jaccard; only the verified pairs (few) travel to the driver to be clustered.
 */
public final class SparkCurator {
    private SparkCurator() {}

    /** A record: id, text, and the JSON object it came from (as text, with the current text in it). */
    public record SDoc(String id, String text, String json) implements Serializable {}

    /** A step's verdict on one record: kept (possibly changed), or removed with a reason; and what changed. */
    record Tagged(SDoc doc, String removedFor, Map<String, Long> changes) implements Serializable {
        static Tagged keep(SDoc d) {
            return new Tagged(d, null, Map.of());
        }
    }

    /** One step's funnel line. */
    public record StepCounts(String step, long in, long out, double seconds, Map<String, Long> removed,
            Map<String, Long> changes) implements Serializable {}

    public record Result(JavaRDD<SDoc> kept, List<StepCounts> funnel) {}

    /** One line of the input: its number and either a record or the problem that makes it a bad line. */
    private record Line(long number, SDoc doc, String problem) implements Serializable {}

    /**
     * Reads JSON Lines into records by the same rules as the embedded engine ({@link DocFiles#parse}: strict UTF-8 per
     * line, a byte-order mark and CRLF accepted, ids defaulting to {@code file#line}, the first record of an id kept and
     * later ones bad). Under {@link OnError#FAIL} the first bad line, in file order, is the error the embedded engine
     * gives; under SKIP bad lines are dropped and counted in {@code skipped} (index 0), never silently.
     */
    public static JavaRDD<SDoc> readJsonl(JavaSparkContext sc, String path, String textColumn, OnError onError, long[] skipped) {
        String name = java.nio.file.Path.of(path).getFileName().toString();
        // Bytes, not Hadoop's decoded text (which replaces invalid UTF-8 silently); Text objects are reused, so copied.
        JavaRDD<Line> lines = sc.hadoopFile(path, TextInputFormat.class, LongWritable.class, Text.class)
                .map(t -> java.util.Arrays.copyOf(t._2().getBytes(), t._2().getLength()))
                .zipWithIndex()
                .map(t -> {
                    int number = Math.toIntExact(t._2() + 1);
                    DocFiles.Parsed p = DocFiles.parse(name, Utf8Lines.decode(t._1(), t._1().length, number), textColumn);
                    return p.doc() == null ? new Line(number, null, p.problem())
                            : new Line(number, new SDoc(p.doc().id(), p.doc().text(), p.doc().fields().toString()), null);
                })
                .filter(l -> l.doc() != null || l.problem() != null); // blank lines
        JavaPairRDD<String, Line> records = lines.filter(l -> l.doc() != null).mapToPair(l -> new Tuple2<>(l.doc().id(), l));
        JavaPairRDD<String, Long> firstLine = records.mapValues(Line::number).reduceByKey(Math::min);
        JavaRDD<Line> checked = lines.filter(l -> l.doc() == null).union(records.join(firstLine).values()
                .map(t -> t._1().number() == t._2() ? t._1() : new Line(t._1().number(), null, "duplicate id '" + t._1().doc().id() + "'")))
                .persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Line> bad = checked.filter(l -> l.problem() != null);
        skipped[0] = bad.count();
        if (skipped[0] > 0 && onError == OnError.FAIL) {
            Line first = bad.min(new FirstLine());
            checked.unpersist(false);
            throw new BadRecordException(path + ":line " + first.number(), first.problem(), DocFiles.expected(textColumn));
        }
        // Record order does not matter to any step (duplicates keep the smallest id of their group), so no sort.
        return checked.filter(l -> l.doc() != null).map(Line::doc).persist(StorageLevel.MEMORY_AND_DISK());
    }

    private static final class FirstLine implements java.util.Comparator<Line>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Line a, Line b) {
            return Long.compare(a.number(), b.number());
        }
    }

    public static Result run(JavaSparkContext sc, JavaRDD<SDoc> input, CurateConfig config, Function<String, List<String>> testTexts) {
        Curator local = new Curator(config, testTexts); // builds and validates every step once, on the driver
        List<StepCounts> funnel = new ArrayList<>();
        JavaRDD<SDoc> current = input;
        long in = current.count();
        for (CurateStep step : local.steps()) {
            long t0 = System.nanoTime();
            JavaRDD<Tagged> tagged = apply(sc, step, current).persist(StorageLevel.MEMORY_AND_DISK());
            JavaRDD<SDoc> kept = tagged.filter(t -> t.doc() != null).map(Tagged::doc).persist(StorageLevel.MEMORY_AND_DISK());
            long out = kept.count();
            Map<String, Long> removed = new LinkedHashMap<>(tagged.filter(t -> t.removedFor() != null)
                    .mapToPair(t -> new Tuple2<>(t.removedFor(), 1L)).reduceByKey(Long::sum).collectAsMap());
            Map<String, Long> changes = new LinkedHashMap<>(tagged.flatMapToPair(t -> t.changes().entrySet().stream()
                    .map(e -> new Tuple2<>(e.getKey(), e.getValue())).iterator()).reduceByKey(Long::sum).collectAsMap());
            funnel.add(new StepCounts(step.name(), in, out, (System.nanoTime() - t0) / 1e9, removed, changes));
            tagged.unpersist(false);
            current = kept;
            in = out;
        }
        return new Result(current, funnel);
    }

    private static JavaRDD<Tagged> apply(JavaSparkContext sc, CurateStep step, JavaRDD<SDoc> docs) {
        if (step instanceof RecordStep recordStep) {
            // Broadcast once: a step may carry a large index (decontamination's test n-grams).
            Broadcast<RecordStep> b = sc.broadcast(recordStep);
            return docs.map(d -> {
                Verdict v = b.value().check(d.text());
                if (!v.kept()) {
                    return new Tagged(null, v.removedFor(), v.changes());
                }
                SDoc kept = v.text().equals(d.text()) ? d : withText(d, v.text());
                if (!b.value().rewritesFields()) {
                    return new Tagged(kept, null, v.changes());
                }
                ObjectNode fields = (ObjectNode) JSON.get().readTree(kept.json());
                Map<String, Long> fieldChanges = b.value().rewriteFields(fields);
                if (fieldChanges.isEmpty()) {
                    return new Tagged(kept, null, v.changes());
                }
                Map<String, Long> changes = new LinkedHashMap<>(v.changes());
                fieldChanges.forEach((kind, n) -> changes.merge(kind, n, Long::sum));
                return new Tagged(new SDoc(kept.id(), kept.text(), fields.toString()), null, changes);
            });
        }
        if (step instanceof ExactDedup) {
            return docs.mapToPair(d -> new Tuple2<>(ExactDedup.key(d.text()), d)).groupByKey().flatMap(group -> {
                List<SDoc> members = new ArrayList<>();
                group._2().forEach(members::add);
                String keeper = members.stream().map(SDoc::id).min(String::compareTo).orElseThrow();
                return members.stream().map(m -> m.id().equals(keeper) ? Tagged.keep(m) : new Tagged(null, "exact duplicate", Map.of()))
                        .iterator();
            });
        }
        if (step instanceof NearDedup near) {
            return nearDedup(sc, near, docs);
        }
        throw new IllegalArgumentException("step '" + step.name() + "' runs on the embedded engine only; remove it from the "
                + "configuration or run without --engine spark");
    }

    private static JavaRDD<Tagged> nearDedup(JavaSparkContext sc, NearDedup near, JavaRDD<SDoc> docs) {
        MinHash minHash = near.minHash();
        int bands = near.bands();
        int rows = near.rows();
        double threshold = near.threshold();
        JavaPairRDD<String, long[]> shingles = docs.mapToPair(d -> new Tuple2<>(d.id(), minHash.shingles(d.text())))
                .persist(StorageLevel.MEMORY_AND_DISK());
        JavaPairRDD<String, String> candidates = shingles.filter(s -> s._2().length > 0).flatMapToPair(s -> {
            long[] sig = minHash.signature(s._2());
            List<Tuple2<Tuple2<Integer, Long>, String>> out = new ArrayList<>(bands);
            for (int band = 0; band < bands; band++) {
                out.add(new Tuple2<>(new Tuple2<>(band, MinHash.bandKey(sig, band, rows)), s._1()));
            }
            return out.iterator();
        }).groupByKey().flatMapToPair(bucket -> {
            List<String> ids = new ArrayList<>();
            bucket._2().forEach(ids::add);
            List<Tuple2<String, String>> pairs = new ArrayList<>();
            if (ids.size() > 1) {
                ids.sort(String::compareTo);
                for (int x = 0; x < ids.size(); x++) {
                    for (int y = x + 1; y < ids.size(); y++) {
                        pairs.add(new Tuple2<>(ids.get(x), ids.get(y)));
                    }
                }
            }
            return pairs.iterator();
        }).distinct();
        List<Tuple2<String, String>> verified = candidates.join(shingles)
                .mapToPair(p -> new Tuple2<>(p._2()._1(), new Tuple2<>(p._1(), p._2()._2())))
                .join(shingles)
                .filter(p -> MinHash.jaccard(p._2()._1()._2(), p._2()._2()) >= threshold)
                .map(p -> new Tuple2<>(p._2()._1()._1(), p._1())).collect();
        shingles.unpersist(false);
        Set<String> removed = clusterLosers(verified);
        Broadcast<Set<String>> gone = sc.broadcast(removed);
        long pairCount = verified.size();
        return docs.zipWithIndex().map(x -> {
            SDoc d = x._1();
            // Report the verified-pair count once, on the first record, so the funnel sums it exactly once.
            Map<String, Long> changes = x._2() == 0 && pairCount > 0 ? Map.of("near-duplicate pairs verified", pairCount) : Map.of();
            return gone.value().contains(d.id()) ? new Tagged(null, "near duplicate", changes) : new Tagged(d, null, changes);
        });
    }

    /** Connected components of the verified pairs; every member but the smallest id of its component is removed. */
    static Set<String> clusterLosers(List<Tuple2<String, String>> pairs) {
        Map<String, String> parent = new HashMap<>();
        for (Tuple2<String, String> p : pairs) {
            String a = root(parent, p._1());
            String b = root(parent, p._2());
            if (!a.equals(b)) {
                if (a.compareTo(b) < 0) {
                    parent.put(b, a);
                } else {
                    parent.put(a, b);
                }
            }
        }
        Set<String> losers = new HashSet<>();
        for (String id : new ArrayList<>(parent.keySet())) {
            if (!root(parent, id).equals(id)) {
                losers.add(id);
            }
        }
        return losers;
    }

    private static String root(Map<String, String> parent, String id) {
        String r = id;
        while (parent.containsKey(r) && !parent.get(r).equals(r)) {
            r = parent.get(r);
        }
        parent.putIfAbsent(id, id);
        // path compression
        String x = id;
        while (!x.equals(r)) {
            String next = parent.get(x);
            parent.put(x, r);
            x = next;
        }
        return r;
    }

    private static SDoc withText(SDoc d, String text) {
        try {
            ObjectMapper json = JSON.get();
            ObjectNode o = (ObjectNode) json.readTree(d.json());
            o.put("text", text);
            return new SDoc(d.id(), text, o.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("record " + d.id() + " lost its JSON", e);
        }
    }

    private static final ThreadLocal<ObjectMapper> JSON = ThreadLocal.withInitial(ObjectMapper::new);
}
