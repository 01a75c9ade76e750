package dev.distillery.federated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.model.MlpSpec;
import dev.distillery.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FederatedTrainingTest {
    @Test
    void fedAvgOverSkewedClientsLearnsWhatNoClientAloneCanAndSecureAggregationChangesNothing() {
        Dataset train = TestData.blobs(120, 1);
        Dataset test = TestData.blobs(60, 2);
        // shards:1 with 6 clients: each client holds examples of one class only, so alone it can learn nothing useful
        var settings = new FederatedTraining.Settings(6, Partition.parse("shards:1"), 10, 5, 1.0, "fedavg", 0, true, 0.2, 0, 0, 1e-5, 42, "avg", 1.0);
        List<FederatedTraining.Round> rounds = new ArrayList<>();
        FederatedTraining.Outcome o = new FederatedTraining(new MlpSpec(16, 1, 0f), TrainConfig.defaults().withBatchSize(16).withLearningRate(0.01f), settings, null)
                .run(train, test, rounds::add);
        assertThat(rounds).hasSize(10);
        assertThat(o.clientSizes()).hasSize(6).allSatisfy(n -> assertThat(n).isEqualTo(60));
        assertThat(o.fedavgAccuracy()).isGreaterThan(0.9);
        assertThat(o.localOnlyAccuracy()).isLessThan(0.5);
        assertThat(o.centralizedAccuracy()).isGreaterThan(0.9);
        assertThat(o.secureAggMaxAbsDiff()).isLessThanOrEqualTo(1e-4);
        assertThat(rounds.stream().mapToInt(r -> r.dropped().size()).sum()).as("some clients dropped out and the rounds went on").isPositive();
        assertThat(o.bytesPerRound()).isPositive();
    }

    @Test
    void dirichletSplitsAreSeededCoverTheDataAndSkewTheLabels() {
        Dataset data = TestData.blobs(200, 3);
        Partition p = Partition.parse("dirichlet:0.3");
        List<Dataset> a = p.split(data, 10, 7);
        List<Dataset> b = p.split(data, 10, 7);
        assertThat(a.stream().mapToInt(Dataset::size).sum()).isEqualTo(600);
        assertThat(a.stream().map(d -> d.examples().get(0).id()).toList()).isEqualTo(b.stream().map(d -> d.examples().get(0).id()).toList());
        long skewed = a.stream().filter(d -> d.examples().stream().map(e -> e.label().orElseThrow()).distinct().count() < 3
                || d.examples().stream().filter(e -> e.label().orElseThrow().equals("left")).count() > 0.6 * d.size()).count();
        assertThat(skewed).as("alpha 0.3 leaves most clients with a skewed label mix").isGreaterThanOrEqualTo(5);
    }
}
