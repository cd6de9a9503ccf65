package dev.switchboard.contract.wire;

import java.util.Map;
import java.util.Objects;

/**
 * How one candidate endpoint scored in one profile of a scheduling decision ("why did this request
 * go there").
 *
 * @param endpointId the candidate
 * @param profile    the profile that scored it (e.g. {@code decode}, {@code prefill})
 * @param total      weighted total
 * @param scores     scorer name -> score in [0, 1] before weighting
 * @param picked     whether this candidate won the profile
 */
public record CandidateScore(String endpointId, String profile, double total, Map<String, Double> scores, boolean picked) {
    public CandidateScore {
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(profile, "profile");
        scores = scores == null ? Map.of() : Map.copyOf(scores);
    }
}
