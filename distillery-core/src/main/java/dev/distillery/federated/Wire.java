package dev.distillery.federated;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** Arrays as they travel between coordinator and clients: little-endian bytes in base64 inside JSON. */
final class Wire {
    private Wire() {}

    static String floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    static float[] floats(String s) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(s)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    static String longs(long[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    static long[] longs(String s) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(s)).order(ByteOrder.LITTLE_ENDIAN);
        long[] v = new long[b.remaining() / 8];
        b.asLongBuffer().get(v);
        return v;
    }

    static String bytes(byte[] v) {
        return Base64.getEncoder().encodeToString(v);
    }

    static byte[] bytes(String s) {
        return Base64.getDecoder().decode(s);
    }
}
