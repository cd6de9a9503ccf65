package dev.switchboard.scheduler.framework;

import java.util.Objects;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.wire.EndpointRef;

/**
 * One engine endpoint as the scheduler sees it at the start of a cycle.
 *
 * @param descriptor  the engine's registry metadata
 * @param host        adapter host
 * @param port        adapter port
 * @param outstanding requests scheduled on it whose lease is still open
 */
public record EndpointView(EngineDescriptor descriptor, String host, int port, int outstanding) {
    public EndpointView {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(host, "host");
        if (outstanding < 0) {
            throw new IllegalArgumentException("outstanding must be >= 0, but was " + outstanding);
        }
    }

    public String id() {
        return descriptor.endpointId();
    }

    public EndpointRef ref() {
        return new EndpointRef(id(), host, port);
    }

    /** A copy with a different outstanding count. */
    public EndpointView withOutstanding(int value) {
        return new EndpointView(descriptor, host, port, value);
    }
}
