package dev.distillery.synth;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.apache.commons.math3.stat.correlation.Covariance;

/**
 * The Frechet distance between two sets of feature rows, each summarized as a Gaussian (Heusel et al.,
 * 2017, the "FID" when the features come from Inception): |mu1 - mu2|^2 + Tr(C1 + C2 - 2 (C1 C2)^(1/2)).
 * The matrix square root is taken as (C1^(1/2) C2 C1^(1/2))^(1/2), which is symmetric and has the same
 * trace, so the root of a symmetric positive semi-definite matrix suffices. It is taken by singular value
 * decomposition: commons-math's EigenDecomposition fails to converge ("convergence failed") on covariances
 * with many exactly-zero eigenvalues, which dead and duplicated ReLU features produce.
 */
public final class Frechet {
    private Frechet() {}

    public static double distance(double[][] a, double[][] b) {
        if (a.length < 2 || b.length < 2) {
            throw new IllegalArgumentException("need at least 2 rows on each side, got " + a.length + " and " + b.length);
        }
        if (a[0].length != b[0].length) {
            throw new IllegalArgumentException("feature sizes differ: " + a[0].length + " vs " + b[0].length);
        }
        double[] mu1 = mean(a);
        double[] mu2 = mean(b);
        RealMatrix c1 = new Covariance(a).getCovarianceMatrix();
        RealMatrix c2 = new Covariance(b).getCovarianceMatrix();
        double meanTerm = 0;
        for (int i = 0; i < mu1.length; i++) {
            meanTerm += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
        }
        RealMatrix root1 = sqrt(c1);
        double traceRoot = trace(sqrt(root1.multiply(c2).multiply(root1)));
        return Math.max(0, meanTerm + c1.getTrace() + c2.getTrace() - 2 * traceRoot);
    }

    private static double[] mean(double[][] rows) {
        double[] m = new double[rows[0].length];
        for (double[] r : rows) {
            for (int i = 0; i < m.length; i++) {
                m[i] += r[i];
            }
        }
        for (int i = 0; i < m.length; i++) {
            m[i] /= rows.length;
        }
        return m;
    }

    /** Square root of a symmetric positive semi-definite matrix: U S^(1/2) U^T from its SVD (U = V for such a matrix). */
    static RealMatrix sqrt(RealMatrix m) {
        RealMatrix sym = m.add(m.transpose()).scalarMultiply(0.5);
        SingularValueDecomposition svd = new SingularValueDecomposition(sym);
        double[] values = svd.getSingularValues();
        RealMatrix u = svd.getU();
        int n = values.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            d[i][i] = Math.sqrt(values[i]);
        }
        return u.multiply(new Array2DRowRealMatrix(d, false)).multiply(u.transpose());
    }

    private static double trace(RealMatrix m) {
        return m.getTrace();
    }
}
