package dev.switchboard.sim.core;

import java.util.List;
import java.util.Objects;

/**
 * What one engine step computes, as far as its duration is concerned.
 *
 * @param decodeSequences     running sequences that each compute one decode token
 * @param decodeContextTokens sum over those sequences of the tokens their attention reads (cached
 *                            context plus the new token)
 * @param prefills            prefill chunks (new prompt tokens on top of already computed ones)
 * @param samplingSequences   sequences that produce a token this step (decodes plus prefills that
 *                            complete), i.e. rows of the LM head
 */
public record StepBatch(int decodeSequences, long decodeContextTokens, List<PrefillChunk> prefills, int samplingSequences) {

    /** Validates the counts and copies the chunk list. */
    public StepBatch {
        if (decodeSequences < 0) {
            throw new IllegalArgumentException("decodeSequences must be >= 0, but was " + decodeSequences);
        }
        if (decodeContextTokens < decodeSequences) {
            throw new IllegalArgumentException("decodeContextTokens must be >= decodeSequences (" + decodeSequences
                    + "), but was " + decodeContextTokens);
        }
        prefills = List.copyOf(Objects.requireNonNull(prefills, "prefills"));
        if (samplingSequences < 0 || samplingSequences > decodeSequences + prefills.size()) {
            throw new IllegalArgumentException("samplingSequences must be in [0, " + (decodeSequences + prefills.size())
                    + "], but was " + samplingSequences);
        }
    }

    /** A batch of {@code batch} decodes, each reading {@code context} tokens. */
    public static StepBatch decode(int batch, int context) {
        return new StepBatch(batch, (long) batch * context, List.of(), batch);
    }

    /** One prefill chunk of {@code newTokens} on {@code cachedTokens} that completes the prompt. */
    public static StepBatch prefill(int newTokens, int cachedTokens) {
        return new StepBatch(0, 0, List.of(new PrefillChunk(newTokens, cachedTokens)), 1);
    }

    /** Tokens computed in the step: decode tokens plus prefill chunk tokens. */
    public int totalTokens() {
        int total = decodeSequences;
        for (PrefillChunk c : prefills) {
            total += c.newTokens();
        }
        return total;
    }

    /** Whether the step computes nothing. */
    public boolean isEmpty() {
        return decodeSequences == 0 && prefills.isEmpty();
    }

    /**
     * A prefill chunk.
     *
     * @param newTokens    prompt tokens computed in this step, at least 1
     * @param cachedTokens tokens of the same sequence already in the KV cache (prefix hits and earlier chunks)
     */
    public record PrefillChunk(int newTokens, int cachedTokens) {
        /** Validates the counts. */
        public PrefillChunk {
            if (newTokens < 1) {
                throw new IllegalArgumentException("newTokens must be >= 1, but was " + newTokens);
            }
            if (cachedTokens < 0) {
                throw new IllegalArgumentException("cachedTokens must be >= 0, but was " + cachedTokens);
            }
        }
    }
}
