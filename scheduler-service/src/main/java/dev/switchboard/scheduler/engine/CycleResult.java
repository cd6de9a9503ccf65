package dev.switchboard.scheduler.engine;

import java.util.List;
import java.util.Objects;

import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.scheduler.framework.ProfileRun;
import dev.switchboard.scheduler.framework.ScoredEndpoint;

/** The outcome of one scheduling cycle: where the request goes, or a rejection the client will see. */
public sealed interface CycleResult {

    /**
     * The request goes to {@code decode}, with its prefill on {@code prefill} when disaggregated.
     *
     * @param decode                the endpoint that receives the request
     * @param prefill               the prefill endpoint, or {@code null}
     * @param predictedCachedTokens prompt tokens predicted cached where the prefill runs
     * @param runs                  every profile run (for explanation)
     * @param reason                short explanation
     */
    record Picked(ScoredEndpoint decode, ScoredEndpoint prefill, int predictedCachedTokens, List<ProfileRun> runs,
            String reason) implements CycleResult {
        public Picked {
            Objects.requireNonNull(decode, "decode");
            runs = List.copyOf(runs);
        }
    }

    /** No endpoint can take the request; {@code httpStatus} and {@code error} go back to the client. */
    record Rejected(int httpStatus, ApiError error) implements CycleResult {
        public Rejected {
            Objects.requireNonNull(error, "error");
        }
    }
}
