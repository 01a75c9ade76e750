package dev.distillery.synth;

import dev.distillery.data.Schema;
import dev.distillery.transform.ImageTransforms;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Image augmentation as a generator: each candidate is one labeled transform of a random labeled image. */
public final class AugmentGenerator implements Generator<float[]> {
    private final ImageTransforms transforms;

    public AugmentGenerator(ImageTransforms transforms) {
        this.transforms = transforms;
    }

    /** The generator for a data set of one-channel images, shape [H, W] or [1, H, W]. */
    public static AugmentGenerator forSchema(Schema schema) {
        return new AugmentGenerator(ImageTransforms.forSchema(schema));
    }

    @Override
    public String name() {
        return "augment";
    }

    @Override
    public List<Candidate<float[]>> generate(List<float[]> examples, int[] labels, int n, Random rng) {
        List<Candidate<float[]>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int src = rng.nextInt(examples.size());
            out.add(new Candidate<>(transforms.augmentLabeled(examples, labels, src, rng), labels[src], name()));
        }
        return out;
    }
}
