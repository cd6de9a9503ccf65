package dev.switchboard.scheduler.framework;

import java.util.List;

/** Chooses one endpoint among the scored candidates. */
public interface EndpointPicker extends Plugin {
    /**
     * @param context the cycle
     * @param scored  candidates with scores, in candidate order (never empty)
     * @return the chosen candidate
     */
    ScoredEndpoint pick(CycleContext context, List<ScoredEndpoint> scored);
}
