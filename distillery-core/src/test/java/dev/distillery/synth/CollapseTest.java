package dev.distillery.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

class CollapseTest {
    /** A 1-D Gaussian fitted by maximum likelihood: the textbook case of collapse (Shumailov et al., 2024, section 3). */
    static final CollapseLoop.Family<Double, double[]> GAUSSIAN = new CollapseLoop.Family<>() {
        @Override
        public double[] fit(List<Double> data, Random rng) {
            double mean = data.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double var = data.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / data.size();
            return new double[] {mean, var};
        }

        @Override
        public List<Double> sample(double[] model, int n, Random rng) {
            List<Double> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(model[0] + Math.sqrt(model[1]) * rng.nextGaussian());
            }
            return out;
        }

        @Override
        public Map<String, Double> measure(double[] model, List<Double> samples) {
            return Map.of("variance", model[1]);
        }
    };

    static List<Double> real(int n) {
        return GAUSSIAN.sample(new double[] {0, 1}, n, new Random(1));
    }

    static double finalVariance(Policy policy) {
        List<CollapseLoop.Generation> gens = new CollapseLoop<>(GAUSSIAN).run(real(20), policy, 200, 20, xs -> xs, 7, null);
        assertThat(gens).hasSize(201);
        return gens.get(gens.size() - 1).metrics().get("variance");
    }

    @Test
    void aGaussianRefitOnItsOwnSamplesCollapsesUnderReplaceButNotUnderAccumulate() {
        double start = new CollapseLoop<>(GAUSSIAN).run(real(20), Policy.REPLACE, 0, 20, xs -> xs, 7, null).get(0).metrics().get("variance");
        assertThat(start).isBetween(0.5, 2.0);
        // Each refit shrinks the variance by (n-1)/n in expectation and adds a random walk: after 200 generations
        // of 20 samples it is essentially gone.
        assertThat(finalVariance(Policy.REPLACE)).isLessThan(0.01 * start);
        assertThat(finalVariance(Policy.ACCUMULATE)).isBetween(0.5 * start, 2.0 * start);
        assertThat(finalVariance(Policy.VERIFY)).isEqualTo(finalVariance(Policy.ACCUMULATE));
    }

    @Test
    void policiesBuildTheTrainingSetAsDocumented() {
        List<Integer> real = List.of(1, 2);
        List<List<Integer>> synthetic = List.of(List.of(3), List.of(4, 5));
        assertThat(Policy.REPLACE.trainingSet(real, synthetic)).containsExactly(4, 5);
        assertThat(Policy.ACCUMULATE.trainingSet(real, synthetic)).containsExactly(1, 2, 3, 4, 5);
        assertThat(Policy.REPLACE.trainingSet(real, List.of())).containsExactly(1, 2);
        assertThat(Policy.parse(" Verify ")).isEqualTo(Policy.VERIFY);
    }

    @Test
    void frechetDistanceMatchesTheClosedFormForGaussians() {
        Random rng = new Random(3);
        double[][] a = new double[20000][2];
        double[][] b = new double[20000][2];
        for (int i = 0; i < a.length; i++) {
            a[i] = new double[] {rng.nextGaussian(), 2 * rng.nextGaussian()};
            b[i] = new double[] {1 + 3 * rng.nextGaussian(), 2 * rng.nextGaussian()};
        }
        // Independent dimensions: sum over dimensions of (m1 - m2)^2 + (s1 - s2)^2 = (1 + 4) + 0 = 5.
        assertThat(Frechet.distance(a, b)).isCloseTo(5.0, within(0.15));
        assertThat(Frechet.distance(a, a)).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void frechetHandlesDeadAndDuplicatedFeatures() {
        // ReLU features: some never fire, some are exact multiples of others, so the covariance has many exactly-zero
        // eigenvalues; commons-math's eigendecomposition fails to converge on this one.
        Random rng = new Random(1);
        double[][] a = new double[2000][128];
        for (double[] row : a) {
            for (int j = 1; j < row.length; j += 3) {
                row[j] = Math.max(0, 3 * rng.nextGaussian());
                if (j + 1 < row.length) {
                    row[j + 1] = 2 * row[j];
                }
            }
        }
        double[][] shifted = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            shifted[i] = a[i].clone();
            shifted[i][0] += 2;     // a dead feature moved: only the mean term changes, by 2^2
        }
        assertThat(Frechet.distance(a, a)).isCloseTo(0.0, within(1e-6));
        assertThat(Frechet.distance(a, shifted)).isCloseTo(4.0, within(1e-3));
        RealMatrix c = new org.apache.commons.math3.stat.correlation.Covariance(a).getCovarianceMatrix();
        RealMatrix root = Frechet.sqrt(c);
        assertThat(root.multiply(root).subtract(c).getFrobeniusNorm()).isLessThan(1e-9 * c.getFrobeniusNorm());
    }

    @Test
    void diversityFallsWhenTextsRepeat() {
        assertThat(Diversity.distinctN(List.of("the cat sat on the mat", "a dog ran in the park"), 2)).isEqualTo(1.0);
        assertThat(Diversity.distinctN(List.of("buy now buy now buy now"), 2)).isCloseTo(2 / 5.0, within(1e-9));
        double[][] spread = {{0, 0}, {2, 2}, {4, 4}};
        double[][] same = {{1, 1}, {1, 1}, {1, 1}};
        assertThat(Diversity.featureVariance(spread)).isEqualTo(4.0);
        assertThat(Diversity.featureVariance(same)).isZero();
    }
}
