package dev.distillery.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitsTest {
    static Dataset data(int perClassA, int perClassB) {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < perClassA; i++) {
            ex.add(Example.text("a" + i, "t", "A", ""));
        }
        for (int i = 0; i < perClassB; i++) {
            ex.add(Example.text("b" + i, "t", "B", ""));
        }
        return Dataset.infer("d", ex, null);
    }

    /** {@code n} examples over {@code classes} labels, round robin. */
    static Dataset balanced(int n, int classes) {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ex.add(Example.text("e" + i, "t" + i, "c" + (i % classes), ""));
        }
        return Dataset.infer("d", ex, null);
    }

    @Test
    void splitIsStratifiedDisjointCompleteAndSeeded() {
        Dataset d = data(900, 100);
        Splits.Pair p = Splits.split(d, 0.3, 7, "train", "test");
        assertThat(p.second().labelCounts()).containsEntry("A", 270).containsEntry("B", 30);
        Set<String> ids = new HashSet<>();
        p.first().examples().forEach(e -> ids.add(e.id()));
        p.second().examples().forEach(e -> assertThat(ids.add(e.id())).isTrue());
        assertThat(ids).hasSize(1000);
        Splits.Pair again = Splits.split(d, 0.3, 7, "train", "test");
        assertThat(again.second().examples()).isEqualTo(p.second().examples());
        Splits.Pair other = Splits.split(d, 0.3, 8, "train", "test");
        assertThat(other.second().examples()).isNotEqualTo(p.second().examples());
    }

    @Test
    void unlabeledExamplesStayOnTheLearningSideUnlessNoExampleHasALabel() {
        List<Example> ex = new ArrayList<>(data(10, 10).examples());
        for (int i = 0; i < 30; i++) {
            ex.add(Example.text("u" + i, "u" + i, null, ""));
        }
        ex.add(Example.text("copy-first", "c", null, "")); // an unlabeled copy listed before its labeled original
        ex.add(Example.text("original", "c", "A", ""));
        Dataset d = Dataset.infer("d", ex, null);
        int[] groups = new int[d.size()];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = i;
        }
        groups[d.size() - 1] = d.size() - 2; // the copy and its original: one group
        for (long seed = 1; seed <= 5; seed++) {
            Splits.Pair p = Splits.split(d, 0.2, seed, "train", "test", groups);
            assertThat(p.second().examples()).allMatch(e -> e.hasLabel() || e.id().equals("copy-first"));
            assertThat(p.first().size() - p.first().labeledCount()).isBetween(30L, 31L);
            assertThat(p.second().labeledCount()).as("a fifth of the 21 labeled").isEqualTo(4);
            // the group goes with its labeled original, unlabeled copy and all
            boolean copyHeldOut = p.second().examples().stream().anyMatch(e -> e.id().equals("copy-first"));
            boolean originalHeldOut = p.second().examples().stream().anyMatch(e -> e.id().equals("original"));
            assertThat(copyHeldOut).isEqualTo(originalHeldOut);
        }
        // nothing labeled: the records themselves are split
        List<Example> none = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            none.add(Example.text("u" + i, "u" + i, null, ""));
        }
        assertThat(Splits.split(Dataset.infer("d", none, null), 0.2, 7, "train", "test").second().size()).isEqualTo(2);
    }

    @Test
    void tinyDataStillGetsAHeldOutExample() {
        // 2 examples a label at 0.2: each label's share, 0.4, rounds to none, the whole split's, 0.8, to one.
        Splits.Pair p = Splits.split(data(2, 2), 0.2, 7, "train", "test");
        assertThat(p.second().size()).isEqualTo(1);
        assertThat(p.first().size()).isEqualTo(3);
        assertThat(p.first().labelCounts()).containsKeys("A", "B");
        // Many labels of 2: a group from each of the largest, up to the whole share (0.2 of 40 = 8).
        Splits.Pair many = Splits.split(balanced(40, 20), 0.2, 7, "train", "test");
        assertThat(many.second().size()).isEqualTo(8);
        assertThat(many.first().labelCounts()).hasSize(20);
        // Labels with enough examples are split as before, each on its own share.
        assertThat(Splits.split(data(3, 3), 0.2, 7, "train", "test").second().labelCounts())
                .containsEntry("A", 1).containsEntry("B", 1);
    }

    @Test
    void aGroupOfDuplicatesNeverTakesAllOfItsLabelOutOfTraining() {
        // Label A: one group of 10 copies and 10 single examples; label B: 10 copies of one example only.
        Dataset d = data(20, 10);
        int[] groups = new int[30];
        for (int i = 0; i < 30; i++) {
            groups[i] = i < 10 ? 0 : i < 20 ? i : 99;
        }
        for (long seed = 1; seed <= 20; seed++) {
            Splits.Pair p = Splits.split(d, 0.25, seed, "train", "test", groups);
            assertThat(p.first().labelCounts()).as("seed " + seed).containsKeys("A", "B");
            assertThat(p.first().labelCounts().get("B")).isEqualTo(10);
            assertThat(p.second().labelCounts().get("A")).as("A still gives its share, 5 or more").isBetween(5, 14);
        }
    }

    @Test
    void aSplitThatCannotHoldAnyExampleOutSaysWhatToDo() {
        // 1 example a label: no label can give one and keep one.
        assertThatThrownBy(() -> Splits.split(data(1, 1), 0.4, 7, "train", "test"))
                .hasMessageContaining("leaves the test part empty").hasMessageContaining("none below 2 examples a label")
                .hasMessageContaining("the largest label here has 1").hasMessageContaining("give a test set of its own");
        // 2 examples a label at 0.1: the whole share, 0.4, rounds to none.
        assertThatThrownBy(() -> Splits.split(data(2, 2), 0.1, 7, "train", "test"))
                .hasMessageContaining("leaves the test part empty");
    }

    @Test
    void labeledSubsetKeepsEveryClass() {
        Dataset d = data(990, 10);
        Splits.Pair p = Splits.labeledSubset(d, 100, 1);
        assertThat(p.first().size()).isEqualTo(100);
        assertThat(p.first().labelCounts()).containsEntry("A", 99).containsEntry("B", 1);
        assertThat(p.second().size()).isEqualTo(900);
    }

    @Test
    void labeledSubsetGivesExactlyTheCountAsked() {
        Dataset d = balanced(1347, 10);
        for (int count : new int[] {10, 20, 27, 100, 134, 1000}) {
            Splits.Pair p = Splits.labeledSubset(d, count, 3);
            assertThat(p.first().size()).as("count %d", count).isEqualTo(count);
            assertThat(p.first().labelCounts()).as("count %d", count).hasSize(10);
            assertThat(p.second().size()).isEqualTo(1347 - count);
        }
        assertThat(Splits.labeledSubset(d, Splits.parseAmount("2%", d.size()), 3).first().size()).isEqualTo(27);
        assertThat(Splits.labeledSubset(d, 20, 3).first().labelCounts().values()).containsOnly(2);
    }

    @Test
    void allocationSumsExactlyAndGivesEveryStratumOne() {
        assertThat(Splits.allocate(new int[] {135, 135, 135}, 4)).containsExactly(2, 1, 1);
        assertThat(Splits.allocate(new int[] {900, 50, 50}, 3)).containsExactly(1, 1, 1);
        assertThat(Splits.allocate(new int[] {5, 1}, 6)).containsExactly(5, 1);
    }

    @Test
    void parsesAmounts() {
        assertThat(Splits.parseAmount("1%", 60_000)).isEqualTo(600);
        assertThat(Splits.parseAmount("0.1", 60_000)).isEqualTo(6_000);
        assertThat(Splits.parseAmount("600", 60_000)).isEqualTo(600);
        assertThatThrownBy(() -> Splits.parseAmount("lots", 10)).hasMessageContaining("1%, 0.01 or 600");
        assertThatThrownBy(() -> Splits.parseAmount("20", 10)).hasMessageContaining("asks for 20 examples, more than the 10 there are");
        assertThatThrownBy(() -> Splits.parseAmount("1%", 10)).hasMessageContaining("amount 1% of 10 examples is none");
    }
}
