package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillery.transform.ImageTransforms;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GeneratorsTest {
    /** A 6x6 image with a bright pixel at (row 1, column 4). */
    static float[] dot() {
        float[] img = new float[36];
        img[1 * 6 + 4] = 1f;
        return img;
    }


    @Test
    void imageCandidatesKeepTheirSourceLabelAndSize() {
        AugmentGenerator a = new AugmentGenerator(new ImageTransforms(6, 6));
        float[] other = new float[36];
        other[0] = 1f;
        List<Candidate<float[]>> out = a.generate(List.of(dot(), other), new int[] {3, 7}, 50, new Random(1));
        assertThat(out).hasSize(50).allSatisfy(c -> {
            assertThat(c.example()).hasSize(36);
            assertThat(c.label()).isIn(3, 7);
            assertThat(c.generator()).isEqualTo("augment");
        });
        assertThatThrownBy(() -> a.generate(List.of(new float[10]), new int[] {0}, 1, new Random(1))).hasMessageContaining("6x6");
    }

    @Test
    void textAugmentationUsesWordNetSynonymsAndKeepsLabels() {
        assertThat(TextAugmenter.synonyms("happy")).contains("felicitous", "glad");
        assertThat(TextAugmenter.synonyms("xq")).isEmpty();
        TextAugmenter eda = new TextAugmenter(0.2);
        List<String> texts = List.of("the meeting about the quarterly budget is moved to friday afternoon",
                "win a free holiday now by replying to this message today");
        List<Candidate<String>> out = eda.generate(texts, new int[] {0, 1}, 40, new Random(4));
        assertThat(out).hasSize(40).allSatisfy(c -> {
            assertThat(c.label()).isEqualTo(c.example().contains("budget") || c.example().contains("meeting")
                    || c.example().contains("quarterly") ? 0 : 1);
            assertThat(c.example()).isNotBlank();
        });
        assertThat(out).extracting(Candidate::example).anySatisfy(t -> assertThat(texts).doesNotContain(t));
    }
}
