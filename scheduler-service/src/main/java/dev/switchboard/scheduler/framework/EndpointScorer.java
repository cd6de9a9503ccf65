package dev.switchboard.scheduler.framework;

import java.util.List;

/**
 * Scores endpoints for a request. Scores must lie in [0, 1], higher is better; the engine clamps
 * whatever is returned and multiplies by the weight the policy gives this scorer. Weights live in
 * config, never in scorer code.
 */
public interface EndpointScorer extends Plugin {
    ScorerCategory category();

    /**
     * @param context    the cycle
     * @param candidates the endpoints left after filtering (never empty)
     * @return one score per candidate, in candidate order
     */
    double[] score(CycleContext context, List<EndpointView> candidates);
}
