package dev.switchboard.scheduler.plugins.poweroftwo;

import java.util.List;
import java.util.SplittableRandom;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointPicker;
import dev.switchboard.scheduler.framework.ScoredEndpoint;

/**
 * Power of two choices: samples two distinct candidates at random and keeps the better one. Avoids
 * herding onto one endpoint when many decisions are made from the same slightly stale view.
 */
public record PowerOfTwoPicker(String name) implements EndpointPicker {
    public static final String TYPE = "power-of-two-picker";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScoredEndpoint pick(CycleContext context, List<ScoredEndpoint> scored) {
        if (scored.size() == 1) {
            return scored.get(0);
        }
        SplittableRandom random = context.random(name);
        int a = random.nextInt(scored.size());
        int b = random.nextInt(scored.size() - 1);
        if (b >= a) {
            b++;
        }
        return scored.get(a).total() >= scored.get(b).total() ? scored.get(a) : scored.get(b);
    }
}
