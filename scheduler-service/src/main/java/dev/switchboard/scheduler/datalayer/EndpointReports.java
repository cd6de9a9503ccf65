package dev.switchboard.scheduler.datalayer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import dev.switchboard.scheduler.SchedulerProperties;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

/**
 * The latest report and lifecycle state of every endpoint, from the adapters' event streams, plus
 * operator drains. Applied to a discovery snapshot at decision time, with staleness judged against
 * the injected clock: an endpoint whose adapter stream sent nothing (not even a heartbeat) within the
 * staleness bound, or whose stream dropped, is stale (and not chosen) until its adapter is heard
 * again; one whose adapter never connected is judged on the scheduler's own counts.
 */
@Component
public class EndpointReports {
    private final Clock clock;
    private final Duration stalenessBound;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Boolean> operatorDrained = new ConcurrentHashMap<>();
    /** Per endpoint: the descriptor its adapter reported, and the last discovered one filled from it. */
    private final Map<String, Described> described = new ConcurrentHashMap<>();

    private record Described(EngineDescriptor reported, EngineDescriptor discovered, EngineDescriptor filled) {
    }

    private record Entry(LoadReport load, LifecycleEvent.State state, long lastMillis, boolean connected) {
    }

    public EndpointReports(Clock clock, SchedulerProperties properties) {
        this.clock = clock;
        this.stalenessBound = properties.stalenessBound();
    }

    private final List<Runnable> loadListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Runnable> describeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs {@code listener} after every load report (admission re-checks headroom). */
    public void onLoad(Runnable listener) {
        loadListeners.add(listener);
    }

    /** Runs {@code listener} after an adapter describes its engine (facts such as KV capacity may be new). */
    public void onDescribe(Runnable listener) {
        describeListeners.add(listener);
    }

    public void load(LoadReport report) {
        entries.compute(report.endpointId(), (id, old) -> new Entry(report,
                old == null ? LifecycleEvent.State.READY : old.state(), clock.millis(), true));
        loadListeners.forEach(Runnable::run);
    }

    public void lifecycle(LifecycleEvent event) {
        entries.compute(event.endpointId(), (id, old) -> new Entry(old == null ? null : old.load(), event.state(),
                clock.millis(), true));
    }

    /**
     * The descriptor the endpoint's adapter resolved from its engine (its stream's {@code state} event): fills
     * the engine facts discovery lacks (see {@link EngineDescriptor#withFactsFrom}).
     */
    public void describe(EngineDescriptor reported) {
        described.put(reported.endpointId(), new Described(reported, null, null));
        describeListeners.forEach(Runnable::run);
    }

    /** The adapter was heard from (any event, including a heartbeat). */
    public void heard(String endpointId) {
        entries.computeIfPresent(endpointId, (id, old) -> new Entry(old.load(), old.state(), clock.millis(), true));
    }

    /** The adapter's stream dropped: stale until it is heard again. */
    public void disconnected(String endpointId) {
        entries.computeIfPresent(endpointId, (id, old) -> new Entry(old.load(), old.state(), old.lastMillis(), false));
    }

    /** Operator drain from the scheduler's admin API: no new requests until undrained. */
    public void drain(String endpointId, boolean drained) {
        if (drained) {
            operatorDrained.put(endpointId, true);
        } else {
            operatorDrained.remove(endpointId);
        }
    }

    public boolean drained(String endpointId) {
        return operatorDrained.containsKey(endpointId);
    }

    /** {@code snapshot} with reports, lifecycle, drains and staleness applied as of now. */
    public ClusterSnapshot apply(ClusterSnapshot snapshot) {
        long now = clock.millis();
        List<EndpointView> endpoints = new ArrayList<>(snapshot.endpoints().size());
        for (EndpointView e : snapshot.endpoints()) {
            Entry entry = entries.get(e.id());
            LifecycleEvent.State state = entry == null ? LifecycleEvent.State.READY : entry.state();
            if (drained(e.id())) {
                state = LifecycleEvent.State.DRAINING;
            }
            boolean stale = entry != null && (!entry.connected() || now - entry.lastMillis() > stalenessBound.toMillis());
            endpoints.add(filled(e).withReport(entry == null ? null : entry.load(), state, stale));
        }
        return new ClusterSnapshot(snapshot.version(), endpoints);
    }

    /** {@code e} with the facts its adapter reported; the filled descriptor is kept while discovery's is unchanged. */
    private EndpointView filled(EndpointView e) {
        Described d = described.get(e.id());
        if (d == null) {
            return e;
        }
        if (d.discovered() != e.descriptor()) {
            Described current = d;
            d = new Described(d.reported(), e.descriptor(), e.descriptor().withFactsFrom(d.reported()));
            described.replace(e.id(), current, d); // a report that arrived meanwhile wins
        }
        return d.filled() == e.descriptor() ? e : e.withDescriptor(d.filled());
    }

    /** Forget endpoints no longer discovered. */
    public void retain(java.util.Set<String> endpointIds) {
        entries.keySet().retainAll(endpointIds);
        described.keySet().retainAll(endpointIds);
    }
}
