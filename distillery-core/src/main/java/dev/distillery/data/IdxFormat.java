package dev.distillery.data;

import dev.distillery.util.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST: an unsigned-byte tensor file of items (images) and a
 * rank-1 file of labels. Pixel bytes are scaled to [0, 1]. Files ending in {@code .gz} are
 * decompressed on the fly.
 */
public final class IdxFormat {
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxFormat() {}

    /** A raw IDX tensor: its dimensions and its bytes. */
    record Tensor(int[] dims, byte[] data) {}

    /**
     * Reads paired item and label files. {@code labelNames}, if given, names class {@code i}
     * (e.g. "Trouser"); otherwise the label is the number itself.
     */
    public static ReadResult read(Path items, Path labels, List<String> labelNames) {
        Tensor x = readTensor(items);
        Tensor y = labels == null ? null : readTensor(labels);
        int n = x.dims()[0];
        if (y != null && (y.dims().length != 1 || y.dims()[0] != n)) {
            throw new DataFormatException(labels.toString(), "label file holds shape " + java.util.Arrays.toString(y.dims()),
                    "[" + n + "], one label per item of " + items.getFileName());
        }
        int size = x.data().length / n;
        List<Long> shape = new ArrayList<>();
        shape.add(1L); // one channel: the layout convolution layers expect
        for (int i = 1; i < x.dims().length; i++) {
            shape.add((long) x.dims()[i]);
        }
        List<Example> examples = new ArrayList<>(n);
        String source = items.getFileName().toString();
        for (int i = 0; i < n; i++) {
            float[] f = new float[size];
            int base = i * size;
            for (int j = 0; j < size; j++) {
                f[j] = (x.data()[base + j] & 0xff) / 255f;
            }
            String label = null;
            if (y != null) {
                int cls = y.data()[i] & 0xff;
                if (labelNames != null && cls >= labelNames.size()) {
                    throw new DataFormatException(labels + ":record " + i, "label " + cls,
                            "a class below " + labelNames.size());
                }
                label = labelNames != null ? labelNames.get(cls) : Integer.toString(cls);
            }
            examples.add(Example.denseOwned(source + "#" + i, f, label, source));
        }
        Dataset data = Dataset.infer(items.toString(), examples, shape);
        if (labelNames != null) {
            data = data.withSchema(data.schema().withLabels(labelNames));
        }
        return new ReadResult(data, 0, List.of());
    }

    static Tensor readTensor(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw DataFormatException.notFound(file, "an IDX file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                DataInputStream in = new DataInputStream(name.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw)) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new DataFormatException(name, "file is shorter than the 4-byte magic number", "an IDX file");
            }
            int type = (magic >>> 8) & 0xff;
            int rank = magic & 0xff;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank < 1 || rank > 4) {
                throw new DataFormatException(name, String.format("wrong magic number 0x%08x", magic),
                        "0x000008NN: unsigned bytes, rank 1 to 4");
            }
            int[] dims = new int[rank];
            long total = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] <= 0) {
                    throw new DataFormatException(name, "dimension " + i + " is " + dims[i], "a positive size");
                }
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new DataFormatException(name, "declares " + total + " bytes", "under 2 GiB");
            }
            byte[] data = new byte[(int) total];
            int read = in.readNBytes(data, 0, data.length);
            if (read < data.length) {
                throw new DataFormatException(name, "truncated: " + read + " of " + total + " data bytes present",
                        "the size its header declares");
            }
            if (in.read() != -1) {
                throw new DataFormatException(name, "has bytes past the " + total + " its header declares",
                        "exactly the declared size");
            }
            return new Tensor(dims, data);
        } catch (EOFException e) {
            throw new DataFormatException(name, "truncated header", "a complete IDX header");
        } catch (java.util.zip.ZipException e) {
            throw new DataFormatException(name, "corrupt gzip stream: " + e.getMessage(), "a valid .gz file");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** Writes dense [0,1] features as unsigned bytes and labels as their class index. */
    public static void write(Dataset data, Path items, Path labels) {
        List<Long> shape = data.schema().featureShape();
        List<Integer> dims = new ArrayList<>();
        dims.add(data.size());
        for (int i = 0; i < shape.size(); i++) {
            if (i > 0 || shape.get(i) != 1 || shape.size() == 1) { // drop the channel dim the reader adds back
                dims.add(Math.toIntExact(shape.get(i)));
            }
        }
        writeTensor(items, dims, o -> {
            for (Example e : data.examples()) {
                for (float v : e.features()) {
                    o.writeByte(Math.round(Math.max(0f, Math.min(1f, v)) * 255f));
                }
            }
        });
        if (labels != null) {
            writeTensor(labels, List.of(data.size()), o -> {
                for (Example e : data.examples()) {
                    o.writeByte(data.schema().indexOf(e.label().orElseThrow(
                            () -> new IllegalArgumentException("example " + e.id() + " has no label to write"))));
                }
            });
        }
    }

    private interface BodyWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private static void writeTensor(Path file, List<Integer> dims, BodyWriter body) {
        AtomicFiles.write(file, out -> {
            GZIPOutputStream gz = file.toString().endsWith(".gz") ? new GZIPOutputStream(out) : null;
            DataOutputStream o = new DataOutputStream(gz != null ? gz : out);
            o.writeInt((UNSIGNED_BYTE << 8) | dims.size());
            for (int d : dims) {
                o.writeInt(d);
            }
            body.write(o);
            o.flush();
            if (gz != null) {
                gz.finish();
            }
        });
    }
}
