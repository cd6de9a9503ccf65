package dev.switchboard.contract.wire;

/**
 * The adapter's event stream: {@code GET} {@link #PATH} on an engine's listener (the address
 * registered in discovery) returns Server-Sent Events. The first event is {@link #STATE}
 * ({@link EndpointState}); then {@link #LOAD} ({@link LoadReport}, about every 100 ms),
 * {@link #KV} ({@link KvEventBatch}) and {@link #LIFECYCLE} ({@link LifecycleEvent}) as they
 * happen, and {@link #HEARTBEAT} (empty data) when nothing else was sent for a while. Each event's
 * {@code data} is one JSON document. Any number of schedulers may subscribe.
 */
public final class AdapterEvents {
    public static final String PATH = "/switchboard/v1/events";
    public static final String STATE = "state";
    public static final String LOAD = "load";
    public static final String KV = "kv";
    public static final String LIFECYCLE = "lifecycle";
    public static final String HEARTBEAT = "heartbeat";

    private AdapterEvents() {
    }
}
