package dev.switchboard.scheduler.framework;

import java.util.List;

/** Removes endpoints that cannot take the request. */
public interface EndpointFilter extends Plugin {
    /**
     * @param context    the cycle
     * @param candidates endpoints still in the running
     * @return the subset that passes, in the same order (may be empty)
     */
    List<EndpointView> filter(CycleContext context, List<EndpointView> candidates);
}
