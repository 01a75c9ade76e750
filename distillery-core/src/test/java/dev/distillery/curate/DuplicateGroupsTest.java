package dev.distillery.curate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DuplicateGroupsTest {

    /** 200 distinct 60-word texts in two classes, plus for every 5th one an exact copy (different case and spaces) and a
     * near copy (one word changed: 51 of 61 distinct word 5-grams shared, Jaccard 0.84). */
    private static Dataset withPlantedCopies() {
        Random rng = new Random(7);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String label = i % 2 == 0 ? "a" : "b";
            String[] words = new String[60];
            for (int w = 0; w < words.length; w++) {
                words[w] = "w" + rng.nextInt(5000);
            }
            String text = String.join(" ", words);
            out.add(Example.text("doc" + i, text, label, "planted"));
            if (i % 5 == 0) {
                out.add(Example.text("doc" + i + "-exact", "  " + text.toUpperCase(java.util.Locale.ROOT) + " ", label, "planted"));
                words[30] = "changed";
                out.add(Example.text("doc" + i + "-near", String.join(" ", words), label, "planted"));
            }
        }
        return Dataset.infer("planted", out, null);
    }

    @Test
    void findsTheExactAndNearCopiesAndNothingElse() {
        Dataset d = withPlantedCopies();
        int[] groups = DuplicateGroups.of(d);
        for (int i = 0; i < d.size(); i++) {
            String id = d.get(i).id();
            String original = id.replace("-exact", "").replace("-near", "");
            int originalIndex = d.examples().stream().map(Example::id).toList().indexOf(original);
            assertThat(groups[i]).as(id).isEqualTo(groups[originalIndex]);
        }
        assertThat(java.util.Arrays.stream(groups).distinct().count()).isEqualTo(200);
    }

    @Test
    void groupingsThatShareExamplesGiveWhatEachGivesAlone() {
        Dataset d = withPlantedCopies();
        DuplicateGroups shared = new DuplicateGroups();
        Splits.Pair plain = Splits.split(d, 0.3, 42, "train", "test");
        assertThat(shared.groups(d)).containsExactly(DuplicateGroups.of(d));
        // The second grouping reuses the first one's keys for examples it holds; a pair with one side outside it must not
        // join its groups, and a fresh grouping of the part alone is the reference.
        assertThat(shared.groups(plain.first())).containsExactly(DuplicateGroups.of(plain.first()));
        assertThat(shared.testDuplicatedInTraining(plain.first(), plain.second()))
                .isEqualTo(DuplicateGroups.testExamplesDuplicatedInTraining(plain.first(), plain.second()))
                .isPositive();
        DuplicateGroups.Split again = shared.splitOf(plain.first(), 0.2, 3, "train", "validation");
        DuplicateGroups.Split alone = DuplicateGroups.split(plain.first(), 0.2, 3, "train", "validation");
        assertThat(again.groups()).isEqualTo(alone.groups()).isPositive();
        assertThat(again.parts().second().examples()).containsExactlyElementsOf(alone.parts().second().examples());
    }

    @Test
    void aSplitKeepsEveryGroupOnOneSideWhereAPlainSplitLeaks() {
        Dataset d = withPlantedCopies();
        DuplicateGroups.Split split = DuplicateGroups.split(d, 0.3, 42, "train", "test");
        assertThat(split.groups()).isEqualTo(40);
        assertThat(split.examplesInGroups()).isEqualTo(120);
        assertThat(DuplicateGroups.testExamplesDuplicatedInTraining(split.parts().first(), split.parts().second())).isZero();
        assertThat(split.parts().second().size()).isBetween(70, 86); // about 30% of 280
        Splits.Pair plain = Splits.split(d, 0.3, 42, "train", "test");
        assertThat(DuplicateGroups.testExamplesDuplicatedInTraining(plain.first(), plain.second())).isPositive();
    }

    @Test
    void withoutDuplicatesTheSplitIsThePlainOne() {
        Dataset d = TestData.blobs(50, 3);
        Splits.Pair plain = Splits.split(d, 0.25, 9, "train", "test");
        Splits.Pair grouped = DuplicateGroups.split(d, 0.25, 9, "train", "test").parts();
        assertThat(grouped.second().examples()).isEqualTo(plain.second().examples());
        assertThat(grouped.first().examples()).isEqualTo(plain.first().examples());
    }

    @Test
    void identicalImagesStayTogether() {
        List<Example> ex = new ArrayList<>(TestData.bars(40, 5).examples());
        List<Example> copies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Example e = ex.get(i);
            copies.add(Example.dense(e.id() + "-copy", e.features().clone(), e.label().orElseThrow(), "copy"));
        }
        ex.addAll(copies);
        Dataset d = Dataset.infer("bars", ex, List.of(1L, 8L, 8L));
        DuplicateGroups.Split split = DuplicateGroups.split(d, 0.5, 1, "train", "test");
        assertThat(split.examplesInGroups()).isEqualTo(40);
        assertThat(DuplicateGroups.testExamplesDuplicatedInTraining(split.parts().first(), split.parts().second())).isZero();
        Splits.Pair plain = Splits.split(d, 0.5, 1, "train", "test");
        assertThat(DuplicateGroups.testExamplesDuplicatedInTraining(plain.first(), plain.second())).isPositive();
    }

    @Test
    void rowsOfAFewCategoriesAreNotCopiesButAFewCopiedImagesAre() {
        // 600 records of three one-hot categories (9 possible rows), as a ticket table's product and priority read:
        // sharing a row is what such a table does, and grouping rows would split whole kinds of record off.
        List<Example> records = new ArrayList<>();
        Random rng = new Random(3);
        for (int i = 0; i < 600; i++) {
            float[] row = new float[6];
            row[rng.nextInt(3)] = 1;
            row[3 + rng.nextInt(3)] = 1;
            records.add(Example.dense("t" + i, row, i % 2 == 0 ? "a" : "b", "table"));
        }
        Dataset table = Dataset.infer("tickets", records, null);
        DuplicateGroups.Split split = DuplicateGroups.split(table, 0.2, 1, "train", "test");
        assertThat(split.groups()).isZero();
        assertThat(split.parts().second().size()).isEqualTo(120);
        // the same rows, each a distinct image but for one copy in ten, are copied images and stay together
        List<Example> images = new ArrayList<>(TestData.bars(200, 5).examples());
        for (int i = 0; i < 20; i++) {
            Example e = images.get(i);
            images.add(Example.dense(e.id() + "-copy", e.features(), e.label().orElseThrow(), "copy"));
        }
        assertThat(DuplicateGroups.split(Dataset.infer("bars", images, List.of(1L, 8L, 8L)), 0.2, 1, "train", "test").groups())
                .isEqualTo(20);
        // an icon theme: 40 pictures, each under five names (symbolic links); as few distinct rows as a table of
        // categories, yet every alias is a copy of its picture
        List<Example> pictures = TestData.bars(20, 5).examples();
        List<Example> aliases = new ArrayList<>();
        for (int copy = 0; copy < 5; copy++) {
            for (Example e : pictures) {
                aliases.add(Example.dense(e.id() + "-" + copy, e.features().clone(), e.label().orElseThrow(), "icons"));
            }
        }
        DuplicateGroups.Split icons = DuplicateGroups.split(Dataset.infer("icons", aliases, List.of(1L, 8L, 8L)), 0.2, 1, "train", "test");
        assertThat(icons.groups()).isEqualTo(40);
        assertThat(DuplicateGroups.testExamplesDuplicatedInTraining(icons.parts().first(), icons.parts().second())).isZero();
    }

    @Test
    void aSummaryCountsTheCopiesAndNamesThoseUnderDifferentLabels() {
        List<Example> pictures = new ArrayList<>(TestData.bars(10, 5).examples());
        Example first = pictures.get(0);
        pictures.add(Example.dense("alias-same", first.features().clone(), first.label().orElseThrow(), "icons"));
        pictures.add(Example.dense("alias-other", first.features().clone(), "elsewhere", "icons"));
        Example second = pictures.get(1);
        pictures.add(Example.dense("alias-2", second.features().clone(), second.label().orElseThrow(), "icons"));
        assertThat(DuplicateGroups.describe(Dataset.infer("icons", pictures, List.of(1L, 8L, 8L)))).hasValue("duplicates: 5 of 23"
                + " examples in 2 groups of exact or near copies (20 distinct); every split keeps a group on one side; 1 group holds"
                + " different labels: " + first.id() + " [" + first.label().orElseThrow() + "] = alias-same ["
                + first.label().orElseThrow() + "] = alias-other [elsewhere]");
        assertThat(DuplicateGroups.describe(TestData.bars(10, 5))).isEmpty();
    }

    @Test
    void aSplitSaysWhatItKeptTogetherInWordsThatFitTheCount() {
        assertThat(new DuplicateGroups.Split(null, 0, 0).describe()).isEqualTo("no duplicates to keep together");
        assertThat(new DuplicateGroups.Split(null, 1, 2).describe())
                .isEqualTo("2 examples, exact or near duplicates of each other, kept on one side");
        assertThat(new DuplicateGroups.Split(null, 3, 1_684).describe())
                .isEqualTo("1,684 examples in 3 groups of exact or near duplicates kept on one side each");
    }
}
