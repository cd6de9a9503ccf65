package dev.switchboard.scheduler.plugins.contextfilter;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointFilter;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.plugins.Filters;

/**
 * Keeps endpoints whose context window fits the prompt plus the requested output (at least one
 * token). Endpoints that did not publish {@code max-model-len} are kept.
 */
public record ContextFitsFilter(String name) implements EndpointFilter {
    public static final String TYPE = "context-fits-filter";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<EndpointView> filter(CycleContext context, List<EndpointView> candidates) {
        long needed = context.request().contextTokens();
        return Filters.keep(candidates, e -> e.descriptor().fitsContext(needed));
    }
}
