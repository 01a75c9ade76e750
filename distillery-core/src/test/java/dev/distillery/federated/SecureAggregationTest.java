package dev.distillery.federated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecureAggregationTest {
    /** Five clients' updates, one of which drops out after the key exchange. */
    @Test
    void theMaskedSumIsThePlainSumAndOneMaskedUpdateLooksLikeNoise() {
        Random rng = new Random(3);
        int n = 5;
        int size = 4000;
        List<Integer> dropped = List.of(2);
        Map<Integer, SecureAggregation.Party> parties = new LinkedHashMap<>();
        Map<Integer, byte[]> keys = new LinkedHashMap<>();
        for (int c = 0; c < n; c++) {
            parties.put(c, new SecureAggregation.Party(c));
            keys.put(c, parties.get(c).publicKey());
        }
        float[][] updates = new float[n][size];
        double[] plain = new double[size];
        long[] sum = new long[size];
        long[] seen = null;
        for (int c = 0; c < n; c++) {
            for (int i = 0; i < size; i++) {
                updates[c][i] = (float) (rng.nextGaussian() * 0.05 + (i % 7) * 0.01);
            }
            if (dropped.contains(c)) {
                continue;
            }
            long[] masked = parties.get(c).mask(SecureAggregation.encode(updates[c]), keys, 7);
            seen = c == 0 ? masked : seen;
            SecureAggregation.addInto(sum, masked);
            for (int i = 0; i < size; i++) {
                plain[i] += updates[c][i];
            }
        }
        for (int d : dropped) {
            for (int s = 0; s < n; s++) {
                if (!dropped.contains(s)) {
                    SecureAggregation.unmaskDropped(sum, s, d, parties.get(s).secretWith(keys.get(d)), 7);
                }
            }
        }
        float[] secure = SecureAggregation.decode(sum);
        for (int i = 0; i < size; i++) {
            assertThat((double) secure[i]).isCloseTo(plain[i], within(1e-4));
        }

        // What the coordinator sees of client 0: words spread evenly over all 64-bit values and uncorrelated with its update.
        int[] buckets = new int[16];
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < size; i++) {
            buckets[(int) (seen[i] >>> 60)]++;
            double x = updates[0][i];
            double y = seen[i] / 9.2e18;
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
        }
        double chi2 = 0;
        for (int b : buckets) {
            chi2 += Math.pow(b - size / 16.0, 2) / (size / 16.0);
        }
        assertThat(chi2).as("chi-square of the top 4 bits, 15 degrees of freedom (p = 0.001 at 37.7)").isLessThan(37.7);
        double corr = (size * sxy - sx * sy) / Math.sqrt((size * sxx - sx * sx) * (size * syy - sy * sy));
        assertThat(Math.abs(corr)).isLessThan(0.06);
        // and the masks do hide it: client 0's encoded update itself is far from uniform
        long[] bare = SecureAggregation.encode(updates[0]);
        int[] bareBuckets = new int[16];
        for (long v : bare) {
            bareBuckets[(int) (v >>> 60)]++;
        }
        assertThat(bareBuckets[0] + bareBuckets[15]).isEqualTo(size);
    }

    @Test
    void theAccountantMatchesTheClosedFormWithoutSamplingAndNumericalIntegrationWithIt() {
        // q = 1: RDP(alpha) = alpha / (2 sigma^2); epsilon = min over alpha of T * alpha / (2 sigma^2) + log(1/delta) / (alpha - 1)
        double best = Double.POSITIVE_INFINITY;
        for (int a = 2; a <= 256; a++) {
            best = Math.min(best, 10 * a / (2 * 4.0 * 4.0) + Math.log(1e5) / (a - 1));
        }
        assertThat(PrivacyAccountant.epsilon(4.0, 1.0, 10, 1e-5)).isCloseTo(best, within(1e-12));
        // q < 1: A_alpha = E_{z ~ N(0, s^2)} [((1 - q) + q exp((2z - 1) / (2 s^2)))^alpha], integrated numerically
        double sigma = 1.3;
        double q = 0.1;
        for (int alpha : new int[] {2, 8, 32}) {
            double integral = 0;
            double dz = 1e-3;
            for (double z = -40; z < 40; z += dz) {
                double density = Math.exp(-z * z / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
                integral += density * Math.pow(1 - q + q * Math.exp((2 * z - 1) / (2 * sigma * sigma)), alpha) * dz;
            }
            assertThat(PrivacyAccountant.rdp(sigma, q, alpha)).isCloseTo(Math.log(integral) / (alpha - 1), within(1e-6));
        }
        assertThat(PrivacyAccountant.epsilon(1.3, 0.1, 100, 1e-5)).isLessThan(PrivacyAccountant.epsilon(1.3, 1.0, 100, 1e-5))
                .isLessThan(PrivacyAccountant.epsilon(1.3, 0.1, 1000, 1e-5) + 100);
        assertThat(PrivacyAccountant.epsilon(2.0, 0.1, 100, 1e-5)).isLessThan(PrivacyAccountant.epsilon(1.3, 0.1, 100, 1e-5));
    }
}
