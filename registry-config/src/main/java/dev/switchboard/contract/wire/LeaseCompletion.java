package dev.switchboard.contract.wire;

import java.util.Objects;

/**
 * How a scheduled request ended, sent by the gateway to close its lease. Token counts come from the
 * engine's {@code usage}; {@code -1} marks a value the gateway could not observe.
 *
 * @param leaseId          the lease from the {@link ScheduleDecision}
 * @param outcome          how the request ended
 * @param httpStatus       status returned to the client
 * @param promptTokens     engine-reported prompt tokens, -1 if unknown
 * @param cachedTokens     engine-reported cached prompt tokens, -1 if unknown
 * @param completionTokens engine-reported output tokens, -1 if unknown
 * @param ttftMillis       time to first token seen at the gateway, -1 if no token arrived
 * @param durationMillis   time from decision to the end of the response
 */
public record LeaseCompletion(
        String leaseId,
        Outcome outcome,
        int httpStatus,
        int promptTokens,
        int cachedTokens,
        int completionTokens,
        long ttftMillis,
        long durationMillis) {

    /** How a request ended. */
    public enum Outcome {
        /** The engine answered (2xx) and the response reached the client. */
        SUCCESS,
        /** The engine or the path to it failed. */
        FAILED,
        /** The request was dropped before it reached the engine (client gone, gateway error). */
        DISCARDED
    }

    public LeaseCompletion {
        Objects.requireNonNull(leaseId, "leaseId");
        Objects.requireNonNull(outcome, "outcome");
    }
}
