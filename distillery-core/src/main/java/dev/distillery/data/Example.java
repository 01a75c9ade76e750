package dev.distillery.data;

import java.util.Objects;
import java.util.Optional;

/**
 * One immutable example: a text or a dense feature vector, an optional label and where it came from.
 *
 * <p>Exactly one of {@code text} and {@code features} is present. The feature array is copied on the
 * way in and on the way out, so an example never changes after it is built.
 */
public final class Example {
    private final String id;
    private final String text;
    private final float[] features;
    private final String label;
    private final String source;

    private Example(String id, String text, float[] features, String label, String source) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("an example needs a non-empty id");
        }
        if ((text == null) == (features == null)) {
            throw new IllegalArgumentException(
                    "example " + id + " must have exactly one of text and features");
        }
        this.id = id;
        this.text = text;
        this.features = features;
        this.label = label;
        this.source = source == null ? "" : source;
    }

    public static Example text(String id, String text, String label, String source) {
        return new Example(id, Objects.requireNonNull(text, "text"), null, label, source);
    }

    public static Example dense(String id, float[] features, String label, String source) {
        return new Example(id, null, Objects.requireNonNull(features, "features").clone(), label, source);
    }

    /** Builds a dense example that takes ownership of {@code features}; for readers that just made the array. */
    static Example denseOwned(String id, float[] features, String label, String source) {
        return new Example(id, null, features, label, source);
    }

    public String id() {
        return id;
    }

    public boolean isText() {
        return text != null;
    }

    public String text() {
        if (text == null) {
            throw new IllegalStateException("example " + id + " has dense features, not text");
        }
        return text;
    }

    public float[] features() {
        if (features == null) {
            throw new IllegalStateException("example " + id + " has text, not dense features");
        }
        return features.clone();
    }

    /** Copies the features into {@code dest} at {@code offset} without allocating; the hot path of batching. */
    public void copyFeaturesTo(float[] dest, int offset) {
        System.arraycopy(features, 0, dest, offset, features.length);
    }

    public int featureLength() {
        return features == null ? 0 : features.length;
    }

    public Optional<String> label() {
        return Optional.ofNullable(label);
    }

    public boolean hasLabel() {
        return label != null;
    }

    public String source() {
        return source;
    }

    public Example withLabel(String newLabel) {
        return new Example(id, text, features, newLabel, source);
    }

    @Override
    public String toString() {
        String body = isText()
                ? "text=" + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
                : "features[" + features.length + "]";
        return "Example{" + id + ", " + body + ", label=" + label + "}";
    }
}
