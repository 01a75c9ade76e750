package dev.distillery.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageTransformsTest {
    /** A 6x6 image with a bright pixel at (row 1, column 4). */
    static float[] dot() {
        float[] img = new float[36];
        img[1 * 6 + 4] = 1f;
        return img;
    }

    @Test
    void imageTransformsMovePixelsWhereTheyShould() {
        ImageTransforms a = new ImageTransforms(6, 6);
        assertThat(a.flip(dot())[1 * 6 + 1]).isEqualTo(1f);
        assertThat(a.shift(dot(), 2, -1)[3 * 6 + 3]).isEqualTo(1f);
        float[] same = a.affine(dot(), 0, 1, 0);
        assertThat(same).containsExactly(dot(), within(1e-6f));
        // A half-turn about the centre sends (1, 4) to (4, 1).
        assertThat(a.affine(dot(), Math.PI, 1, 0)[4 * 6 + 1]).isCloseTo(1f, within(1e-5f));
        float[] mixed = ImageTransforms.mixup(dot(), a.flip(dot()), 0.25);
        assertThat(mixed[1 * 6 + 4]).isCloseTo(0.25f, within(1e-6f));
        assertThat(mixed[1 * 6 + 1]).isCloseTo(0.75f, within(1e-6f));
    }

    @Test
    void teacherViewsMixImagesOfAnyClassAndRepeatForASeed() {
        ImageTransforms a = new ImageTransforms(6, 6);
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
        ImageTransforms a = new ImageTransforms(9, 9);
        float[] white = new float[81];
        java.util.Arrays.fill(white, 1f);
        Random rng = new Random(3);
        for (int i = 0; i < 50; i++) {
            float[] weak = a.weakView(white, ImageTransforms.ViewStrength.PAPER, rng);
            float[] strong = a.strongView(white, ImageTransforms.ViewStrength.PAPER, rng);
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
        ImageTransforms a = new ImageTransforms(9, 9);
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
            farthestMild = Math.max(farthestMild, distanceFromCentre(a.weakView(dot, ImageTransforms.ViewStrength.MILD, rng)));
            farthestPaper = Math.max(farthestPaper, distanceFromCentre(a.weakView(dot, ImageTransforms.ViewStrength.PAPER, rng)));
            darkMild += darkPixels(a.strongView(white, ImageTransforms.ViewStrength.MILD, rng));
            darkPaper += darkPixels(a.strongView(white, ImageTransforms.ViewStrength.PAPER, rng));
        }
        // Shifts are whole pixels (a flip keeps the centre column), so the dot lands at most that far each way.
        assertThat(farthestMild).isEqualTo(1);
        assertThat(farthestPaper).isEqualTo(3);
        // Cutout is a quarter of the side (2x2 of 9x9) instead of a third (3x3), and distortions move less off the edge.
        assertThat(darkMild).isGreaterThan(0).isLessThan(darkPaper);
        assertThat(ImageTransforms.ViewStrength.parse("mild")).isEqualTo(ImageTransforms.ViewStrength.MILD);
        assertThatThrownBy(() -> ImageTransforms.ViewStrength.parse("strong")).hasMessageContaining("expected paper or mild");
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
    void aGentleElasticMapMovesTheDotButKeepsMostOfItsMass() {
        float total = 0;
        for (float v : new ImageTransforms(6, 6).elastic(dot(), 1, 1, new Random(2))) {
            total += v;
        }
        assertThat(total).isBetween(0.3f, 1.5f);
    }
}
