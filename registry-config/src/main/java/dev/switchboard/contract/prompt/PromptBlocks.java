package dev.switchboard.contract.prompt;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import net.openhft.hashing.LongHashFunction;

/**
 * Turns canonical prompt text into chained 64-bit block hashes, the unit of prefix-cache
 * prediction.
 *
 * <p>The text is cut into blocks of {@code blockTokens} tokens ({@link Tokenizer#charsOf} characters);
 * only full blocks are hashed, because engines cache only full KV blocks. Hash {@code i} is XXH3-64 of
 * block {@code i}'s characters seeded with hash {@code i-1}; the chain starts from a seed derived
 * from the model name and the request's {@code cache_salt}. Hence:
 * <ul>
 *   <li>equal leading text gives equal leading hashes (a shared prefix is visible),</li>
 *   <li>a change in block {@code i} changes every hash from {@code i} on (a hash names the whole
 *       prefix, not just one block, as in vLLM's block hashing),</li>
 *   <li>a different model or salt gives unrelated hashes (tenants with different salts never
 *       appear to share a cache).</li>
 * </ul>
 */
public final class PromptBlocks {
    /** Default block size in tokens: vLLM's KV block size on CUDA. */
    public static final int DEFAULT_BLOCK_TOKENS = 16;

    private static final LongHashFunction ROOT = LongHashFunction.xx3();

    private PromptBlocks() {
    }

    /**
     * Hashes the full blocks of {@code canonicalText}.
     *
     * @param model         served model name (part of the seed)
     * @param cacheSalt     the request's {@code cache_salt}, or {@code null}/empty for none
     * @param canonicalText text from {@link PromptText}
     * @param blockTokens   tokens per block, at least 1
     * @return one hash per full block, in prompt order
     */
    public static long[] hash(String model, String cacheSalt, String canonicalText, int blockTokens) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(canonicalText, "canonicalText");
        if (blockTokens < 1) {
            throw new IllegalArgumentException("blockTokens must be >= 1, but was " + blockTokens);
        }
        int blockChars = Tokenizer.charsOf(blockTokens);
        long[] hashes = new long[canonicalText.length() / blockChars];
        long parent = seed(model, cacheSalt);
        for (int i = 0; i < hashes.length; i++) {
            parent = LongHashFunction.xx3(parent).hashChars(canonicalText, i * blockChars, blockChars);
            hashes[i] = parent;
        }
        return hashes;
    }

    /** {@link #hash} with {@link #DEFAULT_BLOCK_TOKENS}. */
    public static long[] hash(String model, String cacheSalt, String canonicalText) {
        return hash(model, cacheSalt, canonicalText, DEFAULT_BLOCK_TOKENS);
    }

    /** The chain's starting value for a model and salt. */
    static long seed(String model, String cacheSalt) {
        String salt = cacheSalt == null ? "" : cacheSalt;
        // length-prefixing keeps ("ab","c") and ("a","bc") apart
        String key = model.length() + ":" + model + "|" + salt;
        return ROOT.hashBytes(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Number of leading blocks two hash chains share. */
    public static int commonPrefixBlocks(long[] a, long[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
