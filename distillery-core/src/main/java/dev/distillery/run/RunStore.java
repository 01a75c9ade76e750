package dev.distillery.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The run directories under {@code $DISTILLERY_HOME/runs}: {@code <date>-<time>-<command>-<id>}, one
 * per command invocation.
 */
public final class RunStore {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path root;
    /** The interrupted run the next {@link #create} continues, or null. */
    private final Run resuming;

    public RunStore(Path root) {
        this(root, null);
    }

    private RunStore(Path root, Run resuming) {
        this.root = root;
        this.resuming = resuming;
    }

    /**
     * This store as seen by a command that continues {@code run}: its {@link #create} hands back that run, which keeps
     * its directory, checkpoints and finished phases, instead of a new one.
     */
    public RunStore resuming(Run run) {
        return new RunStore(root, run);
    }

    public Path root() {
        return root;
    }

    /**
     * A new run for {@code command} (or, when resuming, the interrupted run). Its directory is created by the first
     * thing the run writes, which every job does only once its inputs have been read and checked: a command that fails
     * on bad input leaves no empty run behind.
     */
    public Run create(String command) {
        if (resuming != null) {
            return resuming.continued();
        }
        while (true) {
            String shortId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
            Path dir = root.resolve(LocalDateTime.now().format(STAMP) + "-" + command + "-" + shortId);
            if (!Files.exists(dir)) {
                return new Run(dir);
            }
        }
    }

    /**
     * The command a run directory's name records (the part between its date-time and its 6-character id, as
     * {@link #create} names it: "train", "data-split"), or null for a name not made that way.
     */
    public static String commandOf(Path dir) {
        java.util.regex.Matcher m = RUN_NAME.matcher(dir.getFileName().toString());
        return m.matches() ? m.group(1) : null;
    }

    private static final java.util.regex.Pattern RUN_NAME = java.util.regex.Pattern.compile("\\d{8}-\\d{6}-(.+)-[0-9a-f]{6}");

    /** The run in {@code dir}, one of {@link #list()}, whatever state its files are in. */
    public Run at(Path dir) {
        return new Run(dir);
    }

    /** Opens an existing run by id, unique id prefix or suffix, or path. */
    public Run open(String idOrPath) {
        Path asPath = Path.of(idOrPath);
        boolean inStore = asPath.toAbsolutePath().getParent() != null && asPath.toAbsolutePath().getParent().equals(root.toAbsolutePath());
        if (Files.isDirectory(asPath) && (Files.exists(asPath.resolve(Run.PROVENANCE)) || inStore)) {
            return new Run(asPath.toAbsolutePath());
        }
        List<Path> matches = new ArrayList<>();
        for (Path p : list()) {
            String name = p.getFileName().toString();
            if (name.equals(idOrPath)) {
                return new Run(p);
            }
            if (name.startsWith(idOrPath) || name.endsWith(idOrPath)) {
                matches.add(p);
            }
        }
        if (matches.size() == 1) {
            return new Run(matches.get(0));
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no run '" + idOrPath + "' in " + root + " (see 'distillery runs list')");
        }
        throw new IllegalArgumentException("'" + idOrPath + "' matches " + matches.size() + " runs: "
                + matches.stream().map(p -> p.getFileName().toString()).toList() + "; give more of the id");
    }

    /** Run directories, oldest first. */
    public List<Path> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (var dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + root, e);
        }
    }

    /** Names a run directory takes while it is being deleted: hidden from {@link #list}, finished by the next delete. */
    private static final String DELETING = ".deleting-";

    /**
     * Deletes {@code run}'s directory and returns the bytes it held. A run whose process is still alive is refused. The
     * directory is first renamed to a hidden name, in one step, so no listing or reader sees a half-deleted run; what a
     * killed delete left under that name goes with the next one.
     */
    public long delete(Run run) {
        if (!run.dir().toAbsolutePath().getParent().equals(root.toAbsolutePath())) {
            throw new IllegalArgumentException(run.dir() + " is not a run of " + root + "; only runs in the store are deleted");
        }
        if ("running".equals(run.status())) {
            throw new IllegalArgumentException("run " + run.id() + " is still running (pid " + run.provenance().get("pid")
                    + "); stop it first");
        }
        try {
            long bytes = AtomicFiles.sizeOf(run.dir());
            Path hidden = root.resolve(DELETING + run.dir().getFileName());
            AtomicFiles.deleteRecursively(hidden); // a killed delete of a run of the same name
            Files.move(run.dir(), hidden, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.deleteRecursively(hidden);
            try (var stale = Files.newDirectoryStream(root, DELETING + "*")) {
                for (Path p : stale) {
                    AtomicFiles.deleteRecursively(p);
                }
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + run.dir(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readJson(Path file) {
        try {
            return Files.exists(file) ? JSON.readValue(file.toFile(), Map.class) : Map.of();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new dev.distillery.data.DataFormatException(file.toString(), "damaged JSON: " + e.getOriginalMessage(),
                    "the JSON document this tool wrote there");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }
}
