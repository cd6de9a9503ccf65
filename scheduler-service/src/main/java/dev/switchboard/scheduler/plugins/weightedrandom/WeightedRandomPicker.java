package dev.switchboard.scheduler.plugins.weightedrandom;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointPicker;
import dev.switchboard.scheduler.framework.ScoredEndpoint;

/**
 * Picks at random with probability proportional to the total score (plus a small floor, so a
 * zero-scored endpoint is rarely but not never chosen and the view keeps being refreshed by real
 * traffic).
 */
public record WeightedRandomPicker(String name, Params params) implements EndpointPicker {
    public static final String TYPE = "weighted-random-picker";

    /** @param floor weight added to every candidate's score (default 0.01) */
    public record Params(Double floor) {
        public Params {
            floor = floor == null ? 0.01 : floor;
            if (!(floor >= 0)) {
                throw new IllegalArgumentException("floor must be >= 0, but was " + floor);
            }
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScoredEndpoint pick(CycleContext context, List<ScoredEndpoint> scored) {
        double sum = 0;
        for (ScoredEndpoint s : scored) {
            sum += Math.max(0, s.total()) + params.floor();
        }
        if (sum <= 0) {
            return scored.get(context.random(name).nextInt(scored.size()));
        }
        double target = context.random(name).nextDouble() * sum;
        for (ScoredEndpoint s : scored) {
            target -= Math.max(0, s.total()) + params.floor();
            if (target < 0) {
                return s;
            }
        }
        return scored.get(scored.size() - 1);
    }
}
