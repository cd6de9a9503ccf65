package dev.switchboard.scheduler.observability;

import java.util.List;
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
 */
public final class TenantGauges {
    private final MeterRegistry meters;
    private final Supplier<List<TenantQueue>> queues;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    /** @param queues the admission's per-tenant state (called at scrape time) */
    public TenantGauges(MeterRegistry meters, Supplier<List<TenantQueue>> queues) {
        this.meters = meters;
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
        for (TenantQueue q : queues.get()) {
            if (q.tenant().equals(tenant)) {
                return value.applyAsDouble(q);
            }
        }
        return 0;
    }
}
