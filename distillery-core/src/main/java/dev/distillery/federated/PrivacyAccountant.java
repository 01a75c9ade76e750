package dev.distillery.federated;

/**
 * The privacy a DP-FedAvg run spends, by Rényi differential privacy (Mironov, 2017) of the sampled Gaussian mechanism
 * (Mironov, Talwar and Zhang, 2019), the accountant of TensorFlow Privacy and Opacus: each round adds Gaussian noise of
 * standard deviation {@code noiseMultiplier * clip} to the sum of client updates clipped to norm {@code clip}, over a
 * random {@code fraction} of the clients (client-level privacy: neighbouring data sets differ in one client's data).
 * RDP composes additively over rounds and is converted to (epsilon, delta) at the best of the orders 2..256.
 */
public final class PrivacyAccountant {
    private PrivacyAccountant() {}

    /** Epsilon at {@code delta} after {@code rounds} rounds. */
    public static double epsilon(double noiseMultiplier, double fraction, int rounds, double delta) {
        if (!(noiseMultiplier > 0) || !(fraction > 0 && fraction <= 1) || !(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("need noise multiplier > 0, fraction in (0, 1] and delta in (0, 1)");
        }
        double best = Double.POSITIVE_INFINITY;
        for (int alpha = 2; alpha <= 256; alpha++) {
            double rdp = rounds * rdp(noiseMultiplier, fraction, alpha);
            best = Math.min(best, rdp + Math.log(1 / delta) / (alpha - 1));
        }
        return best;
    }

    /** RDP of one round at integer order {@code alpha}: log A_alpha / (alpha - 1). */
    static double rdp(double sigma, double q, int alpha) {
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        // log A_alpha = log sum_k C(alpha, k) (1-q)^(alpha-k) q^k exp((k^2 - k) / (2 sigma^2)), summed in log space
        double logA = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= alpha; k++) {
            double term = logBinomial(alpha, k) + (alpha - k) * Math.log1p(-q) + k * Math.log(q) + (k * (double) k - k) / (2 * sigma * sigma);
            logA = logAdd(logA, term);
        }
        return logA / (alpha - 1);
    }

    private static double logBinomial(int n, int k) {
        double s = 0;
        for (int i = 1; i <= k; i++) {
            s += Math.log(n - k + i) - Math.log(i);
        }
        return s;
    }

    private static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        double hi = Math.max(a, b);
        return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
    }
}
