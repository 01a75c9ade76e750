package dev.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.train.EpochStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    private static String printed(EpochStats stats) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8)).onEpochEnd(stats);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anEpochShowsItsLearningRateAndSpeed() {
        assertThat(printed(new EpochStats(3, 0.5, 0.8, Double.NaN, Double.NaN, 1e-3, 2.0, 1500, true)))
                .startsWith("epoch   3  loss 0.5000  acc 0.8000").contains("lr 1.00e-03", "1,500 ex/s", "*");
    }

    @Test
    void aSolvedModelIsNotShownAsAnEpochWithALearningRate() {
        assertThat(printed(new EpochStats(1, 0.32, 0.86, 0.4, 0.84, Double.NaN, 0.01, 9000, true)))
                .startsWith("solved     loss 0.3200  acc 0.8600  val loss 0.4000  val acc 0.8400")
                .doesNotContain("lr ", "epoch", "NaN", "ex/s");
    }
}
