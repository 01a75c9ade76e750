package dev.distillery.federated;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import javax.crypto.KeyAgreement;

/**
 * Secure aggregation by pairwise masks (the masking part of Bonawitz et al., 2017): every pair of clients agrees on a
 * secret by X25519 key agreement (the coordinator relays public keys only), and each client adds, for every other
 * client in the round, a mask drawn from their shared secret: plus for a peer with a higher id, minus for a lower one.
 * Updates are encoded in fixed point ({@link #SCALE_BITS} fractional bits) as 64-bit integers whose arithmetic wraps,
 * so the masks cancel exactly in the sum: the coordinator learns the sum and nothing of any one update, which looks
 * like uniformly random 64-bit words. If a client drops out after the keys were exchanged, the survivors reveal their
 * secrets with it (never their own keys) and the coordinator removes its masks from their updates; its update, never
 * sent, is not in the sum.
 *
 * <p>Threat model: an honest-but-curious coordinator that relays keys faithfully and colludes with no client.
 */
public final class SecureAggregation {
    /** Fixed-point fraction bits: update values of up to 2^39 in magnitude survive the sum of thousands of clients. */
    public static final int SCALE_BITS = 24;
    private static final double SCALE = 1L << SCALE_BITS;

    private SecureAggregation() {}

    /** {@code values} in fixed point. */
    public static long[] encode(float[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.round(values[i] * SCALE);
        }
        return out;
    }

    /** A fixed-point sum back as floats. */
    public static float[] decode(long[] sum) {
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) (sum[i] / SCALE);
        }
        return out;
    }

    /** {@code into += add}, wrapping. */
    public static void addInto(long[] into, long[] add) {
        for (int i = 0; i < into.length; i++) {
            into[i] += add[i];
        }
    }

    /** One client's side: its key pair, its agreed secrets, and the masking of its update. */
    public static final class Party {
        private final int id;
        private final KeyPair keys;

        public Party(int id) {
            this(id, generate());
        }

        private Party(int id, KeyPair keys) {
            this.id = id;
            this.keys = keys;
        }

        private static KeyPair generate() {
            try {
                return KeyPairGenerator.getInstance("X25519").generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("X25519 is not available in this JDK", e);
            }
        }

        /** The same keys under the id the coordinator assigned, which decides the sign of each pairwise mask. */
        public Party withId(int newId) {
            return new Party(newId, keys);
        }

        public int id() {
            return id;
        }

        /** The public key to relay to the other clients (X.509 encoding). */
        public byte[] publicKey() {
            return keys.getPublic().getEncoded();
        }

        /** The secret this client shares with the holder of {@code peerPublicKey}. */
        public byte[] secretWith(byte[] peerPublicKey) {
            try {
                PublicKey peer = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(peerPublicKey));
                KeyAgreement ka = KeyAgreement.getInstance("X25519");
                ka.init(keys.getPrivate());
                ka.doPhase(peer, true);
                return ka.generateSecret();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("a peer's public key is not an X25519 key", e);
            }
        }

        /** {@code update} (fixed point) plus the masks of round {@code round} with every peer in {@code peers} (id to public key). */
        public long[] mask(long[] update, Map<Integer, byte[]> peers, int round) {
            long[] out = update.clone();
            peers.forEach((peer, key) -> {
                if (peer != id) {
                    long[] m = stream(secretWith(key), round, out.length);
                    for (int i = 0; i < out.length; i++) {
                        out[i] += peer > id ? m[i] : -m[i];
                    }
                }
            });
            return out;
        }
    }

    /**
     * Removes from {@code sum} the masks survivor {@code survivor} added for the dropped client {@code dropped}, given the
     * secret the survivor revealed for that pair.
     */
    public static void unmaskDropped(long[] sum, int survivor, int dropped, byte[] revealedSecret, int round) {
        long[] m = stream(revealedSecret, round, sum.length);
        for (int i = 0; i < sum.length; i++) {
            sum[i] -= dropped > survivor ? m[i] : -m[i];
        }
    }

    /** The pseudo-random mask words of one pair and round: SHA-256 of (secret, round, counter), four words per hash. */
    static long[] stream(byte[] secret, int round, int length) {
        long[] out = new long[length];
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer block = ByteBuffer.allocate(secret.length + 12);
            for (int counter = 0; counter * 4 < length; counter++) {
                block.clear();
                block.put(secret).putInt(round).putLong(counter);
                ByteBuffer digest = ByteBuffer.wrap(sha.digest(block.array()));
                for (int k = 0; k < 4 && counter * 4 + k < length; k++) {
                    out[counter * 4 + k] = digest.getLong();
                }
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
