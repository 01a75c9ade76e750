package dev.distillery.compress;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A deterministic change of input distribution for images in [0, 1], to adapt a model to (e.g. with LoRA). */
public enum DomainShift {
    /** Negative images: 1 - x (dark garments on a light background). */
    INVERT,
    /** Every image turned a quarter turn clockwise. */
    ROTATE90;

    public static DomainShift parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown shift '" + name + "'; use invert or rotate90");
        }
    }

    /** The shifted copy of {@code data}: same ids and labels. Images must be (channels, height, width) with height == width. */
    public Dataset apply(Dataset data) {
        List<Long> shape = data.schema().featureShape();
        if (shape.size() != 3 || (this == ROTATE90 && !shape.get(1).equals(shape.get(2)))) {
            throw new IllegalArgumentException("a " + name().toLowerCase(Locale.ROOT) + " shift needs square images shaped "
                    + "(channels, height, width); " + data.name() + " is shaped " + shape);
        }
        int side = shape.get(1).intValue();
        int plane = side * side;
        List<Example> out = new ArrayList<>(data.size());
        for (Example e : data.examples()) {
            float[] f = e.features();
            float[] g = new float[f.length];
            for (int c = 0; c < f.length / plane; c++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        int from = c * plane + y * side + x;
                        if (this == INVERT) {
                            g[from] = 1f - f[from];
                        } else {
                            // clockwise: the pixel at (y, x) moves to (x, side - 1 - y)
                            g[c * plane + x * side + (side - 1 - y)] = f[from];
                        }
                    }
                }
            }
            out.add(Example.dense(e.id(), g, e.label().orElse(null), e.source()));
        }
        return data.subset(data.name() + "-" + name().toLowerCase(Locale.ROOT), out);
    }
}
