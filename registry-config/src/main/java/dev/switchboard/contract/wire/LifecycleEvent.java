package dev.switchboard.contract.wire;

import java.util.Objects;

/**
 * A change in whether an endpoint can take requests.
 *
 * @param endpointId    the endpoint
 * @param state         its new state
 * @param atMillis      epoch millis of the change
 * @param detail        why, for operators (e.g. the failed health check's status), may be empty
 */
public record LifecycleEvent(String endpointId, State state, long atMillis, String detail) {

    /** Endpoint states, from the adapter's point of view. */
    public enum State {
        /** Healthy and accepting requests. */
        READY,
        /** The engine's health check fails; no new requests. */
        UNHEALTHY,
        /** Finishing in-flight requests before leaving; no new requests. */
        DRAINING,
        /** Gone from the registry. */
        DEREGISTERED;

        /** Whether an endpoint in this state may be given new requests. */
        public boolean acceptsRequests() {
            return this == READY;
        }
    }

    public LifecycleEvent {
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }
}
