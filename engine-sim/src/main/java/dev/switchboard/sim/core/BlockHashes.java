package dev.switchboard.sim.core;

import net.openhft.hashing.LongHashFunction;

/**
 * Chained 64-bit block hashes, the identity of a full KV block: hash {@code i} covers the contents of
 * blocks {@code 0..i}, so equal prefixes share blocks and a difference in block {@code i} changes every
 * hash from {@code i} on (vLLM's {@code hash_block_tokens} chain, with XXH3-64 instead of SHA-256).
 *
 * <p>Prompts given as text are hashed by {@code dev.switchboard.contract.prompt.PromptBlocks} (same
 * chaining over characters); prompts given as token ids are hashed here. Blocks whose contents the core
 * does not know (a partial prompt tail plus generated tokens) are named by {@link #derived}.
 */
public final class BlockHashes {
    /** Start of the chain for token-id prompts (vLLM's {@code NONE_HASH}; fixed, like a pinned PYTHONHASHSEED). */
    public static final long TOKEN_CHAIN_SEED = 0x5357_4254_4f4b_454eL;

    private BlockHashes() {
    }

    /** Hashes of the full blocks of {@code tokenIds}, in order. */
    public static long[] ofTokenIds(int[] tokenIds, int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1, but was " + blockSize);
        }
        long[] out = new long[tokenIds.length / blockSize];
        long parent = TOKEN_CHAIN_SEED;
        for (int i = 0; i < out.length; i++) {
            parent = LongHashFunction.xx3(parent).hashInts(tokenIds, i * blockSize, blockSize);
            out[i] = parent;
        }
        return out;
    }

    /**
     * Hash of block {@code blockIndex} whose parent hash is {@code parent} and whose contents are
     * identified by {@code contentKey} (a request's prompt tail and its generated tokens). Requests with
     * the same prompt, content key and block index get the same hash, as a deterministic engine would.
     */
    public static long derived(long parent, long contentKey, int blockIndex) {
        return LongHashFunction.xx3(parent).hashLong(contentKey * 0x9E37_79B9_7F4A_7C15L + blockIndex);
    }
}
