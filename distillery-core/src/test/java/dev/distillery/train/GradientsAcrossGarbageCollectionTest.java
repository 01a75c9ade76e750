package dev.distillery.train;

import static dev.distillery.model.GarbageCollection.assertSameGradient;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.distillery.compress.LoraLinear;
import dev.distillery.data.Example;
import dev.distillery.data.Schema;
import dev.distillery.distill.DistillationObjective;
import dev.distillery.model.GarbageCollection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The losses and layers that combine a tensor autograd records with a number give the same gradients when the garbage
 * collector runs between the forward and the backward pass. They did not while DJL's number overloads were used: the
 * number's tensor, kept by autograd, lived in memory the collector freed (see {@code Scalars}); the quickstart's
 * distilled student trained differently on a loaded machine. The variational autoencoder's loss is checked in its own
 * test.
 */
class GradientsAcrossGarbageCollectionTest {
    private static final Schema SCHEMA = Schema.text(List.of("a", "b", "c"));
    private static final float[] LOGITS = {1, 2, 0, 0.5f, -1, 0, 2, 0.3f, -0.7f, 0.1f, 3, -2};

    @Test
    void theDistillationLossDividesByTheTemperature() {
        DistillationObjective kd = new DistillationObjective(Map.of("x", new float[] {2, 0, 1}, "u", new float[] {0, 0, 3},
                "y", new float[] {1, 1, -1}, "v", new float[] {-2, 0, 2}), 0.25f, 2f);
        List<Example> batch = List.of(Example.text("x", "t", "b", ""), Example.text("u", "t", null, ""),
                Example.text("y", "t", "a", ""), Example.text("v", "t", null, ""));
        assertSameGradient(logits -> kd.loss(logits, batch, SCHEMA), LOGITS, new Shape(4, 3));
    }

    @Test
    void fixMatchWeighsTheUnlabeledTerm() {
        // rows 0-1 labeled, 2-3 the weak views (both confident), 4-5 the strong views
        float[] logits = {1, 2, 0, 0.5f, -1, 0, 6, 0, 0, 0, 0, 6, 2, 0.3f, -0.7f, 0.1f, 3, -2};
        Function<NDArray, NDArray> loss = all -> {
            NDArray labels = all.getManager().create(new float[] {1, 0});
            return FixMatch.batchLoss(all.get("0:2"), all.get("2:4"), all.get("4:"), labels, 0.9).loss();
        };
        assertSameGradient(loss, logits, new Shape(6, 3));
    }

    @Test
    void aLoraLayerScalesItsUpdate() {
        float[][] runs = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (NDManager manager = NDManager.newBaseManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                Engine.getInstance().setRandomSeed(11); // the base layer's initial weights
                LoraLinear layer = new LoraLinear(Linear.builder().setUnits(3).build(), 2, 4f, 7);
                layer.initialize(manager, DataType.FLOAT32, new Shape(4, 5));
                NDArray x = manager.create(new float[] {1, 0, 2, -1, 0.5f, 0, 1, 1, 0, -2, 3, 0, 0, 1, 1, -1, 2, 0, 0, 1}, new Shape(4, 5));
                NDArray out = layer.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow();
                NDArray loss = out.square().sum();
                if (run == 1) {
                    GarbageCollection.collectNow();
                }
                collector.backward(loss);
                runs[run] = layer.loraB().getArray().getGradient().toFloatArray();
            }
        }
        assertThat(runs[0]).as("the gradient of the adapter's B (it starts at zero, so A's gradient is zero too)")
                .isNotEqualTo(new float[runs[0].length]);
        assertThat(runs[1]).containsExactly(runs[0]);
    }
}
