package dev.switchboard.scheduler.datalayer;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.scheduler.framework.ClusterSnapshot;

/**
 * Open leases: one per scheduled request, from decision until the gateway reports completion. The
 * per-endpoint count of open leases is the "outstanding requests" load signal. Leases that are never
 * completed (a gateway crashed) expire after the configured timeout so counts cannot leak.
 */
public final class LeaseRegistry {
    private final Clock clock;
    private final Duration timeout;
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    private final Map<String, Integer> outstanding = new ConcurrentHashMap<>();

    /** One open lease. */
    public record Lease(String leaseId, String requestId, String endpointId, long openedAtMillis) {
    }

    public LeaseRegistry(Clock clock, Duration timeout) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Opens a lease on {@code endpointId}. */
    public Lease open(String requestId, String endpointId) {
        Lease lease = new Lease(UUID.randomUUID().toString(), requestId, endpointId, clock.millis());
        leases.put(lease.leaseId(), lease);
        outstanding.merge(endpointId, 1, Integer::sum);
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

    /** Drops leases older than the timeout; returns how many. */
    public int expire() {
        long cutoff = clock.millis() - timeout.toMillis();
        int expired = 0;
        for (Lease lease : leases.values()) {
            if (lease.openedAtMillis() < cutoff && close(lease.leaseId()) != null) {
                expired++;
            }
        }
        return expired;
    }

    public int outstanding(String endpointId) {
        return outstanding.getOrDefault(endpointId, 0);
    }

    public int openLeases() {
        return leases.size();
    }

    /** The snapshot with each endpoint's current outstanding count. */
    public ClusterSnapshot overlay(ClusterSnapshot snapshot) {
        return new ClusterSnapshot(snapshot.version(), snapshot.endpoints().stream()
                .map(e -> e.withOutstanding(outstanding(e.id())))
                .toList());
    }
}
