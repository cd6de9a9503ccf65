package dev.switchboard.scheduler.datalayer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

/**
 * Open leases: one per scheduled request, from decision until the gateway reports completion. Per
 * endpoint it keeps the count of open leases (outstanding requests) and a prefill backlog: a fluid
 * queue of uncached prompt tokens sent there, drained at the engine's prefill rate, which prices
 * queueing in the TTFT cost model between two load reports. Leases never completed (a gateway
 * crashed) expire after the timeout so counts cannot leak. Not thread-safe: the scheduler
 * serialises access.
 */
public final class LeaseRegistry {
    private final Clock clock;
    private final Duration timeout;
    private final double prefillTokensPerMilli;
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    private final Map<String, Integer> outstanding = new HashMap<>();
    private final Map<String, Backlog> backlogs = new HashMap<>();

    /**
     * One open lease.
     *
     * @param leaseId               id given to the gateway
     * @param requestId             the gateway's request id
     * @param tenant                tenant of the request
     * @param endpointId            decode endpoint
     * @param prefillEndpointId     prefill endpoint, or {@code null}
     * @param promptTokens          estimated prompt tokens
     * @param predictedCachedTokens tokens predicted cached where the prefill runs
     * @param openedAtMillis        when the decision was made
     */
    public record Lease(String leaseId, String requestId, String tenant, String endpointId, String prefillEndpointId,
            int promptTokens, int predictedCachedTokens, long openedAtMillis) {
    }

    private static final class Backlog {
        double tokens;
        long atMillis;
    }

    public LeaseRegistry(Clock clock, Duration timeout, double prefillTokensPerSecond) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (!(prefillTokensPerSecond > 0)) {
            throw new IllegalArgumentException("prefillTokensPerSecond must be > 0, but was " + prefillTokensPerSecond);
        }
        this.prefillTokensPerMilli = prefillTokensPerSecond / 1000;
    }

    /** Opens a lease; the uncached part of the prompt joins the prefill endpoint's backlog. */
    public Lease open(String requestId, String tenant, String endpointId, String prefillEndpointId, int promptTokens,
            int predictedCachedTokens) {
        long now = clock.millis();
        Lease lease = new Lease(UUID.randomUUID().toString(), requestId, tenant, endpointId, prefillEndpointId, promptTokens,
                predictedCachedTokens, now);
        leases.put(lease.leaseId(), lease);
        outstanding.merge(endpointId, 1, Integer::sum);
        String prefillSide = prefillEndpointId != null ? prefillEndpointId : endpointId;
        Backlog backlog = backlogs.computeIfAbsent(prefillSide, id -> new Backlog());
        backlog.tokens = drained(backlog, now) + Math.max(0, promptTokens - predictedCachedTokens);
        backlog.atMillis = now;
        return lease;
    }

    /** Closes a lease; returns it, or {@code null} if it was unknown (already closed or expired). */
    public Lease close(String leaseId) {
        Lease lease = leases.remove(leaseId);
        if (lease != null) {
            outstanding.computeIfPresent(lease.endpointId(), (id, n) -> n <= 1 ? null : n - 1);
        }
        return lease;
    }

    /** Drops leases older than the timeout and returns them. */
    public List<Lease> expire() {
        long cutoff = clock.millis() - timeout.toMillis();
        List<Lease> expired = new ArrayList<>();
        for (Lease lease : List.copyOf(leases.values())) {
            if (lease.openedAtMillis() < cutoff && close(lease.leaseId()) != null) {
                expired.add(lease);
            }
        }
        return expired;
    }

    public int outstanding(String endpointId) {
        return outstanding.getOrDefault(endpointId, 0);
    }

    /** Uncached prompt tokens predicted still waiting for prefill on {@code endpointId} now. */
    public long backlogTokens(String endpointId) {
        Backlog backlog = backlogs.get(endpointId);
        return backlog == null ? 0 : (long) Math.ceil(drained(backlog, clock.millis()));
    }

    public int openLeases() {
        return leases.size();
    }

    /** Open leases per tenant (for admission and the admin API). */
    public Map<String, Integer> openByTenant() {
        Map<String, Integer> byTenant = new HashMap<>();
        leases.values().forEach(l -> byTenant.merge(l.tenant(), 1, Integer::sum));
        return byTenant;
    }

    /** The snapshot with each endpoint's outstanding count and prefill backlog. */
    public ClusterSnapshot overlay(ClusterSnapshot snapshot) {
        List<EndpointView> endpoints = new ArrayList<>(snapshot.endpoints().size());
        for (EndpointView e : snapshot.endpoints()) {
            endpoints.add(e.withOutstanding(outstanding(e.id()), backlogTokens(e.id())));
        }
        return new ClusterSnapshot(snapshot.version(), endpoints);
    }

    private double drained(Backlog backlog, long now) {
        return Math.max(0, backlog.tokens - (now - backlog.atMillis) * prefillTokensPerMilli);
    }
}
