package dev.switchboard.scheduler.datalayer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import dev.switchboard.scheduler.SchedulerProperties;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

/**
 * The latest report and lifecycle state of every endpoint, from the adapters' event streams, plus
 * operator drains. Applied to a discovery snapshot at decision time, with staleness judged against
 * the injected clock: an endpoint that has reported before but not within the staleness bound is
 * marked stale (and not chosen); one that never reported is judged on the scheduler's own counts.
 */
@Component
public class EndpointReports {
    private final Clock clock;
    private final Duration stalenessBound;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Boolean> operatorDrained = new ConcurrentHashMap<>();

    private record Entry(LoadReport load, LifecycleEvent.State state, long lastMillis) {
    }

    public EndpointReports(Clock clock, SchedulerProperties properties) {
        this.clock = clock;
        this.stalenessBound = properties.stalenessBound();
    }

    public void load(LoadReport report) {
        entries.compute(report.endpointId(), (id, old) -> new Entry(report,
                old == null ? LifecycleEvent.State.READY : old.state(), clock.millis()));
    }

    public void lifecycle(LifecycleEvent event) {
        entries.compute(event.endpointId(), (id, old) -> new Entry(old == null ? null : old.load(), event.state(),
                clock.millis()));
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
            boolean stale = entry != null && now - entry.lastMillis() > stalenessBound.toMillis();
            endpoints.add(e.withReport(entry == null ? null : entry.load(), state, stale));
        }
        return new ClusterSnapshot(snapshot.version(), endpoints);
    }

    /** Forget endpoints no longer discovered. */
    public void retain(java.util.Set<String> endpointIds) {
        entries.keySet().retainAll(endpointIds);
    }
}
