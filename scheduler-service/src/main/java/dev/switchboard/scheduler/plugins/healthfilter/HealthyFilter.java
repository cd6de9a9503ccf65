package dev.switchboard.scheduler.plugins.healthfilter;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointFilter;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.plugins.Filters;

/**
 * Keeps endpoints that may take new requests: ready, healthy, not draining, not stale, and not
 * already failed for this request (retries).
 */
public record HealthyFilter(String name) implements EndpointFilter {
    public static final String TYPE = "healthy-filter";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<EndpointView> filter(CycleContext context, List<EndpointView> candidates) {
        List<String> excluded = context.request().excludedEndpoints();
        return Filters.keep(candidates, e -> e.accepting() && (excluded.isEmpty() || !excluded.contains(e.id())));
    }
}
