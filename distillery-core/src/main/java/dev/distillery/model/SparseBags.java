package dev.distillery.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.List;

/**
 * Texts as bags of ids, in the form {@link HashedBagBlock} reads: the distinct ids of a batch (int64, in the order
 * they first appear) and a
 * sparse (texts x distinct ids) matrix whose row holds 1/n for each of a text's n ids, so that the matrix times the
 * table rows of the distinct ids is each text's mean embedding. The work grows with the ids a batch holds, not with
 * its longest text times its size, and the gradient reaches only the rows the batch read.
 */
final class SparseBags {
    private SparseBags() {}

    static NDList of(NDManager manager, List<long[]> texts) {
        int entries = 0;
        for (long[] ids : texts) {
            entries += ids.length;
        }
        // Each id's column: its place among the batch's distinct ids in the order they first appear, found in an
        // open-addressing table (ids are >= 0; -1 marks a free slot) rather than by sorting every entry.
        int capacity = Integer.highestOneBit(Math.max(2, entries) * 2 - 1) << 1;
        long[] keys = new long[capacity];
        int[] columns = new int[capacity];
        Arrays.fill(keys, -1);
        long[] distinct = new long[Math.max(1, entries)];
        int found = 0;
        long[] coordinates = new long[2 * entries]; // row indices, then column indices
        float[] weights = new float[entries];
        int at = 0;
        for (int row = 0; row < texts.size(); row++) {
            long[] ids = texts.get(row);
            float weight = 1f / ids.length;
            for (long id : ids) {
                int slot = (int) mix(id) & (capacity - 1);
                while (keys[slot] != -1 && keys[slot] != id) {
                    slot = (slot + 1) & (capacity - 1);
                }
                if (keys[slot] == -1) {
                    keys[slot] = id;
                    columns[slot] = found;
                    distinct[found++] = id;
                }
                coordinates[at] = row;
                coordinates[entries + at] = columns[slot];
                weights[at++] = weight;
            }
        }
        // Every text empty: one column (the padding id 0) that no text weighs, so the shapes stay valid.
        NDArray idArray = manager.create(Arrays.copyOf(distinct, Math.max(1, found)));
        // The sparse tensor keeps pointing at these two arrays' memory, so they stay attached to the batch's manager
        // for as long as it lives. DJL's own NDManager.createCoo closes them at once and leaves the tensor reading freed
        // memory (wrong indices a few steps later), hence the engine's call here.
        PtNDArray indices = (PtNDArray) manager.create(coordinates, new Shape(2, entries));
        PtNDArray values = (PtNDArray) manager.create(weights);
        NDArray bags = JniUtils.createSparseCoo(indices, values, new Shape(texts.size(), Math.max(1, found)));
        bags.attach(manager);
        return new NDList(idArray, bags);
    }

    /** A 64-bit finalizer (MurmurHash3's), so nearby ids land in distant slots. */
    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
