package dev.switchboard.bench.des;

import java.util.Objects;

/**
 * One workload request as the virtual-time replay needs it: the gateway's view (prompt tokens and
 * block hashes of the canonical chat text) computed once, so several policies and load points reuse
 * it.
 *
 * @param index        position in the workload (names the request: {@code req-<index>})
 * @param arrivalNanos arrival on the virtual clock
 * @param tenant       tenant
 * @param sessionId    session for affinity, or {@code null}
 * @param promptTokens tokens of the canonical text ({@code Tokenizer.countTokens}), as the gateway estimates
 * @param outputTokens tokens to generate ({@code max_tokens}; generation runs to it, as with {@code ignore_eos})
 * @param blockHashes  {@code PromptBlocks.hash(model, null, canonicalText)}; shared, never modified
 * @param contentKey   hash of the canonical text: what engine-sim uses to name the answer's KV blocks, so
 *                     equal prompts share output blocks as on the HTTP path
 */
public record DesRequest(int index, long arrivalNanos, String tenant, String sessionId, int promptTokens, int outputTokens,
        long[] blockHashes, long contentKey) {
    public DesRequest {
        if (arrivalNanos < 0) {
            throw new IllegalArgumentException("arrivalNanos must be >= 0, but was " + arrivalNanos);
        }
        Objects.requireNonNull(tenant, "tenant");
        if (promptTokens < 1 || outputTokens < 1) {
            throw new IllegalArgumentException("prompt and output tokens must be >= 1, but were " + promptTokens + " and "
                    + outputTokens);
        }
        Objects.requireNonNull(blockHashes, "blockHashes");
    }

    /** The request id used with the scheduler and as the engine request id of its (decode) leg. */
    public String id() {
        return "req-" + index;
    }

    /** This request arriving at {@code nanos}. */
    public DesRequest withArrivalNanos(long nanos) {
        return new DesRequest(index, nanos, tenant, sessionId, promptTokens, outputTokens, blockHashes, contentKey);
    }
}
