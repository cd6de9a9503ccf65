package dev.switchboard.sim.core;

import java.util.List;
import java.util.Objects;

/**
 * Something that happened to a request during a step. All events of a {@link StepResult} happen at
 * its {@link StepResult#endNanos()} (tokens leave the GPU when the forward pass ends), except
 * {@link Preempted}, decided when the step was scheduled.
 *
 * <p>Per request the stream is: one {@link FirstToken}, then one {@link Token} per further output token,
 * possibly interrupted by {@link Preempted} (the request recomputes and continues), then
 * {@link Finished} in the same step as the last token (or alone for an abort).
 */
public sealed interface CoreEvent permits CoreEvent.FirstToken, CoreEvent.Token, CoreEvent.Finished, CoreEvent.Preempted {

    /** The request this event is about. */
    String requestId();

    /**
     * The request's first output token (end of its prefill).
     *
     * @param requestId    request
     * @param cachedTokens prompt tokens not computed by this engine (prefix-cache hits, or KV received
     *                     from a prefill engine): vLLM's {@code usage.prompt_tokens_details.cached_tokens}
     */
    record FirstToken(String requestId, int cachedTokens) implements CoreEvent {
        /** Requires an id. */
        public FirstToken {
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * A further output token.
     *
     * @param requestId   request
     * @param outputIndex 0-based index of the token in the output (the first token, index 0, is a
     *                    {@link FirstToken})
     */
    record Token(String requestId, int outputIndex) implements CoreEvent {
        /** Requires an id. */
        public Token {
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * The request is done and its KV blocks are released (or, on a prefill-role engine, pinned for pickup).
     *
     * @param requestId    request
     * @param reason       why it stopped
     * @param promptTokens prompt length
     * @param outputTokens tokens generated
     * @param cachedTokens as in {@link FirstToken} (0 if it never got one)
     * @param preemptions  how often it was preempted
     * @param times        lifecycle timestamps
     * @param kvBlockIds   prefill role: the pinned KV block ids (vLLM's {@code remote_block_ids}); else empty
     */
    record Finished(String requestId, FinishReason reason, int promptTokens, int outputTokens, int cachedTokens,
                    int preemptions, RequestTimes times, List<Integer> kvBlockIds) implements CoreEvent {
        /** Validates and copies. */
        public Finished {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(times, "times");
            kvBlockIds = List.copyOf(kvBlockIds);
        }
    }

    /**
     * The request lost its KV blocks because the cache was full; it went back to the waiting queue and
     * will recompute (mostly from the prefix cache) before generating its next token.
     *
     * @param requestId    request
     * @param outputTokens tokens generated so far (kept)
     */
    record Preempted(String requestId, int outputTokens) implements CoreEvent {
        /** Requires an id. */
        public Preempted {
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * Lifecycle timestamps on the caller's clock, for latency histograms
     * (queue = firstScheduled - arrival, prefill = firstToken - firstScheduled, decode = finished - firstToken).
     *
     * @param arrivalNanos        when the request arrived
     * @param firstScheduledNanos start of the first step that computed it, or {@link #NEVER}
     * @param firstTokenNanos     end of the step that produced its first token, or {@link #NEVER}
     * @param finishedNanos       when it finished
     */
    record RequestTimes(long arrivalNanos, long firstScheduledNanos, long firstTokenNanos, long finishedNanos) {
        /** Marks a time that did not happen. */
        public static final long NEVER = Long.MIN_VALUE;
    }
}
