package dev.distillery.compress;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import dev.distillery.model.Classifier;
import dev.distillery.model.CnnSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Low-rank factorization of the CNN's hidden dense layer by truncated SVD: W (hidden x flat) is
 * replaced by (U_r sqrt(S_r)) (sqrt(S_r) V_r^T), two layers with r (hidden + flat) weights instead of
 * hidden x flat. The rank-r truncation is the best rank-r approximation of W in the Frobenius norm
 * (Eckart-Young), so with the leading singular values kept the layer changes least.
 */
public final class LowRank {
    private LowRank() {}

    /** A new classifier with the hidden dense layer of {@code model} factorized at {@code rank}; every other weight copied. */
    public static Classifier factorize(Classifier model, int rank) {
        if (!(model.spec() instanceof CnnSpec cnn) || cnn.hiddenRank() != null) {
            throw new IllegalArgumentException("low-rank factorization works on cnn models not already factorized; this model is "
                    + model.spec());
        }
        if (rank < 1 || rank >= cnn.hidden()) {
            throw new IllegalArgumentException("rank must be in [1, " + (cnn.hidden() - 1) + "] for a hidden layer of "
                    + cnn.hidden() + " units, got: " + rank);
        }
        Classifier out = Classifier.create(cnn.withHiddenRank(rank), model.schema());
        try {
            out.block().initialize(out.model().getNDManager(), DataType.FLOAT32, out.featurizer().inputShape(1));
            List<Block> from = model.block().getChildren().values();
            List<Block> to = out.block().getChildren().values();
            int j = 0;
            for (Block source : from) {
                Block target = to.get(j);
                if (source instanceof Linear && j == firstLinear(to)) {
                    Linear down = (Linear) target;
                    Linear up = (Linear) to.get(j + 1);
                    float[] w = source.getParameters().get("weight").getArray().toFloatArray();
                    long[] shape = source.getParameters().get("weight").getArray().getShape().getShape();
                    float[][] factors = factors(w, (int) shape[0], (int) shape[1], rank);
                    down.getParameters().get("weight").getArray().set(factors[1]);
                    up.getParameters().get("weight").getArray().set(factors[0]);
                    up.getParameters().get("bias").getArray().set(source.getParameters().get("bias").getArray().toFloatArray());
                    j += 2;
                    continue;
                }
                copyAll(source, target);
                j++;
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static int firstLinear(List<Block> blocks) {
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i) instanceof Linear) {
                return i;
            }
        }
        throw new IllegalStateException("no dense layer");
    }

    private static void copyAll(Block source, Block target) {
        List<Parameter> a = new ArrayList<>();
        List<Parameter> b = new ArrayList<>();
        source.getParameters().forEach(p -> a.add(p.getValue()));
        target.getParameters().forEach(p -> b.add(p.getValue()));
        for (int i = 0; i < a.size(); i++) {
            b.get(i).getArray().set(a.get(i).getArray().toFloatArray());
        }
    }

    /**
     * The two factors of the best rank-{@code rank} approximation of the row-major {@code rows x cols} matrix
     * {@code w}: [0] = U_r sqrt(S_r) (rows x rank), [1] = sqrt(S_r) V_r^T (rank x cols), both row-major.
     */
    static float[][] factors(float[] w, int rows, int cols, int rank) {
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = w[r * cols + c];
            }
        }
        RealMatrix matrix = new Array2DRowRealMatrix(m, false);
        SingularValueDecomposition svd = new SingularValueDecomposition(matrix);
        double[] s = svd.getSingularValues();
        RealMatrix u = svd.getU();
        RealMatrix v = svd.getV();
        float[] left = new float[rows * rank];
        float[] right = new float[rank * cols];
        for (int k = 0; k < rank; k++) {
            double root = Math.sqrt(s[k]);
            for (int r = 0; r < rows; r++) {
                left[r * rank + k] = (float) (u.getEntry(r, k) * root);
            }
            for (int c = 0; c < cols; c++) {
                right[k * cols + c] = (float) (v.getEntry(c, k) * root);
            }
        }
        return new float[][] {left, right};
    }
}
