package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.distillery.curate.QualityFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifiersTest {
    static final List<String> CLASSES = List.of("ham", "spam");

    static Candidate<String> c(String text, int label, String generator) {
        return new Candidate<>(text, label, generator);
    }

    /** A stand-in teacher: "spam" with the confidence given by the number of "$" signs. */
    static float[][] teacher(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            long dollars = texts.get(i).chars().filter(ch -> ch == '$').count();
            float spam = Math.min(1f, dollars / 4f);
            out[i] = new float[] {1 - spam, spam};
        }
        return out;
    }

    @Test
    void teacherAgreementNeedsTheIntendedLabelWithConfidence() {
        Verifier<String> v = Verifiers.teacherAgreement(VerifiersTest::teacher, 0.9, CLASSES);
        List<String> verdicts = v.check(List.of(c("win $$$$ now", 1, "g"), c("win $$ now", 1, "g"), c("lunch at noon?", 1, "g"),
                c("lunch at noon?", 0, "g")));
        assertThat(verdicts.get(0)).isNull();
        assertThat(verdicts.get(1)).isEqualTo("teacher predicts ham, not spam");
        assertThat(verdicts.get(2)).isEqualTo("teacher predicts ham, not spam");
        assertThat(verdicts.get(3)).isNull();
        assertThat(v.check(List.of(c("win $$$ now", 1, "g")))).containsExactly("teacher confidence below 0.9");
    }

    @Test
    void nearCopiesOfRealExamplesAreLeakage() {
        SimilarityIndex<String> real = SimilarityIndex.texts(3, 0.7);
        real.add("the quarterly report shows strong growth in every region of the company this year");
        Verifier<String> v = Verifiers.notNearReal(real, 0.7);
        List<String> verdicts = v.check(List.of(
                c("the quarterly report shows strong growth in every region of the company this year", 0, "g"),
                c("the quarterly report shows strong growth in every region of the company last year", 0, "g"),
                c("please water the plants in my office while i am away on holiday next week", 0, "g")));
        assertThat(verdicts.get(0)).startsWith("near-duplicate of a real example");
        assertThat(verdicts.get(1)).startsWith("near-duplicate of a real example");
        assertThat(verdicts.get(2)).isNull();
    }

    @Test
    void vectorIndexComparesByCosine() {
        SimilarityIndex<float[]> idx = SimilarityIndex.vectors();
        assertThat(idx.maxSimilarity(new float[] {1, 0})).isZero();
        idx.add(new float[] {2, 0});
        idx.add(new float[] {0, 5});
        assertThat(idx.maxSimilarity(new float[] {3, 3})).isCloseTo(Math.sqrt(0.5), within(1e-6));
        assertThat(idx.maxSimilarity(new float[] {0, 1})).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void theChainRecordsTheFirstReasonAndCatchesTwinsWithinABatch() {
        String twin = "limited offer $$$$ on watches and bags for the next three days only, reply today";
        List<Candidate<String>> candidates = new ArrayList<>(List.of(
                c(twin, 1, "llm"),
                c(twin, 1, "llm"),
                c("the the the the the the the the the the the the $$$$", 1, "llm"),
                c("see you at the team lunch on friday, the table is booked for noon", 1, "rules"),
                c("see you at the team lunch on friday, the table is booked for one", 0, "rules")));
        VerifierChain<String> chain = new VerifierChain<>(List.of(Verifiers.textQuality(QualityFilter.Rules.DEFAULT, 0.5),
                Verifiers.teacherAgreement(VerifiersTest::teacher, 0.9, CLASSES)), new Novelty<>(SimilarityIndex.texts(3, 0.7), 0.7));
        VerifierChain.Report<String> report = chain.verify(candidates, 2);
        assertThat(report.outcomes()).extracting(VerifierChain.Outcome::rejectedBy)
                .containsExactly(null, "novelty", "quality", "teacher", null);
        assertThat(report.accepted()).extracting(Candidate::example).containsExactly(twin,
                "see you at the team lunch on friday, the table is booked for one");
        Map<String, Map<String, Object>> byGen = report.byGenerator();
        assertThat(byGen.get("llm")).containsEntry("candidates", 3).containsEntry("accepted", 1);
        assertThat((double) byGen.get("llm").get("acceptance_rate")).isCloseTo(1 / 3.0, within(1e-9));
        assertThat(byGen.get("rules").get("rejected")).isEqualTo(Map.of("teacher: teacher predicts ham, not spam", 1));
        assertThat(Arrays.asList(((Map<?, ?>) byGen.get("llm").get("rejected")).keySet().toArray()))
                .anySatisfy(k -> assertThat(k.toString()).startsWith("novelty: too close"))
                .anySatisfy(k -> assertThat(k.toString()).startsWith("quality: "));
    }
}
