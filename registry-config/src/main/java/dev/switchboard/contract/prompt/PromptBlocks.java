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
        Objects.requireNonNull(canonicalText, "canonicalText");
        return new Hasher(model, cacheSalt, blockTokens).append(canonicalText).hashes();
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

    /**
     * Hashes canonical text handed over in pieces, exactly as {@link #hash} hashes it whole: however the text
     * is cut, the hashes are the same. It lets a caller hash text it holds in several buffers (a chat's
     * messages, a parser's character buffer) without first concatenating it into one string: a full block is
     * hashed where it lies, and only a block cut by a piece boundary is copied. Not thread-safe.
     */
    public static final class Hasher {
        private final int blockChars;
        /** The current block's first characters, when a piece ended inside it. */
        private final char[] partial;
        private int partialLength;
        /** Characters of a {@link String} piece, copied out a slice at a time. */
        private char[] scratch;
        private long parent;
        private long[] hashes = new long[16];
        private int count;
        private long chars;

        /**
         * @param model       served model name (part of the seed)
         * @param cacheSalt   the request's {@code cache_salt}, or {@code null}/empty for none
         * @param blockTokens tokens per block, at least 1
         */
        public Hasher(String model, String cacheSalt, int blockTokens) {
            Objects.requireNonNull(model, "model");
            if (blockTokens < 1) {
                throw new IllegalArgumentException("blockTokens must be >= 1, but was " + blockTokens);
            }
            this.blockChars = Tokenizer.charsOf(blockTokens);
            this.partial = new char[blockChars];
            this.parent = seed(model, cacheSalt);
        }

        /** Appends {@code length} characters of {@code text} from {@code offset}. */
        public Hasher append(char[] text, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, text.length);
            chars += length;
            int at = offset;
            int end = offset + length;
            if (partialLength > 0) {
                int take = Math.min(blockChars - partialLength, length);
                System.arraycopy(text, at, partial, partialLength, take);
                partialLength += take;
                at += take;
                if (partialLength < blockChars) {
                    return this;
                }
                push(partial, 0);
                partialLength = 0;
            }
            for (; end - at >= blockChars; at += blockChars) {
                push(text, at);
            }
            System.arraycopy(text, at, partial, 0, end - at);
            partialLength = end - at;
            return this;
        }

        /** Appends {@code text}. */
        public Hasher append(String text) {
            if (scratch == null) {
                scratch = new char[Math.max(blockChars, 4096 / blockChars * blockChars)];
            }
            for (int at = 0; at < text.length(); ) {
                int n = Math.min(scratch.length, text.length() - at);
                text.getChars(at, at + n, scratch, 0);
                append(scratch, 0, n);
                at += n;
            }
            return this;
        }

        /** Characters appended so far. */
        public long chars() {
            return chars;
        }

        /** One hash per full block appended so far, in order (a trailing partial block is not hashed). */
        public long[] hashes() {
            return java.util.Arrays.copyOf(hashes, count);
        }

        private void push(char[] block, int offset) {
            parent = LongHashFunction.xx3(parent).hashChars(block, offset, blockChars);
            if (count == hashes.length) {
                hashes = java.util.Arrays.copyOf(hashes, count * 2);
            }
            hashes[count++] = parent;
        }
    }
}
