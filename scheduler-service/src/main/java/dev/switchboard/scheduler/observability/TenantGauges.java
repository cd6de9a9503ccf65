package dev.switchboard.scheduler.observability;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.switchboard.scheduler.admission.AdmissionController.TenantQueue;

/**
 * Per-tenant admission gauges (queue depth, oldest wait, fairness counter, quota use), registered the
 * first time a tenant is seen and read from the admission state when Prometheus scrapes. A tenant
 * that disappears from the state reads 0.
 *
 * <p>A scrape reads four gauges per tenant; they all read one snapshot of the admission state, taken
 * by the first of them and kept for {@link #SNAPSHOT_VALIDITY}, so a scrape costs one call of the
 * snapshot supplier (one acquisition of the scheduler's lock) and O(tenants) work, not one per gauge.
 * Values are at most that old.
 */
public final class TenantGauges {
    /** How long one snapshot serves gauge reads: far longer than a scrape, far shorter than its interval. */
    public static final Duration SNAPSHOT_VALIDITY = Duration.ofSeconds(1);

    private final MeterRegistry meters;
    private final Clock clock;
    private final Supplier<List<TenantQueue>> queues;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile Snapshot snapshot;

    /** The admission state by tenant, as of {@code takenAtMillis}. */
    private record Snapshot(long takenAtMillis, Map<String, TenantQueue> byTenant) {
    }

    /**
     * @param clock  decides when a snapshot is too old to serve another read
     * @param queues the admission's per-tenant state (called at scrape time, at most once per snapshot)
     */
    public TenantGauges(MeterRegistry meters, Clock clock, Supplier<List<TenantQueue>> queues) {
        this.meters = meters;
        this.clock = clock;
        this.queues = queues;
    }

    /** Registers the tenant's gauges unless already done (cheap to call on every admission). */
    public void register(String tenant) {
        if (!registered.add(tenant)) {
            return;
        }
        gauge("switchboard_scheduler_tenant_queued", "Requests of the tenant waiting in admission", tenant, TenantQueue::queued);
        gauge("switchboard_scheduler_tenant_oldest_wait_seconds", "Wait so far of the tenant's oldest queued request",
                tenant, q -> q.oldestWaitMillis() / 1000.0);
        gauge("switchboard_scheduler_tenant_virtual_tokens", "The tenant's fair-queueing counter (tokens / weight)",
                tenant, TenantQueue::virtualCounter);
        gauge("switchboard_scheduler_tenant_quota_used_ratio",
                "Share of the tenant's per-minute token quota in use (0 without a quota)", tenant,
                q -> q.quotaPerMinute() <= 0 ? 0 : 1.0 - Math.max(0, q.quotaAvailable()) / (double) q.quotaPerMinute());
    }

    private void gauge(String name, String description, String tenant, ToDoubleFunction<TenantQueue> value) {
        Gauge.builder(name, () -> read(tenant, value)).description(description).tag("tenant", tenant)
                .register(meters);
    }

    private double read(String tenant, ToDoubleFunction<TenantQueue> value) {
        TenantQueue q = current().byTenant().get(tenant);
        return q == null ? 0 : value.applyAsDouble(q);
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (fresh(s)) {
            return s;
        }
        synchronized (this) {
            // concurrent scrapes: only the first of them takes the snapshot
            s = snapshot;
            if (!fresh(s)) {
                List<TenantQueue> state = queues.get();
                Map<String, TenantQueue> byTenant = new HashMap<>(state.size() * 2);
                state.forEach(q -> byTenant.put(q.tenant(), q));
                s = new Snapshot(clock.millis(), Collections.unmodifiableMap(byTenant));
                snapshot = s;
            }
            return s;
        }
    }

    private boolean fresh(Snapshot s) {
        if (s == null) {
            return false;
        }
        long age = clock.millis() - s.takenAtMillis();
        return age >= 0 && age < SNAPSHOT_VALIDITY.toMillis();
    }
}
