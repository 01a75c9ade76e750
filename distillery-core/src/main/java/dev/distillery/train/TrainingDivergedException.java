package dev.distillery.train;

/** The loss became NaN or infinite; training cannot continue with these settings. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
