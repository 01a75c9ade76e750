package dev.distillery.federated;

/**
 * How the coordinator moves the global model with the round's mean client update, treated as a pseudo-gradient (the
 * FedOpt family of Reddi et al., "Adaptive Federated Optimization", ICLR 2021). {@code avg} adds the mean update times
 * the server learning rate (FedAvg at rate 1); {@code momentum} keeps a running sum (FedAvgM, beta 0.9); {@code adam}
 * scales each coordinate by the root of its running second moment (FedAdam, beta1 0.9, beta2 0.99, tau 1e-3). Adaptive
 * server steps matter when clients' data differ strongly: a client that holds one class only pulls every shared weight
 * towards that class, and the plain average of such pulls oscillates; Adam's per-coordinate scale damps the weights
 * clients fight over and keeps the small, consistent ones moving.
 */
public final class ServerOptimizer {
    public static final String AVG = "avg";
    public static final String MOMENTUM = "momentum";
    public static final String ADAM = "adam";

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.99f;
    private static final float TAU = 1e-3f;

    private final String kind;
    private final float lr;
    private float[] first;
    private float[] second;

    public ServerOptimizer(String kind, double lr) {
        if (!kind.equals(AVG) && !kind.equals(MOMENTUM) && !kind.equals(ADAM)) {
            throw new IllegalArgumentException("server optimizer must be avg, momentum or adam, got: " + kind);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("server learning rate must be positive, got: " + lr);
        }
        this.kind = kind;
        this.lr = (float) lr;
    }

    /** The server learning rate a kind starts from when none is given: 1 for averaging, 0.01 for Adam. */
    public static double defaultLr(String kind) {
        return kind.equals(ADAM) ? 0.01 : 1.0;
    }

    /** The change to apply to the global model for this round's mean update (not modified). */
    public float[] step(float[] meanUpdate) {
        float[] out = new float[meanUpdate.length];
        switch (kind) {
            case AVG -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = lr * meanUpdate[i];
                }
            }
            case MOMENTUM -> {
                if (first == null) {
                    first = new float[meanUpdate.length];
                }
                for (int i = 0; i < out.length; i++) {
                    first[i] = BETA1 * first[i] + meanUpdate[i];
                    out[i] = lr * first[i];
                }
            }
            default -> {
                if (first == null) {
                    first = new float[meanUpdate.length];
                    second = new float[meanUpdate.length];
                }
                for (int i = 0; i < out.length; i++) {
                    float g = meanUpdate[i];
                    first[i] = BETA1 * first[i] + (1 - BETA1) * g;
                    second[i] = BETA2 * second[i] + (1 - BETA2) * g * g;
                    out[i] = lr * first[i] / ((float) Math.sqrt(second[i]) + TAU);
                }
            }
        }
        return out;
    }
}
