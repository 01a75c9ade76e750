package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
    void imageTransformsMovePixelsWhereTheyShould() {
        ImageAugmenter a = new ImageAugmenter(6, 6);
        assertThat(a.flip(dot())[1 * 6 + 1]).isEqualTo(1f);
        assertThat(a.shift(dot(), 2, -1)[3 * 6 + 3]).isEqualTo(1f);
        float[] same = a.affine(dot(), 0, 1, 0);
        assertThat(same).containsExactly(dot(), within(1e-6f));
        // A half-turn about the centre sends (1, 4) to (4, 1).
        assertThat(a.affine(dot(), Math.PI, 1, 0)[4 * 6 + 1]).isCloseTo(1f, within(1e-5f));
        float[] mixed = ImageAugmenter.mixup(dot(), a.flip(dot()), 0.25);
        assertThat(mixed[1 * 6 + 4]).isCloseTo(0.25f, within(1e-6f));
        assertThat(mixed[1 * 6 + 1]).isCloseTo(0.75f, within(1e-6f));
    }

    @Test
    void teacherViewsMixImagesOfAnyClassAndRepeatForASeed() {
        ImageAugmenter a = new ImageAugmenter(6, 6);
        float[] left = new float[36];
        float[] right = new float[36];
        for (int y = 0; y < 6; y++) {
            left[y * 6] = 1f;      // bright first column
            right[y * 6 + 5] = 0.5f; // dimmer last column: a mixture holds both brightness levels' mass
        }
        List<float[]> views = a.teacherViews(List.of(left, right), 400, new Random(5));
        assertThat(views).hasSize(400).allSatisfy(v -> assertThat(v).hasSize(36));
        int mixed = 0;
        for (float[] v : views) {
            double leftHalf = 0;
            double rightHalf = 0;
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 6; x++) {
                    if (x < 3) {
                        leftHalf += v[y * 6 + x];
                    } else {
                        rightHalf += v[y * 6 + x];
                    }
                }
            }
            mixed += leftHalf > 0.3 && rightHalf > 0.3 ? 1 : 0;
        }
        // About half the views are mixtures; of those, those of two different images (half) show mass on both sides
        // unless a flip moved both columns to one side, so well over a tenth and well under all.
        assertThat(mixed).isBetween(40, 300);
        List<float[]> again = a.teacherViews(List.of(left, right), 400, new Random(5));
        for (int i = 0; i < views.size(); i++) {
            assertThat(again.get(i)).containsExactly(views.get(i));
        }
        assertThatThrownBy(() -> a.teacherViews(List.of(new float[35]), 1, new Random(1)))
                .hasMessageContaining("expected 6x6 = 36 pixels, got 35");
    }

    @Test
    void fixMatchViewsStayImagesAndTheStrongOneIsCutOut() {
        ImageAugmenter a = new ImageAugmenter(9, 9);
        float[] white = new float[81];
        java.util.Arrays.fill(white, 1f);
        Random rng = new Random(3);
        for (int i = 0; i < 50; i++) {
            float[] weak = a.weakView(white, ImageAugmenter.ViewStrength.PAPER, rng);
            float[] strong = a.strongView(white, ImageAugmenter.ViewStrength.PAPER, rng);
            assertThat(weak).hasSize(81);
            assertThat(strong).hasSize(81);
            for (float v : strong) {
                assertThat(v).isBetween(0f, 1f);
            }
            // A shift of at most 3 pixels each way leaves the centre lit; the strong view always loses some pixels.
            assertThat(weak[4 * 9 + 4]).isEqualTo(1f);
            int dark = 0;
            for (float v : strong) {
                dark += v == 0f ? 1 : 0;
            }
            assertThat(dark).isGreaterThan(0);
        }
    }

    @Test
    void mildViewsMoveAnImageLessThanThePapers() {
        ImageAugmenter a = new ImageAugmenter(9, 9);
        float[] dot = new float[81];
        dot[4 * 9 + 4] = 1f;
        Random rng = new Random(11);
        int farthestMild = 0;
        int farthestPaper = 0;
        double darkMild = 0;
        double darkPaper = 0;
        float[] white = new float[81];
        java.util.Arrays.fill(white, 1f);
        for (int i = 0; i < 200; i++) {
            farthestMild = Math.max(farthestMild, distanceFromCentre(a.weakView(dot, ImageAugmenter.ViewStrength.MILD, rng)));
            farthestPaper = Math.max(farthestPaper, distanceFromCentre(a.weakView(dot, ImageAugmenter.ViewStrength.PAPER, rng)));
            darkMild += darkPixels(a.strongView(white, ImageAugmenter.ViewStrength.MILD, rng));
            darkPaper += darkPixels(a.strongView(white, ImageAugmenter.ViewStrength.PAPER, rng));
        }
        // Shifts are whole pixels (a flip keeps the centre column), so the dot lands at most that far each way.
        assertThat(farthestMild).isEqualTo(1);
        assertThat(farthestPaper).isEqualTo(3);
        // Cutout is a quarter of the side (2x2 of 9x9) instead of a third (3x3), and distortions move less off the edge.
        assertThat(darkMild).isGreaterThan(0).isLessThan(darkPaper);
        assertThat(ImageAugmenter.ViewStrength.parse("mild")).isEqualTo(ImageAugmenter.ViewStrength.MILD);
        assertThatThrownBy(() -> ImageAugmenter.ViewStrength.parse("strong")).hasMessageContaining("expected paper or mild");
    }

    /** The Chebyshev distance from the centre of the brightest pixel of a 9x9 image. */
    private static int distanceFromCentre(float[] img) {
        int best = 0;
        for (int i = 1; i < img.length; i++) {
            best = img[i] > img[best] ? i : best;
        }
        return Math.max(Math.abs(best / 9 - 4), Math.abs(best % 9 - 4));
    }

    private static int darkPixels(float[] img) {
        int dark = 0;
        for (float v : img) {
            dark += v == 0f ? 1 : 0;
        }
        return dark;
    }

    @Test
    void imageCandidatesKeepTheirSourceLabelAndSize() {
        ImageAugmenter a = new ImageAugmenter(6, 6);
        float[] other = new float[36];
        other[0] = 1f;
        List<Candidate<float[]>> out = a.generate(List.of(dot(), other), new int[] {3, 7}, 50, new Random(1));
        assertThat(out).hasSize(50).allSatisfy(c -> {
            assertThat(c.example()).hasSize(36);
            assertThat(c.label()).isIn(3, 7);
            assertThat(c.generator()).isEqualTo("augment");
        });
        float total = 0;
        for (float v : a.elastic(dot(), 1, 1, new Random(2))) {
            total += v;
        }
        assertThat(total).as("a gentle elastic map moves the dot but keeps most of its mass").isBetween(0.3f, 1.5f);
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
