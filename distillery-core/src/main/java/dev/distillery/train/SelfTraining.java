package dev.distillery.train;

/**
 * Semi-supervised self-training: after a model learns from the labels, it labels the unlabeled data;
 * its confident predictions (top probability at least {@code threshold}) become training labels for a
 * fresh model of the same architecture, trained with augmentation and dropout on the labeled and
 * pseudo-labeled examples together (the student sees noisy inputs the teacher labeled clean, a
 * consistency pressure in the spirit of Noisy Student and FixMatch); the student then teaches the next round.
 *
 * @param unlabeled  "rest" (the training examples whose labels {@code --labeled} set aside, labels removed) or a data reference
 * @param rounds     student rounds after the labeled one (at least 1)
 * @param threshold  minimum top probability for a pseudo-label, in (0, 1]
 * @param epochs     epochs of each student round (the labeled round uses the run's own epochs: a few hundred labels
 *                   need many more passes than tens of thousands of pseudo-labeled examples)
 */
public record SelfTraining(String unlabeled, int rounds, double threshold, int epochs) {
    public static final String REST = "rest";

    public SelfTraining {
        if (unlabeled == null || unlabeled.isBlank()) {
            throw new IllegalArgumentException("unlabeled must be 'rest' or name a data set or file");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("self-training needs at least 1 round, got: " + rounds);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("student epochs must be >= 1, got: " + epochs);
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got: " + threshold);
        }
    }
}
