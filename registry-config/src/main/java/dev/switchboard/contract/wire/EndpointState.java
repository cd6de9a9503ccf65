package dev.switchboard.contract.wire;

import java.util.Objects;

import dev.switchboard.contract.EngineDescriptor;

/**
 * Everything an adapter knows about one endpoint right now; the first message a subscriber to the
 * adapter's event stream receives, so a scheduler that (re)connects needs no history.
 *
 * @param descriptor the engine's registry metadata
 * @param lifecycle  its current lifecycle state
 * @param load       its latest load report, or {@code null} before the first scrape
 */
public record EndpointState(EngineDescriptor descriptor, LifecycleEvent lifecycle, LoadReport load) {
    public EndpointState {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(lifecycle, "lifecycle");
    }
}
