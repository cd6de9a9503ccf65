package dev.switchboard.contract.wire;

import java.util.Objects;

/**
 * The scheduler's answer for one request. The gateway sends the request to {@code decode}; when
 * {@code prefill} is present the decode-side adapter runs the prefill leg there first.
 *
 * @param leaseId               id of the lease the gateway must close with a {@link LeaseCompletion}
 * @param requestId             echo of {@link ScheduleRequest#requestId()}
 * @param decode                the endpoint that receives the request and streams the answer
 * @param prefill               the prefill endpoint of a disaggregated decision, or {@code null}
 * @param predictedCachedTokens prompt tokens the scheduler expects to be cached on the chosen engine
 * @param reason                short human-readable explanation (policy and winning score)
 * @param candidates            per-candidate scores, only when the caller asked for an explanation
 */
public record ScheduleDecision(
        String leaseId,
        String requestId,
        EndpointRef decode,
        EndpointRef prefill,
        int predictedCachedTokens,
        String reason,
        java.util.List<CandidateScore> candidates) {

    public ScheduleDecision {
        Objects.requireNonNull(leaseId, "leaseId");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(decode, "decode");
        if (predictedCachedTokens < 0) {
            throw new IllegalArgumentException("predictedCachedTokens must be >= 0, but was " + predictedCachedTokens);
        }
        reason = reason == null ? "" : reason;
        candidates = candidates == null ? java.util.List.of() : java.util.List.copyOf(candidates);
    }

    /** Whether prefill and decode run on different engines. */
    public boolean disaggregated() {
        return prefill != null;
    }
}
