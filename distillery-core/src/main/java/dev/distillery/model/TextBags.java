package dev.distillery.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Texts as bags of ids, in the form {@link HashedBagBlock} reads: every text's ids one after another (int32) and where
 * each text's ids start (int32, one offset per text and a last one for the end), as PyTorch's embedding bag takes them.
 */
final class TextBags {
    private TextBags() {}

    static NDList of(NDManager manager, List<int[]> texts) {
        int entries = 0;
        for (int[] ids : texts) {
            entries += ids.length;
        }
        // An empty array would be a zero-size tensor; one padding id (0, never a text's) that no text covers instead.
        int[] flat = new int[Math.max(1, entries)];
        int[] offsets = new int[texts.size() + 1];
        int at = 0;
        for (int t = 0; t < texts.size(); t++) {
            offsets[t] = at;
            int[] ids = texts.get(t);
            System.arraycopy(ids, 0, flat, at, ids.length);
            at += ids.length;
        }
        offsets[texts.size()] = at;
        return new NDList(manager.create(flat), manager.create(offsets));
    }
}
