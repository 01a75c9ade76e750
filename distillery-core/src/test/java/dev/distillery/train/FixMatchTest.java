package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.data.Example;
import dev.distillery.synth.ImageAugmenter;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FixMatchTest {
    private final ImageAugmenter views = new ImageAugmenter(4, 4);
    private final float[] pixels = new float[16];

    {
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i / 16f;
        }
    }

    @Test
    void weakViewOfAMirrorTrainedModelIsTheImageOrItsMirrorNeverAShift() {
        Example e = Example.dense("a", pixels, null, "test");
        float[] mirror = views.flip(pixels);
        Random rng = new Random(5);
        int mirrored = 0;
        for (int i = 0; i < 200; i++) {
            float[] v = FixMatch.weak(views, true, e, rng);
            boolean isMirror = Arrays.equals(v, mirror);
            assertThat(isMirror || Arrays.equals(v, pixels)).as("view %d is the image or its mirror", i).isTrue();
            mirrored += isMirror ? 1 : 0;
        }
        assertThat(mirrored).isBetween(70, 130);
    }

    @Test
    void weakViewOfAModelTrainedWithoutAugmentationIsTheImage() {
        Example e = Example.dense("a", pixels, null, "test");
        assertThat(FixMatch.weak(views, false, e, new Random(5))).containsExactly(pixels);
    }
}
