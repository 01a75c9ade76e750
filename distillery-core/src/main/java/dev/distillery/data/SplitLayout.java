package dev.distillery.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A directory that holds a data set already split into parts, each with its label subdirectories
 * ({@code reviews/train/pos/1.txt}, {@code reviews/test/neg/7.txt}: the IMDB reviews' layout, and many image sets'). Read as
 * one labeled directory, "train" and "test" would be the labels and the model would learn which part a file came from, so
 * such a directory is refused with the command that names its parts.
 */
final class SplitLayout {
    private SplitLayout() {}

    /** Names of a split's part, as data sets spell them (compared in lower case). */
    private static final Set<String> TRAINING = Set.of("train", "training");
    private static final Set<String> TESTING = Set.of("test", "testing", "eval", "evaluation", "holdout");
    private static final Set<String> VALIDATION = Set.of("val", "valid", "validation", "dev");

    /**
     * Throws when {@code dir} is a directory whose subdirectories include a split's part that itself holds subdirectories
     * (its labels). A part without subdirectories is a label of that name (a "train" among bus and car photos) and passes.
     */
    static void refuseIfSplit(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> parts = subdirectories(dir).stream().filter(SplitLayout::isPart).filter(p -> !subdirectories(p).isEmpty())
                .toList();
        if (parts.isEmpty()) {
            return;
        }
        Path training = firstNamed(parts, TRAINING);
        Path testing = firstNamed(parts, TESTING);
        Path validation = firstNamed(parts, VALIDATION);
        List<String> names = parts.stream().map(p -> p.getFileName() + "/").toList();
        String partNames = String.join(", ", names.subList(0, names.size() - 1)) + (names.size() > 1 ? " and " : "")
                + names.get(names.size() - 1);
        Path shown = training != null ? training : parts.get(0);
        List<String> labels = subdirectories(shown).stream().map(p -> p.getFileName().toString()).toList();
        Path heldOut = testing != null ? testing : validation;
        String command = training == null ? "one part at a time, such as " + parts.get(0)
                : "one part at a time; to train: --data " + training + (heldOut != null ? " --test " + heldOut : "");
        throw new DataFormatException(dir.toString(), "holds a data set already split into " + partNames + ", each with label"
                + " subdirectories (" + shown.getFileName() + "/ holds " + dev.distillery.util.Listing.firstQuoted(labels, 5)
                + "); read as one directory, the parts' names would be the labels", command);
    }

    private static boolean isPart(Path dir) {
        String name = dir.getFileName().toString().toLowerCase(Locale.ROOT);
        return TRAINING.contains(name) || TESTING.contains(name) || VALIDATION.contains(name);
    }

    private static Path firstNamed(List<Path> parts, Set<String> names) {
        return parts.stream().filter(p -> names.contains(p.getFileName().toString().toLowerCase(Locale.ROOT))).findFirst()
                .orElse(null);
    }

    /** The subdirectories of {@code dir} that are not hidden, sorted by name. */
    private static List<Path> subdirectories(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + dir, e);
        }
    }
}
