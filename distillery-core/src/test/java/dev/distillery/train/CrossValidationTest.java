package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import dev.distillery.model.LinearSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrossValidationTest {
    /** The plain stratified assignment: each class shuffled, then dealt round the folds by one running counter. */
    private static int[] dealtInTurn(Dataset data, int k, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < data.schema().numClasses(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < data.size(); i++) {
            byClass.get(data.schema().indexOf(data.get(i).label().orElseThrow())).add(i);
        }
        int[] fold = new int[data.size()];
        Random rng = new Random(seed);
        int next = 0;
        for (List<Integer> members : byClass) {
            Collections.shuffle(members, rng);
            for (int i : members) {
                fold[i] = next++ % k;
            }
        }
        return fold;
    }

    /** {@code words} random words from a vocabulary of 5,000 made-up ones: texts that share almost no 5-gram. */
    private static String randomText(Random rng, int words) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < words; w++) {
            sb.append(w == 0 ? "" : " ").append("w").append(rng.nextInt(5000));
        }
        return sb.toString();
    }

    @Test
    void withoutDuplicatesEachClassIsDealtRoundTheFoldsInTurn() {
        Random rng = new Random(3);
        for (int trial = 0; trial < 40; trial++) {
            int classes = 2 + rng.nextInt(4);
            List<Example> examples = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                int n = 1 + rng.nextInt(30);
                for (int i = 0; i < n; i++) {
                    examples.add(Example.dense("e" + examples.size(), new float[] {examples.size(), c}, "c" + c, "test"));
                }
            }
            Collections.shuffle(examples, rng);
            Dataset data = Dataset.infer("distinct", examples, List.of(2L));
            int k = 2 + rng.nextInt(4);
            long seed = rng.nextLong();
            assertThat(CrossValidation.folds(data, k, seed)).as("trial %d", trial).containsExactly(dealtInTurn(data, k, seed));
        }
    }

    @Test
    void copiesAndNearCopiesOfATextShareAFoldAndEachFoldHoldsEveryClass() {
        Random rng = new Random(11);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String text = randomText(rng, 80);
            String label = i % 2 == 0 ? "a" : "b";
            examples.add(Example.text("t" + i, text, label, "test"));
            examples.add(Example.text("copy" + i, text, label, "test"));
            examples.add(Example.text("near" + i, text + " w" + rng.nextInt(5000), label, "test"));
        }
        Collections.shuffle(examples, rng);
        Dataset data = Dataset.infer("copies", examples, null);
        int[] fold = CrossValidation.folds(data, 5, 42);
        Map<String, Integer> foldOfText = new HashMap<>();
        Map<Integer, Set<String>> labelsInFold = new HashMap<>();
        for (int i = 0; i < data.size(); i++) {
            String original = data.get(i).id().replaceFirst("^(copy|near)", "t");
            Integer first = foldOfText.putIfAbsent(original, fold[i]);
            assertThat(fold[i]).as("fold of %s", data.get(i).id()).isEqualTo(first == null ? fold[i] : first);
            labelsInFold.computeIfAbsent(fold[i], f -> new HashSet<>()).add(data.get(i).label().orElseThrow());
        }
        assertThat(labelsInFold).hasSize(5).allSatisfy((f, labels) -> assertThat(labels).containsExactlyInAnyOrder("a", "b"));
    }

    @Test
    void aGroupLargerThanAFoldIsDealtOneByOneSoNoFoldIsLeftEmpty() {
        // A table with few distinct values: 12 equal rows of class a beside 8 distinct rows of class b, 4 folds of 5.
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            float[] row = i < 12 ? new float[] {1f, 1f} : new float[] {i, 0f};
            examples.add(Example.dense("r" + i, row, i < 12 ? "a" : "b", "test"));
        }
        Dataset data = Dataset.infer("table", examples, List.of(2L));
        int[] fold = CrossValidation.folds(data, 4, 7);
        int[] size = new int[4];
        for (int f : fold) {
            size[f]++;
        }
        assertThat(size).containsExactly(5, 5, 5, 5);
        assertThat(fold).containsExactly(dealtInTurn(data, 4, 7));
    }

    @Test
    void duplicatedTextsWithRandomLabelsCrossValidateNearGuessingNotAtMemory() {
        // Nothing in a text says its label, so an honest estimate is near 0.5; with each text's copy in another fold
        // the held-out copy is recognised and the estimate nears 1.0 (0.88 measured with folds that split copies).
        Random rng = new Random(5);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String text = randomText(rng, 40);
            String label = rng.nextBoolean() ? "a" : "b";
            examples.add(Example.text("t" + i, text, label, "test"));
            examples.add(Example.text("copy" + i, text, label, "test"));
        }
        Collections.shuffle(examples, rng);
        Dataset data = Dataset.infer("copies", examples, null);
        LinearSpec spec = new LinearSpec(1 << 14, 100.0, LinearSpec.Loss.LOGISTIC);
        try (Classifier classifier = Classifier.create(spec, data.schema())) {
            Map<LinearFit.Setting, Double> accuracy = LinearFit.crossValidate(classifier, LinearFit.settings(spec), data, 5, 42,
                    new HashMap<>());
            assertThat(accuracy.values()).singleElement().satisfies(a -> assertThat(a).isLessThan(0.7));
        }
    }
}
