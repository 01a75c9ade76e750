package dev.distillery.curate;

import java.util.List;
import java.util.function.Consumer;

/**
 * Records to curate that can be read more than once, start to end, in chunks: the embedded engine
 * reads a corpus once per deduplication step plus once to write, instead of holding it in memory.
 */
public interface DocSource {
    /** Hands every record over in order, in chunks of at most {@code chunkSize}. */
    void read(int chunkSize, Consumer<List<Doc>> chunks);

    /** Records in a list (already in memory). */
    static DocSource of(List<Doc> docs) {
        return (chunkSize, chunks) -> {
            for (int i = 0; i < docs.size(); i += chunkSize) {
                chunks.accept(docs.subList(i, Math.min(docs.size(), i + chunkSize)));
            }
        };
    }
}
