package dev.distillery.federated;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How labeled data is spread over simulated clients, from IID to strongly skewed: {@code dirichlet:ALPHA} (each class's
 * examples divided among the clients in Dirichlet(alpha) proportions: 0.3 leaves most clients with a few classes),
 * {@code shards:K} (sorted by label, cut into shards, K shards a client), or {@code by:source} / {@code by:folder} (natural
 * silos: one client per record source, or per directory of the sources, e.g. the mail folder a message came from).
 */
public record Partition(String kind, double alpha, int shards, String field) {

    public static Partition parse(String spec) {
        String[] p = spec.split(":", 2);
        try {
            return switch (p[0]) {
                case "dirichlet" -> new Partition("dirichlet", Double.parseDouble(p[1]), 0, null);
                case "shards" -> new Partition("shards", 0, Integer.parseInt(p[1]), null);
                case "by" -> new Partition("by", 0, 0, p[1]);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("split '" + spec + "': expected dirichlet:ALPHA, shards:K or by:FIELD");
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case "dirichlet" -> "dirichlet:" + alpha;
            case "shards" -> "shards:" + shards;
            default -> "by:" + field;
        };
    }

    /** The clients' parts of {@code data} (labeled examples only); every client gets at least one example. */
    public List<Dataset> split(Dataset data, int clients, long seed) {
        List<Example> labeled = data.examples().stream().filter(Example::hasLabel).toList();
        List<List<Example>> parts = switch (kind) {
            case "dirichlet" -> dirichlet(labeled, data, clients, new Random(seed));
            case "shards" -> shards(labeled, data, clients, new Random(seed));
            default -> byField(labeled);
        };
        List<Dataset> out = new ArrayList<>();
        for (int c = 0; c < parts.size(); c++) {
            if (parts.get(c).isEmpty()) {
                throw new IllegalArgumentException("client " + c + " of " + parts.size() + " got no examples under " + this
                        + "; use fewer clients or a larger alpha");
            }
            out.add(data.subset(data.name() + " client " + c, parts.get(c)));
        }
        return out;
    }

    private List<List<Example>> dirichlet(List<Example> labeled, Dataset data, int clients, Random rng) {
        List<List<Example>> parts = empty(clients);
        for (List<Example> cls : byLabel(labeled, data).values()) {
            List<Example> shuffled = new ArrayList<>(cls);
            Collections.shuffle(shuffled, rng);
            double[] p = new double[clients];
            double sum = 0;
            for (int c = 0; c < clients; c++) {
                p[c] = gamma(alpha, rng);
                sum += p[c];
            }
            int start = 0;
            double cumulative = 0;
            for (int c = 0; c < clients; c++) {
                cumulative += p[c] / sum;
                int end = c == clients - 1 ? shuffled.size() : (int) Math.round(cumulative * shuffled.size());
                parts.get(c).addAll(shuffled.subList(start, Math.max(start, end)));
                start = Math.max(start, end);
            }
        }
        return parts;
    }

    /** Sorted by label (shuffled within a label), cut into {@code clients * shards} equal shards, dealt at random. */
    private List<List<Example>> shards(List<Example> labeled, Dataset data, int clients, Random rng) {
        List<Example> sorted = new ArrayList<>();
        for (List<Example> cls : byLabel(labeled, data).values()) {
            List<Example> shuffled = new ArrayList<>(cls);
            Collections.shuffle(shuffled, rng);
            sorted.addAll(shuffled);
        }
        int count = clients * shards;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, rng);
        List<List<Example>> parts = empty(clients);
        for (int k = 0; k < count; k++) {
            int shard = order.get(k);
            int from = (int) ((long) shard * sorted.size() / count);
            int to = (int) ((long) (shard + 1) * sorted.size() / count);
            parts.get(k % clients).addAll(sorted.subList(from, to));
        }
        return parts;
    }

    /**
     * One client per value of the field, in order of first appearance: {@code source} (each record's source, a JSONL
     * "source" value) or {@code folder} (the directory part of the source: the mail folder or archive directory a message
     * came from, as for SpamAssassin).
     */
    private List<List<Example>> byField(List<Example> labeled) {
        if (!field.equals("source") && !field.equals("folder")) {
            throw new IllegalArgumentException("split by:" + field + ": the fields to split by are 'source' (each record's "
                    + "source) and 'folder' (the directory part of the source)");
        }
        Map<String, List<Example>> silos = new LinkedHashMap<>();
        for (Example e : labeled) {
            String key = field.equals("source") ? e.source() : e.source().contains("/") ? e.source().substring(0, e.source().lastIndexOf('/')) : "";
            silos.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
        return new ArrayList<>(silos.values());
    }

    private static List<List<Example>> empty(int n) {
        List<List<Example>> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            parts.add(new ArrayList<>());
        }
        return parts;
    }

    private static Map<String, List<Example>> byLabel(List<Example> labeled, Dataset data) {
        Map<String, List<Example>> m = new LinkedHashMap<>();
        data.schema().labels().forEach(l -> m.put(l, new ArrayList<>()));
        labeled.forEach(e -> m.get(e.label().orElseThrow()).add(e));
        return m;
    }

    /** A Gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 by the boost u^(1/shape)), for Dirichlet proportions. */
    static double gamma(double shape, Random rng) {
        if (shape < 1) {
            return gamma(shape + 1, rng) * Math.pow(rng.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rng.nextGaussian();
            double v = Math.pow(1 + c * x, 3);
            if (v > 0 && Math.log(rng.nextDouble()) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
