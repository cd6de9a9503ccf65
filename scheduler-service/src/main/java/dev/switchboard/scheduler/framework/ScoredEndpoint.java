package dev.switchboard.scheduler.framework;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A candidate with its weighted total score and each scorer's clamped, unweighted score.
 *
 * @param endpoint    the candidate
 * @param total       sum of weight x score over the profile's scorers
 * @param scorerNames the profile's scorer names (shared by all candidates of a run)
 * @param scores      score in [0, 1] of each scorer, aligned with {@code scorerNames}
 */
public record ScoredEndpoint(EndpointView endpoint, double total, List<String> scorerNames, double[] scores) {
    public ScoredEndpoint {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(scorerNames, "scorerNames");
        Objects.requireNonNull(scores, "scores");
        if (scores.length != scorerNames.size()) {
            throw new IllegalArgumentException(scores.length + " scores for " + scorerNames.size() + " scorers");
        }
    }

    /** A candidate without per-scorer detail. */
    public static ScoredEndpoint of(EndpointView endpoint, double total) {
        return new ScoredEndpoint(endpoint, total, List.of(), new double[0]);
    }

    /** Scorer name -> score, for explanations (built on demand, off the hot path). */
    public Map<String, Double> byScorer() {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < scores.length; i++) {
            map.put(scorerNames.get(i), scores[i]);
        }
        return map;
    }
}
