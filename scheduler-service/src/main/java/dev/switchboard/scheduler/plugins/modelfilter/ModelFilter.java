package dev.switchboard.scheduler.plugins.modelfilter;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointFilter;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.plugins.Filters;

/** Keeps endpoints that serve the requested model, as base model or LoRA adapter. */
public record ModelFilter(String name) implements EndpointFilter {
    public static final String TYPE = "model-filter";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<EndpointView> filter(CycleContext context, List<EndpointView> candidates) {
        String model = context.request().model();
        return Filters.keep(candidates, e -> e.descriptor().serves(model));
    }
}
