package dev.switchboard.scheduler.plugins.roundrobin;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointPicker;
import dev.switchboard.scheduler.framework.ScoredEndpoint;

/**
 * Ignores scores and cycles through the candidates: the plain load balancer baseline. The only
 * built-in plugin with state (a counter), which is why the baseline is not reproducible per request.
 */
public final class RoundRobinPicker implements EndpointPicker {
    public static final String TYPE = "round-robin-picker";

    private final String name;
    private final AtomicLong next = new AtomicLong();

    public RoundRobinPicker(String name) {
        this.name = name;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ScoredEndpoint pick(CycleContext context, List<ScoredEndpoint> scored) {
        return scored.get((int) Math.floorMod(next.getAndIncrement(), (long) scored.size()));
    }
}
