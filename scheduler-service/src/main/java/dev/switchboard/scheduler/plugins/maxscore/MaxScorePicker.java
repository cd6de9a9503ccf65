package dev.switchboard.scheduler.plugins.maxscore;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointPicker;
import dev.switchboard.scheduler.framework.ScoredEndpoint;

/**
 * Picks the highest total score; ties (within 1e-9) are broken at random with the cycle's seed, so
 * equally good endpoints share the traffic instead of the first one taking it all.
 */
public record MaxScorePicker(String name) implements EndpointPicker {
    public static final String TYPE = "max-score-picker";
    private static final double TIE = 1e-9;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScoredEndpoint pick(CycleContext context, List<ScoredEndpoint> scored) {
        double best = Double.NEGATIVE_INFINITY;
        for (ScoredEndpoint s : scored) {
            best = Math.max(best, s.total());
        }
        List<ScoredEndpoint> top = new ArrayList<>(2);
        for (ScoredEndpoint s : scored) {
            if (s.total() >= best - TIE) {
                top.add(s);
            }
        }
        return top.size() == 1 ? top.get(0) : top.get(context.random(name).nextInt(top.size()));
    }
}
