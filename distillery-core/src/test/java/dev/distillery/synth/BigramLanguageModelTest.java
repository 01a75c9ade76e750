package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BigramLanguageModelTest {
    /** Sentences over a Zipf-like vocabulary: a few common words and a long tail of rare ones. */
    static List<String> corpus(int n, long seed) {
        Random rng = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 5 + rng.nextInt(10);
            for (int k = 0; k < len; k++) {
                int rank = (int) Math.floor(Math.exp(rng.nextDouble() * Math.log(400)));
                sb.append(sb.length() == 0 ? "" : " ").append("w").append(rank);
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void samplesOnlyWhatItSawAndScoresItsOwnTextBetterThanShuffledText() {
        List<String> train = corpus(300, 1);
        Map<String, Integer> vocab = BigramLanguageModel.vocabulary(train, 50, 1);
        BigramLanguageModel m = BigramLanguageModel.fit(List.of("a b c d", "a b c e", "a b c d"),
                BigramLanguageModel.vocabulary(List.of("a b c d", "a b c e"), 50, 1), 50, 0.9);
        assertThat(m.perplexity("a b c d", 50)).isLessThan(m.perplexity("d c b a", 50));
        Set<String> seen = new HashSet<>(List.of("a", "b", "c", "d", "e"));
        assertThat(m.sample(50, 10, new Random(3))).allSatisfy(s -> assertThat(seen).containsAll(List.of(s.split(" "))));
        assertThat(BigramLanguageModel.fit(train, vocab, 50, 0.8).wordsSeen()).isEqualTo(vocab.size() - 1);
    }

    @Test
    void refittingOnItsOwnSamplesLosesTheTailUnderReplaceButNotUnderAccumulate() {
        List<String> real = corpus(200, 2);
        List<String> heldOut = corpus(200, 3);
        Map<String, Integer> vocab = BigramLanguageModel.vocabulary(real, 50, 1);
        CollapseLoop.Family<String, BigramLanguageModel> family = new CollapseLoop.Family<>() {
            @Override
            public BigramLanguageModel fit(List<String> data, Random rng) {
                return BigramLanguageModel.fit(data, vocab, 50, 0.8);
            }

            @Override
            public List<String> sample(BigramLanguageModel model, int n, Random rng) {
                return model.sample(n, 50, rng);
            }

            @Override
            public Map<String, Double> measure(BigramLanguageModel model, List<String> samples) {
                return Map.of("perplexity", model.perplexity(heldOut, 50), "words", (double) model.wordsSeen());
            }
        };
        List<CollapseLoop.Generation> replace = new CollapseLoop<>(family).run(real, Policy.REPLACE, 15, 200, xs -> xs, 5, null);
        List<CollapseLoop.Generation> accumulate = new CollapseLoop<>(family).run(real, Policy.ACCUMULATE, 15, 200, xs -> xs, 5, null);
        double words0 = replace.get(0).metrics().get("words");
        assertThat(replace.get(15).metrics().get("words")).isLessThan(0.8 * words0);
        assertThat(accumulate.get(15).metrics().get("words")).isEqualTo(words0);
        assertThat(replace.get(15).metrics().get("perplexity")).isGreaterThan(accumulate.get(15).metrics().get("perplexity"));
    }
}
