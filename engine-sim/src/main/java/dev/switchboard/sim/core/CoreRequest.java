package dev.switchboard.sim.core;

import java.util.Arrays;
import java.util.Objects;

import net.openhft.hashing.LongHashFunction;

/**
 * A generation request as the engine core sees it: prompt identity and length, how many tokens to
 * generate, and when it arrived. Immutable (arrays are copied in and out).
 *
 * <p>The prompt is given either as token ids ({@link #ofTokenIds}; the core hashes full blocks with
 * {@link BlockHashes#ofTokenIds}) or as precomputed chained block hashes plus a token count
 * ({@link #ofBlockHashes}; e.g. {@code PromptBlocks.hash(model, salt, canonicalText)}).
 *
 * @param id                 unique among the engine's live requests
 * @param promptTokens       prompt length in tokens, at least 1
 * @param promptBlockHashes  chained hashes of the prompt's full blocks, or {@code null} when
 *                           {@code promptTokenIds} is given; may be shorter than
 *                           {@code promptTokens / blockSize} (missing full blocks get {@link BlockHashes#derived} hashes)
 * @param promptTokenIds     prompt token ids, or {@code null}
 * @param maxOutputTokens    {@code max_tokens}: generation stops here with finish reason {@code length}
 * @param stopAfterTokens    the answer's natural length: generation stops here with reason {@code stop}
 *                           if it comes first; 0 for none
 * @param arrivalNanos       arrival time on the caller's clock; not scheduled before it
 * @param prefilledRemotely  the prompt's KV comes from a prefill engine (P/D): the core waits for the
 *                           transfer instead of computing the prompt
 * @param contentKey         names the contents of blocks the core cannot hash (prompt tail plus output):
 *                           equal keys mean equal answers; defaults to a hash of {@code id} (never shared)
 * @param remoteDecode       the prefill leg of a P/D pair (vLLM {@code kv_transfer_params.do_remote_decode},
 *                           SGLang prefill with a bootstrap room): it finishes after its first token with
 *                           {@link FinishReason#LENGTH} and its KV stays pinned for pickup, whatever the
 *                           engine's role (every request on a {@code PREFILL}-role core behaves so)
 */
public record CoreRequest(String id, int promptTokens, long[] promptBlockHashes, int[] promptTokenIds,
                          int maxOutputTokens, int stopAfterTokens, long arrivalNanos, boolean prefilledRemotely,
                          long contentKey, boolean remoteDecode) {

    /** Validates and copies the arrays. */
    public CoreRequest {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank");
        }
        if (promptTokens < 1) {
            throw new IllegalArgumentException("promptTokens must be >= 1, but was " + promptTokens);
        }
        if ((promptBlockHashes == null) == (promptTokenIds == null)) {
            throw new IllegalArgumentException("exactly one of promptBlockHashes and promptTokenIds must be given");
        }
        if (promptTokenIds != null && promptTokenIds.length != promptTokens) {
            throw new IllegalArgumentException("promptTokenIds must have promptTokens=" + promptTokens
                    + " entries, but had " + promptTokenIds.length);
        }
        if (maxOutputTokens < 1) {
            throw new IllegalArgumentException("maxOutputTokens must be >= 1, but was " + maxOutputTokens);
        }
        if (stopAfterTokens < 0) {
            throw new IllegalArgumentException("stopAfterTokens must be >= 0, but was " + stopAfterTokens);
        }
        promptBlockHashes = promptBlockHashes == null ? null : promptBlockHashes.clone();
        promptTokenIds = promptTokenIds == null ? null : promptTokenIds.clone();
    }

    /** A request whose prompt is identified by chained block hashes. */
    public static CoreRequest ofBlockHashes(String id, long[] promptBlockHashes, int promptTokens, int maxOutputTokens,
                                            long arrivalNanos) {
        Objects.requireNonNull(promptBlockHashes, "promptBlockHashes");
        return new CoreRequest(id, promptTokens, promptBlockHashes, null, maxOutputTokens, 0, arrivalNanos, false,
                defaultContentKey(id), false);
    }

    /** A request whose prompt is given as token ids. */
    public static CoreRequest ofTokenIds(String id, int[] promptTokenIds, int maxOutputTokens, long arrivalNanos) {
        Objects.requireNonNull(promptTokenIds, "promptTokenIds");
        return new CoreRequest(id, promptTokenIds.length, null, promptTokenIds, maxOutputTokens, 0, arrivalNanos, false,
                defaultContentKey(id), false);
    }

    private static long defaultContentKey(String id) {
        return LongHashFunction.xx3().hashChars(id);
    }

    /** A copy that stops naturally (reason {@code stop}) after {@code tokens} tokens; 0 for never. */
    public CoreRequest withStopAfter(int tokens) {
        return new CoreRequest(id, promptTokens, promptBlockHashes, promptTokenIds, maxOutputTokens, tokens, arrivalNanos,
                prefilledRemotely, contentKey, remoteDecode);
    }

    /** A copy whose prompt KV is (or is not) transferred from a prefill engine. */
    public CoreRequest withPrefilledRemotely(boolean remote) {
        return new CoreRequest(id, promptTokens, promptBlockHashes, promptTokenIds, maxOutputTokens, stopAfterTokens,
                arrivalNanos, remote, contentKey, remoteDecode);
    }

    /** A copy with another content key (e.g. a hash of the full prompt text when answers are deterministic). */
    public CoreRequest withContentKey(long key) {
        return new CoreRequest(id, promptTokens, promptBlockHashes, promptTokenIds, maxOutputTokens, stopAfterTokens,
                arrivalNanos, prefilledRemotely, key, remoteDecode);
    }

    /** A copy that is (or is not) the prefill leg of a P/D pair (see {@link #remoteDecode()}). */
    public CoreRequest withRemoteDecode(boolean value) {
        return new CoreRequest(id, promptTokens, promptBlockHashes, promptTokenIds, maxOutputTokens, stopAfterTokens,
                arrivalNanos, prefilledRemotely, contentKey, value);
    }

    /** A copy arriving at {@code nanos} on the caller's clock. */
    public CoreRequest withArrivalNanos(long nanos) {
        return new CoreRequest(id, promptTokens, promptBlockHashes, promptTokenIds, maxOutputTokens, stopAfterTokens,
                nanos, prefilledRemotely, contentKey, remoteDecode);
    }

    /** The block hashes (a copy), or {@code null}. */
    @Override
    public long[] promptBlockHashes() {
        return promptBlockHashes == null ? null : promptBlockHashes.clone();
    }

    /** The token ids (a copy), or {@code null}. */
    @Override
    public int[] promptTokenIds() {
        return promptTokenIds == null ? null : promptTokenIds.clone();
    }

    /** Block hashes without copying, for the core. */
    long[] hashesUnsafe() {
        return promptBlockHashes;
    }

    /** Token ids without copying, for the core. */
    int[] tokenIdsUnsafe() {
        return promptTokenIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CoreRequest r && id.equals(r.id) && promptTokens == r.promptTokens
                && Arrays.equals(promptBlockHashes, r.promptBlockHashes) && Arrays.equals(promptTokenIds, r.promptTokenIds)
                && maxOutputTokens == r.maxOutputTokens && stopAfterTokens == r.stopAfterTokens
                && arrivalNanos == r.arrivalNanos && prefilledRemotely == r.prefilledRemotely && contentKey == r.contentKey
                && remoteDecode == r.remoteDecode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, promptTokens, Arrays.hashCode(promptBlockHashes), Arrays.hashCode(promptTokenIds),
                maxOutputTokens, stopAfterTokens, arrivalNanos, prefilledRemotely, contentKey, remoteDecode);
    }

    @Override
    public String toString() {
        return "CoreRequest[id=" + id + ", promptTokens=" + promptTokens + ", maxOutputTokens=" + maxOutputTokens
                + ", stopAfterTokens=" + stopAfterTokens + ", arrivalNanos=" + arrivalNanos
                + ", prefilledRemotely=" + prefilledRemotely + ", remoteDecode=" + remoteDecode + "]";
    }
}
