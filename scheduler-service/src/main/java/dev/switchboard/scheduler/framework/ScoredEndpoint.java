package dev.switchboard.scheduler.framework;

import java.util.Map;
import java.util.Objects;

/**
 * A candidate with its weighted total score and each scorer's clamped, unweighted contribution.
 *
 * @param endpoint the candidate
 * @param total    sum of weight x score over the profile's scorers
 * @param byScorer scorer name -> score in [0, 1]
 */
public record ScoredEndpoint(EndpointView endpoint, double total, Map<String, Double> byScorer) {
    public ScoredEndpoint {
        Objects.requireNonNull(endpoint, "endpoint");
        byScorer = Map.copyOf(byScorer);
    }
}
