package dev.distillery.synth;

import dev.distillery.curate.QualityFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The verifiers a synthesis loop chains in front of training. */
public final class Verifiers {
    private Verifiers() {}

    /** How the teacher's reason begins when it gives a candidate another label than the intended one. */
    static final String TEACHER_OTHER_LABEL = "teacher predicts ";

    /**
     * The teacher must predict the intended label with at least {@code minConfidence}: a generated "sneaker"
     * that the teacher sees as a sandal, or sees as a sneaker only by a hair, does not teach "sneaker".
     */
    public static <T> Verifier<T> teacherAgreement(Function<List<T>, float[][]> teacher, double minConfidence, List<String> classNames) {
        return new Verifier<>() {
            @Override
            public String name() {
                return "teacher";
            }

            @Override
            public List<String> check(List<Candidate<T>> candidates) {
                float[][] probs = teacher.apply(candidates.stream().map(Candidate::example).toList());
                List<String> out = new ArrayList<>(candidates.size());
                for (int i = 0; i < candidates.size(); i++) {
                    float[] p = probs[i];
                    int top = 0;
                    for (int c = 1; c < p.length; c++) {
                        if (p[c] > p[top]) {
                            top = c;
                        }
                    }
                    int want = candidates.get(i).label();
                    if (top != want) {
                        out.add(TEACHER_OTHER_LABEL + classNames.get(top) + ", not " + classNames.get(want));
                    } else if (p[want] < minConfidence) {
                        out.add("teacher confidence below " + minConfidence);
                    } else {
                        out.add(null);
                    }
                }
                return out;
            }
        };
    }

    /** No candidate may be a near copy of a real example (training or test): that would be leakage, not new data. */
    public static <T> Verifier<T> notNearReal(SimilarityIndex<T> real, double threshold) {
        return new Verifier<>() {
            @Override
            public String name() {
                return "leakage";
            }

            @Override
            public List<String> check(List<Candidate<T>> candidates) {
                return candidates.parallelStream().map(c -> real.maxSimilarity(c.example()) >= threshold
                        ? "near-duplicate of a real example (similarity >= " + threshold + ")" : null).toList();
            }
        };
    }

    /**
     * Text quality: the curation quality rules (length, symbols, repeated lines and 2-grams) plus a floor on
     * distinct word 2-grams, which catches the loops a small language model falls into ("the the the").
     */
    public static Verifier<String> textQuality(QualityFilter.Rules rules, double minDistinctBigrams) {
        QualityFilter filter = new QualityFilter(rules);
        return new Verifier<>() {
            @Override
            public String name() {
                return "quality";
            }

            @Override
            public List<String> check(List<Candidate<String>> candidates) {
                return candidates.stream().map(c -> {
                    String why = filter.failure(c.example());
                    if (why != null) {
                        return why;
                    }
                    double distinct = Diversity.distinctN(List.of(c.example()), 2);
                    return distinct < minDistinctBigrams ? "distinct 2-gram share below " + minDistinctBigrams : null;
                }).toList();
            }
        };
    }

    /** Words of a text for n-gram statistics: lower-cased runs of letters and digits. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : dev.distillery.util.Patterns.WORD_BREAK.split(text.toLowerCase(Locale.ROOT))) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}
