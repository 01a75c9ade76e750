package dev.distillery.distill;

import dev.distillery.data.Dataset;
import dev.distillery.data.Example;
import dev.distillery.model.Classifier;
import dev.distillery.util.AtomicFiles;
import dev.distillery.util.Hashing;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A teacher's logits over a transfer set, computed once and stored by content: the key is the
 * SHA-256 of the teacher's saved files and of every example (id and content), so any change to
 * either computes them anew, and a repeated run or a sweep reads them back.
 */
public final class TeacherOutputs {
    private TeacherOutputs() {}

    /** The teacher's logits by example id, from {@code cacheDir} or computed and stored there. */
    public static Map<String, float[]> compute(Classifier teacher, Path teacherDir, Dataset transfer, Path cacheDir,
            Consumer<String> log) {
        String key = key(teacherDir, transfer);
        Path file = cacheDir.resolve(key + ".logits");
        if (Files.isRegularFile(file)) {
            Map<String, float[]> cached = read(file, transfer);
            if (cached != null) {
                log.accept("teacher outputs read from cache " + file.getFileName());
                return cached;
            }
        }
        log.accept("computing teacher outputs for " + transfer.size() + " examples");
        Map<String, float[]> out = dev.distillery.util.CacheFill.time(() -> logits(teacher, transfer));
        write(file, transfer, out, teacher.schema().numClasses());
        return out;
    }

    private static Map<String, float[]> logits(Classifier teacher, Dataset transfer) {
        Map<String, float[]> out = new LinkedHashMap<>();
        int batch = 256;
        for (int start = 0; start < transfer.size(); start += batch) {
            List<Example> part = transfer.examples().subList(start, Math.min(transfer.size(), start + batch));
            try (var sub = teacher.model().getNDManager().newSubManager()) {
                float[] flat = teacher.logits(sub, part).toFloatArray();
                int k = teacher.schema().numClasses();
                for (int i = 0; i < part.size(); i++) {
                    out.put(part.get(i).id(), java.util.Arrays.copyOfRange(flat, i * k, (i + 1) * k));
                }
            }
        }
        return out;
    }

    static String key(Path teacherDir, Dataset transfer) {
        MessageDigest md = Hashing.messageDigest("SHA-256");
        try (var files = Files.list(teacherDir)) {
            for (Path f : files.sorted().toList()) {
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the teacher in " + teacherDir, e);
        }
        for (Example e : transfer.examples()) {
            md.update(e.id().getBytes(StandardCharsets.UTF_8));
            if (e.isText()) {
                md.update(e.text().getBytes(StandardCharsets.UTF_8));
            } else {
                for (float v : e.features()) {
                    int bits = Float.floatToIntBits(v);
                    md.update(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void write(Path file, Dataset transfer, Map<String, float[]> logits, int k) {
        AtomicFiles.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(raw);
            out.writeInt(transfer.size());
            out.writeInt(k);
            for (Example e : transfer.examples()) {
                for (float v : logits.get(e.id())) {
                    out.writeFloat(v);
                }
            }
            out.flush();
        });
    }

    private static Map<String, float[]> read(Path file, Dataset transfer) {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            int k = in.readInt();
            if (n != transfer.size()) {
                return null;
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Example e : transfer.examples()) {
                float[] v = new float[k];
                for (int j = 0; j < k; j++) {
                    v[j] = in.readFloat();
                }
                out.put(e.id(), v);
            }
            return out;
        } catch (IOException e) {
            return null; // an unreadable cache entry is recomputed, not trusted
        }
    }
}
