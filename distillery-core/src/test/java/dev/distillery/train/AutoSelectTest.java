package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.LinearSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.SvmSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoSelectTest {
    @Test
    void pseudoLabelsTrainTheLogisticLossAndEveryOtherChoiceIsKept() {
        LinearSpec hinge = LinearSpec.DEFAULT.withSettings(LinearSpec.Loss.SQUARED_HINGE, 10);
        LinearSpec logistic = LinearSpec.DEFAULT.withSettings(LinearSpec.Loss.LOGISTIC, 100);
        assertThat(AutoSelect.forPseudoLabels(hinge, logistic)).isEqualTo(logistic);
        assertThat(AutoSelect.forPseudoLabels(hinge, null)).isEqualTo(new LinearSpec(LinearSpec.DEFAULT.width(), null, LinearSpec.Loss.LOGISTIC));
        assertThat(AutoSelect.forPseudoLabels(LinearSpec.DEFAULT, null)).isEqualTo(
                new LinearSpec(LinearSpec.DEFAULT.width(), null, LinearSpec.Loss.LOGISTIC));
        LinearSpec chosenLogistic = LinearSpec.DEFAULT.withSettings(LinearSpec.Loss.LOGISTIC, 1);
        assertThat(AutoSelect.forPseudoLabels(chosenLogistic, null)).isEqualTo(chosenLogistic);
        // A chosen logistic model takes the pseudo-labels' C too: the same C, unless no C beat guessing.
        assertThat(AutoSelect.forPseudoLabels(chosenLogistic, logistic)).isEqualTo(logistic);
        assertThat(AutoSelect.forPseudoLabels(MlpSpec.DEFAULT, logistic)).isEqualTo(MlpSpec.DEFAULT);
        assertThat(AutoSelect.name(logistic)).isEqualTo("linear (logistic C 100)");
        assertThat(AutoSelect.name(hinge)).isEqualTo("linear (squared hinge C 10)");
        assertThat(AutoSelect.name(LinearSpec.DEFAULT)).isEqualTo("linear");
    }

    @Test
    void moreLabelsThanCrossValidationTakesAreChosenForByTrainsDuelNotGivenTheDataKindsNetwork() {
        // one made-up word a text, its class in its ending: the n-gram network, which reads whole words, learns nothing
        // from words it has not seen; the linear model reads their character grams (label issues fitted the network)
        java.util.Random random = new java.util.Random(5);
        List<Example> words = new ArrayList<>();
        for (int i = 0; i < AutoSelect.CV_MAX_LABELS + 100; i++) {
            StringBuilder stem = new StringBuilder();
            for (int k = 0; k < 5; k++) {
                stem.append((char) ('a' + random.nextInt(26)));
            }
            words.add(Example.text("w" + i, stem + (i % 2 == 0 ? "ful" : "less"), i % 2 == 0 ? "good" : "bad", "synthetic"));
        }
        List<String> said = new ArrayList<>();
        var chosen = AutoSelect.chooseOrDefault(Dataset.infer("words", words, null),
                TrainConfig.defaults().withEpochs(2).withMinSteps(0), dev.distillery.TestData.collecting(said));
        assertThat(chosen).isEqualTo(LinearSpec.DEFAULT);
        assertThat(said).anyMatch(m -> m.startsWith("auto: 2,100 labels, more than cross-validation takes: the linear model and"
                + " NgramBagSpec")).anyMatch(m -> m.startsWith("auto: chose linear (the network alone right on"));
    }

    @Test
    void theChosenLinearModelCarriesTheLogitScaleOfItsCrossValidation() {
        // texts every C separates: the tie keeps C 0.01, whose logits alone gave a clear text a probability near chance
        Dataset labeled = dev.distillery.TestData.texts(30, 3);
        AutoSelect.Choice choice = AutoSelect.choose(labeled, TrainConfig.defaults().withEpochs(1).withMinSteps(0), TrainListener.NONE);
        assertThat(choice.spec()).isInstanceOf(LinearSpec.class);
        LinearSpec chosen = (LinearSpec) choice.spec();
        assertThat(chosen.logitScale()).as(chosen.toString()).isNotNull().isGreaterThan(1.0);
        assertThat(meanTopProbability(chosen, labeled)).as(chosen.toString())
                .isGreaterThan(meanTopProbability(chosen.withLogitScale(1.0), labeled) + 0.1);
    }

    /** The mean probability of the most probable class, the model of {@code spec} fitted on {@code data}, on {@code data}. */
    private static double meanTopProbability(LinearSpec spec, Dataset data) {
        try (var classifier = dev.distillery.model.Classifier.create(spec, data.schema())) {
            LinearFit.Fitted fitted = LinearFit.fit(classifier, data, null, 1, TrainListener.NONE);
            assertThat(fitted.folds()).as("no cross-validation again for a scale already chosen").isZero();
            float[][] p = classifier.probabilities(data.examples(), 64);
            return java.util.Arrays.stream(p).mapToDouble(row -> Math.max(row[0], row[1])).average().orElseThrow();
        }
    }

    @Test
    void thePseudoLabelsTakeTheCrossValidatedCUnlessNoCBeatGuessingTheCommonestClass() {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ex.add(Example.dense("p" + i, new float[] {i}, i < 17 ? "a" : i < 28 ? "b" : "c", "t"));
        }
        Dataset labeled = Dataset.infer("t", ex, List.of(1L));
        Map<LinearFit.Setting, Double> cv = new LinkedHashMap<>();
        for (double c : LinearFit.C_GRID) {
            cv.put(new LinearFit.Setting(LinearSpec.Loss.LOGISTIC, c), 17 / 40.0); // every C at the commonest class's share
        }
        assertThat(AutoSelect.pseudoLabelC(cv, labeled)).isEqualTo(LinearFit.FALLBACK_C);
        cv.put(new LinearFit.Setting(LinearSpec.Loss.LOGISTIC, 10), 18 / 40.0);
        assertThat(AutoSelect.pseudoLabelC(cv, labeled)).isEqualTo(10);
        assertThat(AutoSelect.whyForPseudoLabels(LinearSpec.DEFAULT.withSettings(LinearSpec.Loss.LOGISTIC, 0.01))).startsWith("no C beat guessing");
        assertThat(AutoSelect.whyForPseudoLabels(LinearSpec.DEFAULT.withSettings(LinearSpec.Loss.SQUARED_HINGE, 10))).startsWith("the logistic loss");
    }

    @Test
    void aTieBetweenTheLinearModelAndTheSvmGoesToTheSvmOtherTiesToTheEarlierCandidate() {
        LinearSpec linear = LinearSpec.DEFAULT.withSettings(LinearSpec.Loss.LOGISTIC, 1.0);
        var svm = SvmSpec.DEFAULT.withSettings(1.0, 0.1);
        AutoSelect.Score linearAt = new AutoSelect.Score("linear", linear, 0.9, 5);
        AutoSelect.Score svmTied = new AutoSelect.Score("svm", svm, 0.9, 5);
        AutoSelect.Score svmLower = new AutoSelect.Score("svm", svm, 0.85, 5);
        AutoSelect.Score mlpTied = new AutoSelect.Score("mlp", MlpSpec.DEFAULT, 0.9, 3);
        AutoSelect.Score mlpHigher = new AutoSelect.Score("mlp", MlpSpec.DEFAULT, 0.95, 3);
        assertThat(AutoSelect.best(List.of(linearAt, svmTied, mlpTied))).isSameAs(svmTied);
        assertThat(AutoSelect.best(List.of(linearAt, svmLower, mlpTied))).isSameAs(linearAt);
        assertThat(AutoSelect.best(List.of(linearAt, mlpTied))).isSameAs(linearAt);
        assertThat(AutoSelect.best(List.of(linearAt, svmTied, mlpHigher))).isSameAs(mlpHigher);
    }

    @Test
    void theNetworkWinsAValidationDuelOnlyBeyondChance() {
        // 12 of 15 disagreements: P(X >= 12 | 15, 1/2) = 576 / 32768 = 0.0176.
        assertThat(new AutoSelect.Duel(12, 3).pValue()).isCloseTo(576 / 32768.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(new AutoSelect.Duel(12, 3).networkWins()).isTrue();
        // 10 of 15: P = 4944 / 32768 = 0.151, a better split score that chance explains (sotu-party's 0.859 against 0.838).
        assertThat(new AutoSelect.Duel(10, 5).pValue()).isCloseTo(4944 / 32768.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(new AutoSelect.Duel(10, 5).networkWins()).isFalse();
        assertThat(new AutoSelect.Duel(3, 12).networkWins()).isFalse();
        assertThat(new AutoSelect.Duel(0, 0).networkWins()).isFalse();
        assertThat(new AutoSelect.Duel(0, 0).pValue()).isEqualTo(1.0);
    }
}
