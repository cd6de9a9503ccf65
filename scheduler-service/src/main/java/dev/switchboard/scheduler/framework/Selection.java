package dev.switchboard.scheduler.framework;

import java.util.List;
import java.util.Objects;

/**
 * What a profile handler decided.
 *
 * @param decode  the endpoint that receives the request, or {@code null} if none can
 * @param prefill the prefill endpoint of a disaggregated decision, or {@code null}
 * @param runs    every profile run, for explanation
 * @param note    why (e.g. "disaggregated: 3100 uncached tokens >= 512"), for explanation
 */
public record Selection(ScoredEndpoint decode, ScoredEndpoint prefill, List<ProfileRun> runs, String note) {
    public Selection {
        runs = List.copyOf(runs);
        Objects.requireNonNull(note, "note");
    }
}
