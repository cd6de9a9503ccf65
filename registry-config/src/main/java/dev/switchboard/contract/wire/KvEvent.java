package dev.switchboard.contract.wire;

import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One change to an engine's prefix cache, normalised from the engine's own KV event stream (vLLM
 * and SGLang publish {@code BlockStored}, {@code BlockRemoved} and {@code AllBlocksCleared} over
 * ZeroMQ; see {@code research/engine-protocols.md} section 3).
 *
 * <p>In JSON (the adapter event stream, {@link AdapterEvents#KV}) {@code blockHashes} is not an array
 * of numbers but one string, {@link BlockHashEncoding}: base64 of the hashes as 8-byte big-endian
 * values. Every other field is a plain JSON value named as here.
 *
 * <p>Immutable: the hashes are copied in; {@link #blockHashes()} returns a copy, and hot paths read
 * them without copying through {@link #blockHashView()} or {@link #blockCount()}.
 *
 * @param kind            what happened
 * @param blockHashes     the affected blocks, as 64-bit hashes (empty for {@link Kind#CLEARED}); on the
 *                        wire a {@link BlockHashEncoding} string
 * @param parentBlockHash hash of the block before the first stored one, {@code null} if none or unknown
 * @param blockSize       tokens per block (0 when not reported)
 * @param medium          storage tier, e.g. {@code GPU} or {@code CPU}; {@code GPU} when not reported
 * @param hashSpace       whose hash function produced the hashes (see {@link HashSpace})
 */
public record KvEvent(Kind kind, long[] blockHashes, Long parentBlockHash, int blockSize, String medium, HashSpace hashSpace) {

    /** The kinds of cache change. */
    public enum Kind {
        /** Full blocks were written to the cache and can be reused by later requests. */
        STORED,
        /** Blocks were evicted or freed. */
        REMOVED,
        /** The whole cache was reset (prefix-cache reset, sleep, restart). */
        CLEARED
    }

    /**
     * Whose hashing produced {@link #blockHashes()}. Only {@link #SWITCHBOARD} hashes can be matched
     * against request prompts directly; engine-native hashes (vLLM SHA-256 over real token ids) still
     * tell the scheduler how much is cached and when the cache is cleared.
     */
    public enum HashSpace {
        /** {@code PromptBlocks} hashes, as published by Switchboard's simulator. */
        SWITCHBOARD,
        /** The engine's own block hashes. */
        ENGINE
    }

    public KvEvent {
        Objects.requireNonNull(kind, "kind");
        blockHashes = blockHashes == null ? new long[0] : blockHashes.clone();
        if (blockSize < 0) {
            throw new IllegalArgumentException("blockSize must be >= 0, but was " + blockSize);
        }
        medium = medium == null || medium.isBlank() ? "GPU" : medium;
        hashSpace = hashSpace == null ? HashSpace.ENGINE : hashSpace;
    }

    /** A cache reset. */
    public static KvEvent cleared() {
        return new KvEvent(Kind.CLEARED, null, null, 0, null, null);
    }

    /** The hashes (a copy: the event stays immutable). */
    @Override
    public long[] blockHashes() {
        return blockHashes.clone();
    }

    /** How many block hashes the event carries. */
    public int blockCount() {
        return blockHashes.length;
    }

    /** The hashes as a read-only view of the event's own array: no copy, for hot paths. */
    public LongBuffer blockHashView() {
        return LongBuffer.wrap(blockHashes).asReadOnlyBuffer();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvEvent e && kind == e.kind && Arrays.equals(blockHashes, e.blockHashes)
                && Objects.equals(parentBlockHash, e.parentBlockHash) && blockSize == e.blockSize
                && medium.equals(e.medium) && hashSpace == e.hashSpace;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, Arrays.hashCode(blockHashes), parentBlockHash, blockSize, medium, hashSpace);
    }

    @Override
    public String toString() {
        return "KvEvent[" + kind + ", blocks=" + blockHashes.length + ", medium=" + medium + ", " + hashSpace + "]";
    }
}
