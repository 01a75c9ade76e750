package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.tracker.Tracker;
import dev.distillery.TestData;
import dev.distillery.model.NgramBagSpec;
import dev.distillery.model.RowSparseTable;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lazy update of a table's rows against Adam written out for those rows alone, for steps small enough to run on
 * one thread and large enough to split their rows over the pool: rows a step did not read must not move.
 */
class ResumableOptimizerTest {
    private static final int BUCKETS = 1 << 15;
    private static final int WIDTH = 32;
    private static final float LR = 0.01f;

    @ParameterizedTest(name = "{0} rows a step")
    @ValueSource(ints = {50, 12_000}) // 1,600 floats: one thread; 384,000: split
    void rowsAreUpdatedAsAdamWouldAndNoOthers(int rowsPerStep) {
        TrainConfig config = TrainConfig.defaults();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = new NgramBagSpec(WIDTH, BUCKETS, 2, 100).build(TestData.texts(2, 1).schema());
            block.initialize(manager, DataType.FLOAT32, new Shape(4, 8));
            Parameter table = block.getParameters().stream().filter(p -> p.getKey().endsWith("table")).findFirst()
                    .orElseThrow().getValue();
            float[] w = table.getArray().toFloatArray();
            float[] m = new float[w.length];
            float[] v = new float[w.length];
            ResumableOptimizer optimizer = new ResumableOptimizer(config, Tracker.fixed(LR));
            Random rng = new Random(rowsPerStep);
            for (int t = 1; t <= 3; t++) {
                int[] ids = rng.ints(0, BUCKETS).distinct().limit(rowsPerStep).sorted().toArray();
                float[] values = new float[ids.length * WIDTH];
                float[] gradients = new float[values.length];
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(w, ids[i] * WIDTH, values, i * WIDTH, WIDTH);
                }
                for (int i = 0; i < gradients.length; i++) {
                    gradients[i] = (float) rng.nextGaussian();
                }
                float[] expectedGradients = gradients.clone();
                optimizer.updateRows(new RowSparseTable.Rows(table, ids, values, gradients));

                float corrected = (float) (LR * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t)));
                for (int i = 0; i < ids.length; i++) {
                    for (int j = 0; j < WIDTH; j++) {
                        int at = ids[i] * WIDTH + j;
                        float g = expectedGradients[i * WIDTH + j] + config.weightDecay() * w[at];
                        m[at] = 0.9f * m[at] + 0.1f * g;
                        v[at] = 0.999f * v[at] + 0.001f * g * g;
                        w[at] -= corrected * m[at] / ((float) Math.sqrt(v[at]) + 1e-8f);
                    }
                }
                // The whole table: the rows read moved as Adam moves them, every other row kept its weights.
                float[] actual = table.getArray().toFloatArray();
                int worst = 0;
                for (int i = 0; i < w.length; i++) {
                    worst = Math.abs(actual[i] - w[i]) > Math.abs(actual[worst] - w[worst]) ? i : worst;
                }
                assertThat(actual[worst]).as("the table after step %d, row %d, column %d (of %d rows read)", t, worst / WIDTH,
                        worst % WIDTH, ids.length).isCloseTo(w[worst], offset(1e-6f));
            }
        }
    }
}
