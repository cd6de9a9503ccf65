package dev.switchboard.scheduler.framework;

/** Decides whether a request is worth splitting into a prefill leg on another engine. */
public interface PdDecider extends Plugin {
    /**
     * @param context    the cycle
     * @param decodePick the endpoint chosen for the decode side
     * @return whether to run prefill on a separate prefill endpoint
     */
    boolean disaggregate(CycleContext context, EndpointView decodePick);
}
