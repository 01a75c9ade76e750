package dev.distillery.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Weights stored with fewer bits: every weight tensor of two or more dimensions (convolution and
 * dense weights) and the tables blocks declare ({@link Tables}: the n-gram embedding table, the TF-IDF
 * model's weights) as signed integers with one symmetric scale per output row (per channel) or, where
 * a table declares it, per column; everything else (biases, batch-norm statistics, an SVM's support
 * vectors) as float32. Loading dequantizes into the float network, so a quantized model runs
 * everywhere a float one does; what shrinks is the artifact on disk (about 4x at 8 bits, 8x at 4 bits,
 * two values packed per byte).
 *
 * <p>Layout: magic, version, bits, parameter count; per parameter its name, shape, which of its rows are stored (all,
 * or where at most half are not all zero, their list: a TF-IDF model's table has a row for every hash bucket, most of
 * which no training text has) and, for those rows, either raw floats or scales (per row or per column) and packed
 * integers. Version 1 files (rows only) and 2 (every row stored) still read.
 */
public final class QuantizedWeights {
    public static final String FILE = "weights.qnt";
    private static final int MAGIC = 0x44514E54; // "DQNT"
    private static final int VERSION = 3;
    private static final byte ALL_ROWS = 0;
    private static final byte LISTED_ROWS = 1;
    private static final byte RAW = 0;
    private static final byte QUANTIZED = 1;
    private static final byte QUANTIZED_BY_COLUMN = 2;

    private QuantizedWeights() {}

    /** Along which axis a table's values share a scale: each row (an embedding, an output channel) or each column. */
    public enum Axis { ROWS, COLUMNS }

    /**
     * A block with weight tables that DJL's types do not mark as weights (they are {@code OTHER}, to keep the trainer's
     * initializer off them) but that are worth storing in fewer bits: before this, quantizing an n-gram model wrote
     * its 16 MB table as floats and the "int8" model was the float model's size.
     */
    public interface Tables {
        /** The block's own parameters to quantize, each with the axis its values share scales along. */
        Map<Parameter, Axis> quantizedTables();
    }

    /** How {@code p} is stored: as its block declares it, else a weight by rows; or null for raw floats. */
    static Axis axis(Parameter p, Map<Parameter, Axis> tables) {
        if (p.getArray().getShape().dimension() < 2) {
            return null;
        }
        return tables.containsKey(p) ? tables.get(p) : p.getType() == Parameter.Type.WEIGHT ? Axis.ROWS : null;
    }

    /** The tables {@code block} and its descendants declare. */
    private static Map<Parameter, Axis> tablesIn(Block block) {
        Map<Parameter, Axis> out = new IdentityHashMap<>();
        if (block instanceof Tables t) {
            out.putAll(t.quantizedTables());
        }
        for (Block child : block.getChildren().values()) {
            out.putAll(tablesIn(child));
        }
        return out;
    }

    /** Largest integer magnitude at {@code bits}: 127 for 8, 7 for 4 (symmetric, so zero stays exactly zero). */
    static int levels(int bits) {
        return (1 << (bits - 1)) - 1;
    }

    public static void write(Block block, DataOutputStream out, int bits) throws IOException {
        write(block, out, bits, VERSION);
    }

    /** {@link #write} in the layout of {@code version}: before 3, every row stored (what older files hold, for their tests). */
    static void write(Block block, DataOutputStream out, int bits, int version) throws IOException {
        if (bits != 8 && bits != 4) {
            throw new IllegalArgumentException("bits must be 8 or 4, got: " + bits);
        }
        out.writeInt(MAGIC);
        out.writeInt(version);
        out.writeByte(bits);
        var params = block.getParameters();
        Map<Parameter, Axis> tables = tablesIn(block);
        out.writeInt(params.size());
        for (Pair<String, Parameter> p : params) {
            Parameter param = p.getValue();
            long[] shape = param.getArray().getShape().getShape();
            out.writeUTF(p.getKey());
            out.writeByte(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            float[] values = param.getArray().toFloatArray();
            int[] kept = shape.length >= 2 ? nonzeroRows(values, (int) shape[0]) : null;
            if (version < 3) {
                kept = null; // no list of rows in the layout
            } else if (kept != null && kept.length <= shape[0] / 2) {
                out.writeByte(LISTED_ROWS);
                out.writeInt(kept.length);
                for (int r : kept) {
                    out.writeInt(r);
                }
                values = rows(values, values.length / (int) shape[0], kept);
                shape = shape.clone();
                shape[0] = kept.length;
            } else {
                out.writeByte(ALL_ROWS);
            }
            Axis axis = axis(param, tables);
            if (axis == null) {
                out.writeByte(RAW);
                for (float v : values) {
                    out.writeFloat(v);
                }
                continue;
            }
            int rows = (int) shape[0];
            int rowLength = rows == 0 ? 0 : values.length / rows;
            if (rows == 0) {
                out.writeByte(axis == Axis.COLUMNS ? QUANTIZED_BY_COLUMN : QUANTIZED);
                continue; // no row is stored: nothing to scale
            }
            if (axis == Axis.COLUMNS) {
                out.writeByte(QUANTIZED_BY_COLUMN);
                values = transpose(values, rows, rowLength);
                rows = rowLength;
                rowLength = values.length / rows;
            } else {
                out.writeByte(QUANTIZED);
            }
            Rows q = quantize(values, rows, rowLength, bits);
            for (float s : q.scales()) {
                out.writeFloat(s);
            }
            out.write(pack(q.codes(), bits));
        }
    }

    /** Reads weights written by {@link #write} into {@code block}, whose parameters must already have their shapes. */
    public static void read(Block block, DataInputStream in, String source) throws IOException {
        try {
            readAll(block, in, source);
        } catch (java.io.EOFException e) {
            throw new IOException(source + " ends early: the file is truncated or corrupt", e);
        }
    }

    private static void readAll(Block block, DataInputStream in, String source) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException(source + " is not a Distillery quantized weights file (bad magic number)");
        }
        int version = in.readInt();
        if (version < 1 || version > VERSION) {
            throw new IOException(source + " has quantized-weights version " + version + "; this Distillery reads 1 to " + VERSION);
        }
        int bits = in.readByte();
        int count = in.readInt();
        var params = block.getParameters();
        if (count != params.size()) {
            throw new IOException(source + " holds " + count + " parameters; the network has " + params.size());
        }
        for (Pair<String, Parameter> p : params) {
            String name = in.readUTF();
            long[] shape = new long[in.readByte()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = in.readLong();
            }
            long[] expected = p.getValue().getArray().getShape().getShape();
            if (!name.equals(p.getKey()) || !Arrays.equals(shape, expected)) {
                throw new IOException(source + ": parameter " + name + " " + Arrays.toString(shape) + " does not match the network's "
                        + p.getKey() + " " + Arrays.toString(expected));
            }
            int fullSize = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
            int[] kept = null;
            if (version >= 3 && in.readByte() == LISTED_ROWS) {
                kept = new int[in.readInt()];
                for (int r = 0; r < kept.length; r++) {
                    kept[r] = in.readInt();
                    if (kept[r] < 0 || kept[r] >= shape[0]) {
                        throw new IOException(source + ": parameter " + name + " lists row " + kept[r] + " of " + shape[0]);
                    }
                }
                shape = shape.clone();
                shape[0] = kept.length;
            }
            int size = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
            float[] values = new float[size];
            byte kind = in.readByte();
            if (kind == RAW) {
                for (int i = 0; i < size; i++) {
                    values[i] = in.readFloat();
                }
            } else if ((kind == QUANTIZED || kind == QUANTIZED_BY_COLUMN) && size == 0) {
                values = new float[0]; // no row was stored
            } else if (kind == QUANTIZED || kind == QUANTIZED_BY_COLUMN) {
                int rows = (int) shape[0];
                int scaled = kind == QUANTIZED ? rows : size / rows; // the scales: one a row, or one a column
                float[] scales = new float[scaled];
                for (int r = 0; r < scaled; r++) {
                    scales[r] = in.readFloat();
                }
                byte[] packed = in.readNBytes(packedLength(size, bits));
                if (packed.length != packedLength(size, bits)) {
                    throw new IOException(source + " ends inside parameter " + name);
                }
                values = dequantize(new Rows(scales, unpack(packed, size, bits)), size / scaled);
                if (kind == QUANTIZED_BY_COLUMN) {
                    values = transpose(values, scaled, size / scaled);
                }
            } else {
                throw new IOException(source + ": parameter " + name + " has an unknown storage kind " + kind);
            }
            p.getValue().getArray().set(kept == null ? values : scattered(values, kept, fullSize));
        }
    }

    /** The rows of a (rows, ...) array with any value other than zero, in order; null when every row has one. */
    private static int[] nonzeroRows(float[] values, int rows) {
        int rowLength = values.length / rows;
        int[] out = new int[rows];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = r * rowLength; i < (r + 1) * rowLength; i++) {
                if (values[i] != 0f) {
                    out[n++] = r;
                    break;
                }
            }
        }
        return n == rows ? null : Arrays.copyOf(out, n);
    }

    /** The listed rows of {@code values}, in order. */
    private static float[] rows(float[] values, int rowLength, int[] rows) {
        float[] out = new float[rows.length * rowLength];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(values, rows[i] * rowLength, out, i * rowLength, rowLength);
        }
        return out;
    }

    /** The full array of {@code size} values whose listed rows are {@code stored}, row after row, and all others zero. */
    private static float[] scattered(float[] stored, int[] rows, int size) {
        float[] out = new float[size];
        int rowLength = rows.length == 0 ? 0 : stored.length / rows.length;
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(stored, i * rowLength, out, rows[i] * rowLength, rowLength);
        }
        return out;
    }

    /** Integer codes and one scale per row: value = code * scale. */
    record Rows(float[] scales, byte[] codes) {}

    static Rows quantize(float[] values, int rows, int rowLength, int bits) {
        int levels = levels(bits);
        float[] scales = new float[rows];
        byte[] codes = new byte[values.length];
        for (int r = 0; r < rows; r++) {
            float max = 0;
            for (int i = r * rowLength; i < (r + 1) * rowLength; i++) {
                max = Math.max(max, Math.abs(values[i]));
            }
            float scale = max == 0 ? 1f : max / levels;
            scales[r] = scale;
            for (int i = r * rowLength; i < (r + 1) * rowLength; i++) {
                codes[i] = (byte) Math.max(-levels, Math.min(levels, Math.round(values[i] / scale)));
            }
        }
        return new Rows(scales, codes);
    }

    static float[] dequantize(Rows q, int rowLength) {
        float[] out = new float[q.codes().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = q.codes()[i] * q.scales()[i / rowLength];
        }
        return out;
    }

    /** {@code values} as {@code rows} x {@code columns}, row after row, transposed: column after column. */
    static float[] transpose(float[] values, int rows, int columns) {
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                out[c * rows + r] = values[r * columns + c];
            }
        }
        return out;
    }

    private static int packedLength(int size, int bits) {
        return bits == 8 ? size : (size + 1) / 2;
    }

    static byte[] pack(byte[] codes, int bits) {
        if (bits == 8) {
            return codes;
        }
        byte[] out = new byte[packedLength(codes.length, 4)];
        for (int i = 0; i < codes.length; i++) {
            int nibble = codes[i] & 0x0F;
            out[i / 2] |= (byte) (i % 2 == 0 ? nibble : nibble << 4);
        }
        return out;
    }

    static byte[] unpack(byte[] packed, int size, int bits) {
        if (bits == 8) {
            return packed;
        }
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            int nibble = i % 2 == 0 ? packed[i / 2] & 0x0F : (packed[i / 2] >> 4) & 0x0F;
            out[i] = (byte) (nibble >= 8 ? nibble - 16 : nibble); // sign-extend 4 bits
        }
        return out;
    }
}
