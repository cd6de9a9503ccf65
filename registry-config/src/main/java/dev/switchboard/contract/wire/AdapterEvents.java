package dev.switchboard.contract.wire;

/**
 * The adapter's event stream: {@code GET} {@link #PATH} on an engine's listener (the address
 * registered in discovery) returns Server-Sent Events. The first event is {@link #STATE}
 * ({@link EndpointState}); then {@link #LOAD} ({@link LoadReport}, about every 100 ms),
 * {@link #KV} ({@link KvEventBatch}) and {@link #LIFECYCLE} ({@link LifecycleEvent}) as they
 * happen, and {@link #HEARTBEAT} (empty data) when nothing else was sent for a while. Each event's
 * {@code data} is one JSON document. Any number of schedulers may subscribe.
 *
 * <p>In a {@code kv} event each {@link KvEvent}'s {@code blockHashes} is one base64 string
 * ({@link BlockHashEncoding}), not a number array: a long prompt stores and evicts thousands of blocks,
 * and the string is half the bytes and needs no per-number parsing. Readers reject a malformed string
 * (the event counts as invalid). The scheduler also reads the number array that adapters before this
 * encoding sent, so upgrade schedulers before adapters.
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
