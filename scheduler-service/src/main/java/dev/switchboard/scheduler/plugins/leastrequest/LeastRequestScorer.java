package dev.switchboard.scheduler.plugins.leastrequest;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ScorerCategory;
import dev.switchboard.scheduler.plugins.Scores;

/**
 * Prefers endpoints with the fewest requests in flight as the scheduler counts them (open leases).
 * Unlike engine-reported queue and batch sizes this reacts to the scheduler's own decisions at
 * once, between two load reports.
 */
public record LeastRequestScorer(String name) implements EndpointScorer {
    public static final String TYPE = "least-request-scorer";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.BALANCE;
    }

    @Override
    public double[] score(CycleContext context, List<EndpointView> candidates) {
        return Scores.lowerIsBetter(candidates, EndpointView::outstanding);
    }
}
