package dev.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bag block's two passes against the plain definitions (each text's mean row; each row's gradient the sum of
 * its texts' gradients over their lengths), for batches small enough to run on one thread and large enough to split
 * their rows over the pool ({@link RowParts}).
 */
class HashedBagBlockTest {
    private static final int BUCKETS = 1 << 14;
    private static final int DIM = 32;

    @ParameterizedTest(name = "{0} texts of up to {1} ids, after a larger batch: {2}")
    // 9 pairs at most, sequential; about 12,700 pairs x 32 floats, split over threads. After a larger training batch the
    // block's reused row buffers hold that batch's numbers beyond and within this one's rows: none may leak into it.
    @CsvSource({"3, 6, false", "128, 200, false", "3, 6, true", "64, 100, true"})
    void meansAndRowGradientsAreThePlainOnes(int texts, int maxIds, boolean afterALargerBatch) {
        List<int[]> bags = bags(texts, maxIds, new Random(texts));
        try (NDManager manager = NDManager.newBaseManager()) {
            HashedBagBlock block = new HashedBagBlock(BUCKETS, DIM);
            block.initialize(manager, DataType.FLOAT32, new Shape(texts, 8));
            if (afterALargerBatch) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray earlier = block.forward(new ParameterStore(manager, false),
                            TextBags.of(manager, bags(128, 300, new Random(99))), true).singletonOrThrow();
                    gc.backward(earlier.sum());
                    assertThat(block.takeRows().ids()).hasSizeGreaterThan(texts);
                }
            }
            float[] table = block.getParameters().get("table").getArray().toFloatArray();
            float[] outGradient = new float[texts * DIM];
            Random rng = new Random(7);
            for (int i = 0; i < outGradient.length; i++) {
                outGradient[i] = (float) rng.nextGaussian();
            }
            NDArray means;
            RowSparseTable.Rows rows;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                means = block.forward(new ParameterStore(manager, false), TextBags.of(manager, bags), true).singletonOrThrow();
                gc.backward(means.mul(manager.create(outGradient, new Shape(texts, DIM))).sum());
                rows = block.takeRows();
            }

            float[] expectedMeans = new float[texts * DIM];
            TreeMap<Integer, float[]> expectedGradients = new TreeMap<>();
            for (int t = 0; t < texts; t++) {
                int[] ids = bags.get(t);
                for (int id : ids) {
                    float[] gradient = expectedGradients.computeIfAbsent((int) id, k -> new float[DIM]);
                    for (int j = 0; j < DIM; j++) {
                        expectedMeans[t * DIM + j] += table[(int) id * DIM + j] / ids.length;
                        gradient[j] += outGradient[t * DIM + j] / ids.length;
                    }
                }
            }
            assertThat(means.toFloatArray()).containsExactly(expectedMeans, offset(1e-5f));
            assertThat(rows.ids()).containsExactly(expectedGradients.keySet().stream().mapToInt(Integer::intValue).toArray());
            int r = 0;
            for (var row : expectedGradients.entrySet()) {
                int id = row.getKey();
                assertThat(java.util.Arrays.copyOfRange(rows.values(), r * DIM, (r + 1) * DIM)).as("row %d's values", id)
                        .containsExactly(java.util.Arrays.copyOfRange(table, id * DIM, (id + 1) * DIM));
                assertThat(java.util.Arrays.copyOfRange(rows.gradients(), r * DIM, (r + 1) * DIM)).as("row %d's gradient", id)
                        .containsExactly(row.getValue(), offset(1e-5f));
                r++;
            }
        }
    }

    @Test
    void aLargeBatchGivesTheSameNumbersEveryTime() {
        List<int[]> bags = bags(128, 200, new Random(5));
        try (NDManager manager = NDManager.newBaseManager()) {
            HashedBagBlock block = new HashedBagBlock(BUCKETS, DIM);
            block.initialize(manager, DataType.FLOAT32, new Shape(128, 8));
            NDList input = TextBags.of(manager, bags);
            float[] first = block.forward(new ParameterStore(manager, false), input, false).singletonOrThrow().toFloatArray();
            for (int run = 0; run < 20; run++) { // the threads finish their parts in whatever order they do
                float[] again = block.forward(new ParameterStore(manager, false), input, false).singletonOrThrow().toFloatArray();
                assertThat(again).as("run %d", run).containsExactly(first);
            }
        }
    }

    /** Texts of 0 to {@code maxIds} ids, some repeated within a text, from a vocabulary that texts share in part. */
    private static List<int[]> bags(int texts, int maxIds, Random rng) {
        List<int[]> bags = new ArrayList<>();
        for (int t = 0; t < texts; t++) {
            int[] ids = new int[t == 1 ? 0 : 1 + rng.nextInt(maxIds)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i > 0 && rng.nextInt(5) == 0 ? ids[i - 1] : 1 + rng.nextInt(rng.nextBoolean() ? 200 : BUCKETS - 1);
            }
            bags.add(ids);
        }
        return bags;
    }
}
