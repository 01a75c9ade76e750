package dev.distillery.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What each generation of the collapse lab trains on (Gerstgrasser et al., 2024): {@code replace}, only
 * the newest synthetic data (the setting in which Shumailov et al., 2024 see collapse); {@code accumulate},
 * the real data plus every synthetic generation so far; {@code verify}, the same but only candidates
 * the verifiers accepted.
 */
public enum Policy {
    REPLACE,
    ACCUMULATE,
    VERIFY;

    public static Policy parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown policy '" + s + "'; policies are replace, accumulate, verify", e);
        }
    }

    /**
     * The training data of the next generation. {@code synthetic} holds each earlier generation's output, oldest first,
     * already verified under {@code VERIFY}; generation 0 (no synthetic data yet) trains on the real data under every policy.
     */
    public <D> List<D> trainingSet(List<D> real, List<List<D>> synthetic) {
        if (synthetic.isEmpty()) {
            return real;
        }
        if (this == REPLACE) {
            return synthetic.get(synthetic.size() - 1);
        }
        List<D> all = new ArrayList<>(real);
        synthetic.forEach(all::addAll);
        return all;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
