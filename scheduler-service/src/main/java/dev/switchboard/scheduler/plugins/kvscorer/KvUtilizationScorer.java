package dev.switchboard.scheduler.plugins.kvscorer;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ScorerCategory;

/** Prefers endpoints with free KV cache: score = 1 - KV usage. */
public record KvUtilizationScorer(String name) implements EndpointScorer {
    public static final String TYPE = "kv-utilization-scorer";

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
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = 1 - candidates.get(i).kvUsage();
        }
        return scores;
    }
}
