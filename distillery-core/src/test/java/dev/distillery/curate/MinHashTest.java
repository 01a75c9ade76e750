package dev.distillery.curate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.util.Hashing;
import dev.distillery.util.Patterns;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MinHashTest {

    /**
     * The shingles as first written: a regular expression split (each letter of a script written without spaces then
     * a word of its own), each n-gram built as a string and hashed.
     */
    private static long[] reference(String text, int shingle) {
        String[] split = Patterns.WORD_BREAK.split(text.toLowerCase(Locale.ROOT));
        String[] words = dev.distillery.util.Scripts.apart(Arrays.copyOfRange(split, split.length > 0 && split[0].isEmpty() ? 1 : 0,
                split.length));
        int start = 0;
        int n = words.length - start;
        if (n <= 0) {
            return new long[0];
        }
        int count = Math.max(1, n - shingle + 1);
        long[] out = new long[count];
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.setLength(0);
            for (int j = i; j < Math.min(n, i + shingle); j++) {
                sb.append(words[start + j]).append(' ');
            }
            out[i] = Hashing.fnv1a64(sb);
        }
        Arrays.sort(out);
        return Arrays.stream(out).distinct().toArray();
    }

    /**
     * Pieces that put the word scan's edge cases next to each other: letters and digits of several scripts, numbers
     * that are not digits (superscript two: No; Roman numeral twelve: Nl), a combining accent (Mn, a separator), letters
     * outside the 16-bit range (mathematical bold A, a surrogate pair), an emoji (So), lone surrogates, punctuation,
     * a capital whose lower case is longer (dotted I), and repeated words (repeated shingles).
     */
    private static final String[] PIECES = {"the", "The", "cat", "sat", " ", "  ", "\t", "\n", ",", "...", "-", "42", "ß",
        "café", "e\u0301", "\u00b2", "\u216b", "\u0660\u0661", "日本語", "ひらがな", "GPT模型", "ภาษาไทย", "Привет", "\ud835\udc00", "\ud83d\ude00", "\ud800",
        "\udc00", "İ", "x", "x x x x x x", "_", "'s"};

    @Test
    void theScanGivesTheShinglesOfTheRegularExpressionSplit() {
        MinHash minHash = new MinHash(5, 16, 42);
        MinHash pairs = new MinHash(2, 16, 42);
        Random rng = new Random(7);
        for (int trial = 0; trial < 5_000; trial++) {
            StringBuilder text = new StringBuilder();
            int pieces = rng.nextInt(30);
            for (int p = 0; p < pieces; p++) {
                text.append(PIECES[rng.nextInt(PIECES.length)]);
                if (rng.nextBoolean()) {
                    text.append(' ');
                }
            }
            String t = text.toString();
            assertThat(minHash.shingles(t)).as("5-grams of [%s]", t).containsExactly(reference(t, 5));
            assertThat(pairs.shingles(t)).as("2-grams of [%s]", t).containsExactly(reference(t, 2));
        }
    }

    @Test
    void chineseIsShingledByCharactersSoACopyWithOneCharacterChangedIsNear() {
        MinHash minHash = new MinHash(5, 16, 42);
        assertThat(minHash.shingles("少年十五二十时，步行夺得胡马骑。")).hasSize(10); // 14 characters, two clauses
        String poem = "少年十五二十时，步行夺得胡马骑。射杀山中白额虎，肯数邺下黄须儿。一身转战三千里，一剑曾当百万师。"
                + "汉兵奋迅如霹雳，虏骑奔腾畏蒺藜。卫青不败由天幸，李广无功缘数奇。自从弃置便衰朽，世事蹉跎成白首。";
        String copy = poem.replace("白额虎", "白头虎");
        assertThat(MinHash.jaccard(minHash.shingles(poem), minHash.shingles(copy))).isGreaterThan(0.8);
        // by clauses, as before, one changed character changed 5 of the 12 shingles of 5 clauses
        assertThat(MinHash.jaccard(minHash.shingles(poem), minHash.shingles(poem.replace("一剑", "两剑")))).isGreaterThan(0.8);
    }

    @Test
    void emptyAndSeparatorOnlyTextsHaveNoShingles() {
        MinHash minHash = new MinHash(5, 16, 42);
        assertThat(minHash.shingles("")).isEmpty();
        assertThat(minHash.shingles(" ,.- \u0301 ")).isEmpty();
        assertThat(minHash.shingles("one")).hasSize(1).containsExactly(reference("one", 5));
    }
}
