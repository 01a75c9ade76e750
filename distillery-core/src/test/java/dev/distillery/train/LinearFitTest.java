package dev.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.Model;
import dev.distillery.TestData;
import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.data.Splits;
import dev.distillery.model.Classifier;
import dev.distillery.model.LinearSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearFitTest {
    @TempDir
    Path dir;

    /** The network must decide exactly as the solver's own model does on examples it never saw. */
    private static void assertNetworkMatchesSolver(Dataset data, double c) {
        assertNetworkMatchesSolver(data, c, LinearSpec.Loss.LOGISTIC);
    }

    private static void assertNetworkMatchesSolver(Dataset data, double c, LinearSpec.Loss loss) {
        Splits.Pair parts = Splits.split(data, 0.3, 5, "train", "test");
        try (Classifier classifier = Classifier.create(new LinearSpec(1 << 12, c, loss), data.schema())) {
            LinearFit.fit(classifier, parts.first(), null, 1, TrainListener.NONE);
            LinearFit.Features features = LinearFit.Features.learn(classifier, parts.first());
            Model solver = LinearFit.solve(features, features.rows(parts.first().examples()), labels(parts.first()),
                    LinearFit.settings(classifier.spec() instanceof LinearSpec s ? s : null).get(0));
            Feature[][] testRows = features.rows(parts.second().examples());
            int[] network = classifier.predict(parts.second().examples(), 64);
            for (int i = 0; i < testRows.length; i++) {
                assertThat(network[i]).as("test example %d", i).isEqualTo((int) LinearFit.predict(solver, testRows[i]));
            }
        }
    }

    private static double[] labels(Dataset d) {
        return d.examples().stream().mapToDouble(e -> d.schema().indexOf(e.label().orElseThrow())).toArray();
    }

    @Test
    void describesTheHashWidthOnlyForTextWhichUsesIt() {
        LinearSpec spec = new LinearSpec(1 << 20, 100.0, LinearSpec.Loss.LOGISTIC);
        assertThat(spec.describe(TestData.blobs(12, 3).schema())).isEqualTo("LinearSpec[c=100.0, loss=logistic]");
        assertThat(spec.describe(TestData.texts(12, 2).schema())).contains("width=1048576", "c=100.0");
    }

    @Test
    void denseThreeClassNetworkDecidesAsTheSolver() {
        // Overlapping blobs (noise 0.5 around centres 2 apart in some dimensions) with a weak C: decisions are not trivial.
        assertNetworkMatchesSolver(TestData.blobs(60, 3), 0.01);
    }

    @Test
    void textTwoClassNetworkDecidesAsTheSolver() {
        assertNetworkMatchesSolver(TestData.texts(60, 4), 0.1);
    }

    @Test
    void theHingeLossNetworkDecidesAsItsSolverOnTextAndDense() {
        assertNetworkMatchesSolver(TestData.texts(60, 4), 0.1, LinearSpec.Loss.SQUARED_HINGE);
        assertNetworkMatchesSolver(TestData.blobs(60, 3), 0.01, LinearSpec.Loss.SQUARED_HINGE);
    }

    @Test
    void theLogitsAreScaledToTheHeldOutLogLossForEitherLoss() {
        // Margins of about +-1 make poor probabilities (0.73 for a clear case of two classes), and so does a logistic
        // model with the small C that wins a tie on separable data (0.40 for clear cases of three classes): the scale
        // chosen on the cross-validation's held-out logits must lower the log loss on texts it never saw.
        Dataset data = TestData.texts(60, 4);
        Splits.Pair parts = Splits.split(data, 0.3, 5, "train", "test");
        // (the logistic model's C left open: a fixed C and the logistic loss leave nothing to cross-validate, scale 1)
        for (LinearSpec spec : List.of(new LinearSpec(1 << 12, 1.0, LinearSpec.Loss.SQUARED_HINGE),
                new LinearSpec(1 << 12, null, LinearSpec.Loss.LOGISTIC))) {
            try (Classifier classifier = Classifier.create(spec, data.schema())) {
                LinearFit.Fitted fitted = LinearFit.fit(classifier, parts.first(), null, 1, TrainListener.NONE);
                assertThat(fitted.folds()).isEqualTo(LinearFit.MAX_FOLDS);
                assertThat(fitted.logitScale()).as(spec.toString()).isGreaterThan(1.0);
                LinearFit.Features features = LinearFit.Features.learn(classifier, parts.first());
                Model solver = LinearFit.solve(features, features.rows(parts.first().examples()), labels(parts.first()), fitted.setting());
                Feature[][] rows = features.rows(parts.second().examples());
                double unscaled = 0;
                int[] network = classifier.predict(parts.second().examples(), 64);
                for (int i = 0; i < rows.length; i++) {
                    double[] decision = new double[1];
                    de.bwaldvogel.liblinear.Linear.predictValues(solver, rows[i], decision);
                    // Two classes: logits +-decision/2 for the solver's first label, so p(first) = sigmoid(decision).
                    double first = 1 / (1 + Math.exp(-decision[0]));
                    boolean truthIsFirst = data.schema().indexOf(parts.second().get(i).label().orElseThrow()) == solver.getLabels()[0];
                    unscaled -= Math.log(truthIsFirst ? first : 1 - first);
                    assertThat(network[i]).as("the scale keeps every decision").isEqualTo((int) LinearFit.predict(solver, rows[i]));
                }
                unscaled /= rows.length;
                assertThat(LinearFit.lossAndAccuracy(classifier, parts.second())[0]).as(spec.toString()).isLessThan(unscaled);
            }
        }
    }

    @Test
    void aFixedCWithoutALossIsLogisticAndAnOpenOneComparesBothLosses() {
        assertThat(LinearFit.settings(new LinearSpec(1 << 12, 0.5))).containsExactly(new LinearFit.Setting(LinearSpec.Loss.LOGISTIC, 0.5));
        List<LinearFit.Setting> open = LinearFit.settings(LinearSpec.DEFAULT);
        assertThat(open).hasSize(2 * LinearFit.C_GRID.length);
        assertThat(open.get(0)).isEqualTo(new LinearFit.Setting(LinearSpec.Loss.LOGISTIC, LinearFit.C_GRID[0]));
        assertThat(LinearFit.settings(new LinearSpec(1 << 12, null, LinearSpec.Loss.SQUARED_HINGE)))
                .allMatch(s -> s.loss() == LinearSpec.Loss.SQUARED_HINGE).hasSize(LinearFit.C_GRID.length);
    }

    @Test
    void theInterceptDecidesWhereNoFeatureSpeaks() {
        // Four times as many "b" as "a", and a point at the mean of the feature, which standardizes to 0: only the intercept
        // can name "b". (The network once dropped LIBLINEAR's bias and, with all-zero logits, answered the first class.)
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ex.add(Example.dense("p" + i, new float[] {i < 10 ? -1f : 1f}, i < 10 ? "a" : "b", "synthetic"));
        }
        Dataset data = Dataset.infer("prior", ex, null);
        try (Classifier classifier = Classifier.create(new LinearSpec(1 << 12, 0.01), data.schema())) {
            LinearFit.fit(classifier, data, null, 1, TrainListener.NONE);
            float mean = LinearFit.DenseFeatures.learn(data.schema(), data).mean()[0];
            int[] predicted = classifier.predict(List.of(Example.dense("m", new float[] {mean}, "a", "synthetic")), 1);
            assertThat(data.schema().labels().get(predicted[0])).isEqualTo("b");
        }
    }

    @Test
    void aWordNoTrainingTextHasNeitherSpeaksNorDilutesTheWordsThatDo() {
        // As in the classic TF-IDF classifier, whose vocabulary is the training texts': a term the training texts never
        // had has no weight, and it must not take part in a text's length either. (Its IDF was once the largest of all,
        // so with few labels, where most of a new text's n-grams are unseen, they shrank what the known words said.)
        Dataset data = TestData.texts(60, 4);
        try (Classifier classifier = Classifier.create(new LinearSpec(1 << 20, 1.0, LinearSpec.Loss.LOGISTIC), data.schema())) {
            LinearFit.fit(classifier, data, null, 1, TrainListener.NONE);
            float[][] p = classifier.probabilities(List.of(Example.text("known", "free money offer", "spam", "synthetic"),
                    // letters no training text has, so that not even their 2-grams with the padding space were seen
                    Example.text("unseen", "free money offer \u0288\u0290\u0295 \u02a3\u02a4\u02a5", "spam", "synthetic")), 2);
            assertThat(p[0][data.schema().indexOf("spam")]).isGreaterThan(0.6f);
            assertThat(p[1]).containsExactly(p[0], org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void textThreeClassNetworkDecidesAsTheSolver() {
        List<Example> ex = new ArrayList<>(TestData.texts(40, 6).examples());
        for (int i = 0; i < 40; i++) {
            ex.add(Example.text("s" + i, "the sport match and the goal of the team " + (i % 7) + " score", "sport", "synthetic"));
        }
        assertNetworkMatchesSolver(Dataset.infer("three", ex, null), 1.0);
    }

    @Test
    void cChosenByCrossValidationIsRecordedAndTheModelSavesAndLoads() {
        Dataset data = TestData.texts(40, 7);
        Splits.Pair parts = Splits.split(data, 0.3, 5, "train", "test");
        try (Classifier classifier = Classifier.create(LinearSpec.DEFAULT, data.schema())) {
            LinearFit.Fitted fitted = LinearFit.fit(classifier, parts.first(), parts.second(), 1, TrainListener.NONE);
            assertThat(fitted.folds()).isEqualTo(LinearFit.MAX_FOLDS);
            assertThat(fitted.cvAccuracy()).hasSize(LinearSpec.Loss.values().length * LinearFit.C_GRID.length);
            assertThat(fitted.cvAccuracy()).containsEntry(fitted.setting(), fitted.cvAccuracy().values().stream().max(Double::compare).get());
            assertThat(fitted.result().history().get(0).valAccuracy()).isGreaterThan(0.9);
            assertThat(classifier.spec()).as("the chosen settings, in place of the open ones")
                    .isEqualTo(LinearSpec.DEFAULT.withSettings(fitted.setting().loss(), fitted.setting().c()).withLogitScale(fitted.logitScale()));
            classifier.save(dir.resolve("m"), Map.of());
            try (Classifier loaded = Classifier.load(dir.resolve("m"))) {
                assertThat(loaded.spec()).isEqualTo(classifier.spec());
                assertThat(loaded.predict(parts.second().examples(), 16)).containsExactly(classifier.predict(parts.second().examples(), 16));
            }
        }
    }

    @Test
    void twoLabelsAClassCrossValidateOnTwoFoldsAndOneLabelFallsBack() {
        Dataset data = TestData.blobs(30, 8);
        try (Classifier classifier = Classifier.create(LinearSpec.DEFAULT, data.schema())) {
            LinearFit.Fitted two = LinearFit.fit(classifier, Splits.labeledSubset(data, 6, 1).first(), null, 1, TrainListener.NONE);
            assertThat(two.folds()).isEqualTo(2);
        }
        try (Classifier classifier = Classifier.create(LinearSpec.DEFAULT, data.schema())) {
            LinearFit.Fitted one = LinearFit.fit(classifier, Splits.labeledSubset(data, 3, 1).first(), null, 1, TrainListener.NONE);
            assertThat(one.folds()).isZero();
            assertThat(one.c()).isEqualTo(LinearFit.FALLBACK_C);
            assertThat(one.cvAccuracy()).isEmpty();
        }
    }

    @Test
    void aClassSeenOnceIsLeftOutOfCrossValidationNotAllOfItAndJoinsTheFinalFit() {
        Dataset data = TestData.blobs(30, 8);
        String rare = data.schema().labels().get(0);
        java.util.List<Example> kept = new java.util.ArrayList<>();
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (Example e : data.examples()) {
            String label = e.label().orElseThrow();
            if (seen.merge(label, 1, Integer::sum) <= (label.equals(rare) ? 1 : 10)) {
                kept.add(e);
            }
        }
        Dataset train = data.subset("rare", kept);
        java.util.List<String> said = new java.util.ArrayList<>();
        TrainListener listener = TestData.collecting(said);
        try (Classifier classifier = Classifier.create(LinearSpec.DEFAULT, data.schema())) {
            LinearFit.Fitted fitted = LinearFit.fit(classifier, train, null, 1, listener);
            assertThat(fitted.folds()).as("the other classes still choose C").isEqualTo(LinearFit.MAX_FOLDS);
            assertThat(fitted.cvAccuracy()).isNotEmpty();
            assertThat(said).anySatisfy(m -> assertThat(m).contains("leaves out the one example of '" + rare + "'"));
            Example once = kept.stream().filter(e -> e.label().get().equals(rare)).findFirst().orElseThrow();
            assertThat(classifier.probabilities(java.util.List.of(once), 1)[0][0]).as("the class was fitted").isGreaterThan(0.05f);
        }
    }
}
