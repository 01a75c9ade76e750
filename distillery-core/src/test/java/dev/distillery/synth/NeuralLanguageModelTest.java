package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NeuralLanguageModelTest {
    static final List<String> FRUIT = List.of("apple", "banana", "cherry", "grape", "lemon", "mango");
    static final List<String> SEA = List.of("anchor", "harbour", "sail", "tide", "wave", "yacht");

    /** Texts of 4 to 7 words drawn from one class's six words. */
    static String text(List<String> vocab, Random rng) {
        int n = 4 + rng.nextInt(4);
        List<String> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add(vocab.get(rng.nextInt(vocab.size())));
        }
        return String.join(" ", w);
    }

    @Test
    void samplesUseTheWordsOfTheRequestedClassAndTheClassLowersPerplexity() {
        Random rng = new Random(1);
        List<String> texts = new ArrayList<>();
        int[] labels = new int[300];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
            texts.add(text(labels[i] == 0 ? FRUIT : SEA, rng));
        }
        NeuralLanguageModel.Settings s = new NeuralLanguageModel.Settings(2, 8, 32, 20, 1, 6, 64, 1e-2f);
        try (NeuralLanguageModel lm = NeuralLanguageModel.fit(texts, labels, 2, s, 3)) {
            assertThat(lm.vocabularySize()).isEqualTo(3 + 12);
            int[] wanted = new int[20];
            Arrays.fill(wanted, 10, 20, 1);
            List<String> samples = lm.sample(wanted, new Random(4));
            int inClass = 0;
            int total = 0;
            for (int i = 0; i < samples.size(); i++) {
                Set<String> own = Set.copyOf(wanted[i] == 0 ? FRUIT : SEA);
                for (String w : samples.get(i).split(" ")) {
                    if (!w.isEmpty()) {
                        total++;
                        inClass += own.contains(w) ? 1 : 0;
                    }
                }
            }
            assertThat(total).isGreaterThan(40);
            assertThat(inClass / (double) total).as("share of sampled words from the requested class").isGreaterThan(0.9);
            assertThat(lm.sample(wanted, new Random(4))).as("a seeded draw repeats").isEqualTo(samples);
            List<String> heldOut = List.of(text(FRUIT, rng), text(FRUIT, rng), text(FRUIT, rng));
            // Uniform over 12 words and the end mark would be 13; knowing the class should bring it near 6 or 7.
            assertThat(lm.perplexity(heldOut, new int[] {0, 0, 0})).isLessThan(9).isLessThan(lm.perplexity(heldOut, new int[] {1, 1, 1}));
            assertThatThrownBy(() -> lm.sample(new int[] {2}, new Random(1))).hasMessageContaining("outside 0..1");
        }
    }
}
