package dev.switchboard.contract.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * The wire form of {@link KvEvent#blockHashes()} on the adapter event stream: one base64 string
 * (RFC 4648 section 4 alphabet, with {@code =} padding, no line breaks) of the hashes as 8-byte
 * big-endian two's-complement values, in order; the empty string for no hashes. A 200 KB prompt's
 * 3,200 hashes are a 34 KB string instead of a 64 KB array of decimal numbers, and decoding is a
 * base64 pass and one 8-byte load per hash, no per-number parsing.
 *
 * <p>Framework-free: each service's JSON layer calls {@link #encode} and {@link #decode}.
 */
public final class BlockHashEncoding {
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private BlockHashEncoding() {
    }

    /** The wire string of {@code hashes} (empty for none). */
    public static String encode(long[] hashes) {
        if (hashes.length == 0) {
            return "";
        }
        byte[] bytes = new byte[Long.BYTES * hashes.length];
        for (int i = 0; i < hashes.length; i++) {
            BIG_ENDIAN_LONG.set(bytes, Long.BYTES * i, hashes[i]);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * The hashes of a wire string.
     *
     * @throws IllegalArgumentException if {@code encoded} is not base64 or does not decode to a whole
     *                                  number of 8-byte hashes
     */
    public static long[] decode(String encoded) {
        if (encoded.isEmpty()) {
            return new long[0];
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("blockHashes is not base64 (" + e.getMessage() + ")", e);
        }
        if (bytes.length % Long.BYTES != 0) {
            throw new IllegalArgumentException("blockHashes decodes to " + bytes.length
                    + " bytes, not a whole number of 8-byte hashes");
        }
        long[] hashes = new long[bytes.length / Long.BYTES];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = (long) BIG_ENDIAN_LONG.get(bytes, Long.BYTES * i);
        }
        return hashes;
    }
}
