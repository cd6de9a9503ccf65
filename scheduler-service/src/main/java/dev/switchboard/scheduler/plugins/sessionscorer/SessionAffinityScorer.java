package dev.switchboard.scheduler.plugins.sessionscorer;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ScorerCategory;

/** Scores 1 for the endpoint that served the request's session last, 0 for the others. */
public record SessionAffinityScorer(String name) implements EndpointScorer {
    public static final String TYPE = "session-affinity-scorer";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.AFFINITY;
    }

    @Override
    public double[] score(CycleContext context, List<EndpointView> candidates) {
        String last = context.sessionEndpoint();
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = candidates.get(i).id().equals(last) ? 1 : 0;
        }
        return scores;
    }
}
