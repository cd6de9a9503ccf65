package dev.switchboard.scheduler.framework;

import java.util.Objects;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.wire.EndpointRef;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;

/**
 * One engine endpoint as the scheduler sees it at the start of a cycle: registry metadata, the
 * adapter's latest report and lifecycle state, and the scheduler's own bookkeeping.
 *
 * @param descriptor           the engine's registry metadata
 * @param host                 adapter host
 * @param port                 adapter port (the engine's listener)
 * @param outstanding          requests scheduled on it whose lease is still open
 * @param load                 the adapter's latest load report, or {@code null} if none arrived yet
 * @param state                lifecycle state reported by the adapter ({@code READY} until told otherwise)
 * @param stale                reports stopped arriving for longer than the staleness bound
 * @param prefillBacklogTokens uncached prompt tokens the scheduler sent that the engine has likely
 *                             not prefilled yet (a fluid queue drained at the engine's prefill rate)
 */
public record EndpointView(
        EngineDescriptor descriptor,
        String host,
        int port,
        int outstanding,
        LoadReport load,
        LifecycleEvent.State state,
        boolean stale,
        long prefillBacklogTokens) {

    public EndpointView {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(state, "state");
        if (outstanding < 0) {
            throw new IllegalArgumentException("outstanding must be >= 0, but was " + outstanding);
        }
        if (prefillBacklogTokens < 0) {
            throw new IllegalArgumentException("prefillBacklogTokens must be >= 0, but was " + prefillBacklogTokens);
        }
    }

    /** A freshly discovered endpoint with no reports yet. */
    public static EndpointView discovered(EngineDescriptor descriptor, String host, int port) {
        return new EndpointView(descriptor, host, port, 0, null, LifecycleEvent.State.READY, false, 0);
    }

    public String id() {
        return descriptor.endpointId();
    }

    public EndpointRef ref() {
        return new EndpointRef(id(), host, port, descriptor().bootstrapPort());
    }

    /** Whether the endpoint may be given new requests: ready, reporting, healthy and not draining. */
    public boolean accepting() {
        return state.acceptsRequests() && !stale && (load == null || (load.healthy() && !load.draining()));
    }

    /** Engine-reported waiting queue, 0 before the first report. */
    public int waiting() {
        return load == null ? 0 : load.waiting();
    }

    /** Engine-reported running batch, 0 before the first report. */
    public int running() {
        return load == null ? 0 : load.running();
    }

    /** Engine-reported KV usage in [0, 1], 0 before the first report. */
    public double kvUsage() {
        return load == null ? 0 : load.kvUsage();
    }

    public EndpointView withOutstanding(int value, long backlogTokens) {
        return new EndpointView(descriptor, host, port, value, load, state, stale, backlogTokens);
    }

    /** This view with {@code newDescriptor} (same endpoint). */
    public EndpointView withDescriptor(EngineDescriptor newDescriptor) {
        return new EndpointView(newDescriptor, host, port, outstanding, load, state, stale, prefillBacklogTokens);
    }

    public EndpointView withReport(LoadReport report, LifecycleEvent.State newState, boolean isStale) {
        return new EndpointView(descriptor, host, port, outstanding, report, newState, isStale, prefillBacklogTokens);
    }
}
