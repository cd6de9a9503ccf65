package dev.switchboard.scheduler.plugins.queuescorer;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ScorerCategory;
import dev.switchboard.scheduler.plugins.Scores;

/** Prefers short engine waiting queues (min-max normalised over the candidates). */
public record QueueDepthScorer(String name) implements EndpointScorer {
    public static final String TYPE = "queue-depth-scorer";

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
        return Scores.lowerIsBetter(candidates, EndpointView::waiting);
    }
}
