package dev.distillery.synth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifiers in order: a candidate is accepted only if every verifier passes it, and rejected for the
 * first reason found. Stateless checks (teacher agreement, leakage, quality) see candidates in batches;
 * novelty comes last, one candidate at a time, against every candidate accepted before it.
 */
public final class VerifierChain<T> {
    private final List<Verifier<T>> verifiers;
    private final Novelty<T> novelty;

    /** Stateless checks run in order, in batches; then, if given, novelty against everything accepted so far. */
    public VerifierChain(List<Verifier<T>> verifiers, Novelty<T> novelty) {
        this.verifiers = List.copyOf(verifiers);
        this.novelty = novelty;
    }

    /** A candidate and what the chain decided: null reason means accepted. */
    public record Outcome<T>(Candidate<T> candidate, String rejectedBy, String reason) {
        public boolean accepted() {
            return reason == null;
        }
    }

    /** The outcomes in candidate order, with counts per generator. */
    public record Report<T>(List<Outcome<T>> outcomes) {
        public List<Candidate<T>> accepted() {
            return outcomes.stream().filter(Outcome::accepted).map(Outcome::candidate).toList();
        }

        /** Per generator: candidates, accepted, acceptance rate, and rejections by "verifier: reason". */
        public Map<String, Map<String, Object>> byGenerator() {
            Map<String, Map<String, Object>> out = new LinkedHashMap<>();
            for (Outcome<T> o : outcomes) {
                Map<String, Object> g = out.computeIfAbsent(o.candidate().generator(), k -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("candidates", 0);
                    m.put("accepted", 0);
                    m.put("rejected", new LinkedHashMap<String, Integer>());
                    return m;
                });
                g.merge("candidates", 1, (a, b) -> (int) a + (int) b);
                if (o.accepted()) {
                    g.merge("accepted", 1, (a, b) -> (int) a + (int) b);
                } else {
                    @SuppressWarnings("unchecked")
                    Map<String, Integer> rejected = (Map<String, Integer>) g.get("rejected");
                    rejected.merge(o.rejectedBy() + ": " + o.reason(), 1, Integer::sum);
                }
            }
            out.values().forEach(g -> g.put("acceptance_rate", (int) g.get("accepted") / (double) Math.max(1, (int) g.get("candidates"))));
            return out;
        }
    }

    /** Checks {@code candidates} in batches of {@code batch}. */
    public Report<T> verify(List<Candidate<T>> candidates, int batch) {
        List<Outcome<T>> out = new ArrayList<>(candidates.size());
        for (int start = 0; start < candidates.size(); start += batch) {
            List<Candidate<T>> chunk = candidates.subList(start, Math.min(candidates.size(), start + batch));
            String[] reason = new String[chunk.size()];
            String[] by = new String[chunk.size()];
            for (Verifier<T> v : verifiers) {
                List<Integer> open = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    if (reason[i] == null) {
                        open.add(i);
                    }
                }
                if (open.isEmpty()) {
                    break;
                }
                List<String> verdicts = v.check(open.stream().map(chunk::get).toList());
                for (int k = 0; k < open.size(); k++) {
                    if (verdicts.get(k) != null) {
                        reason[open.get(k)] = verdicts.get(k);
                        by[open.get(k)] = v.name();
                    }
                }
            }
            for (int i = 0; i < chunk.size(); i++) {
                Candidate<T> c = chunk.get(i);
                if (reason[i] == null && novelty != null) {
                    // One at a time, so the second of two near-identical candidates in a batch is caught.
                    reason[i] = novelty.check(c);
                    by[i] = novelty.name();
                    if (reason[i] == null) {
                        novelty.remember(c);
                    }
                }
                out.add(new Outcome<>(c, reason[i] == null ? null : by[i], reason[i]));
            }
        }
        return new Report<>(out);
    }
}
