package dev.switchboard.scheduler.datalayer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

/**
 * Open leases: one per scheduled request, from decision until the gateway reports completion. Per
 * endpoint it keeps the count of open leases (outstanding requests) and a prefill backlog: a fluid
 * queue of uncached prompt tokens sent there, drained at the engine's prefill rate, which prices
 * queueing in the TTFT cost model between two load reports. Leases never completed (a gateway
 * crashed) expire after the timeout so counts cannot leak.
 *
 * <p>Thread-safe: every method holds this registry's monitor for a few field updates only. The
 * {@link #overlay} of a snapshot reads all counters in one short critical section (no per-endpoint
 * map lookups once the snapshot's endpoint order is known) and builds the views outside it; each
 * overlay carries the {@link Overlay#version() version} of the lease state it saw, and
 * {@link #openIfUnchanged} refuses to open a lease on an endpoint that got a lease since, so two
 * concurrent decisions never both pick the same endpoint believing it idle.
 */
public final class LeaseRegistry {
    private final Clock clock;
    private final Duration timeout;
    private final double prefillTokensPerMilli;
    private final Map<String, Lease> leases = new HashMap<>();
    /** Per endpoint: outstanding count and backlog. Guarded by this. */
    private final Map<String, EndpointLoad> loads = new HashMap<>();
    /** Leases opened so far: the version of the lease state. Guarded by this. */
    private long opened;
    /** The endpoint ids of the last overlaid snapshot and their loads, in its order. Guarded by this. */
    private String[] alignedIds = new String[0];
    private EndpointLoad[] aligned = new EndpointLoad[0];
    private volatile Reuse reuse;

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

    /**
     * A snapshot with outstanding counts and backlogs, and the lease-state version it reflects.
     *
     * @param snapshot the overlaid snapshot
     * @param version  leases opened before it was taken
     */
    public record Overlay(ClusterSnapshot snapshot, long version) {
    }

    /** One endpoint's lease state. */
    private static final class EndpointLoad {
        int outstanding;
        double backlogTokens;
        long backlogAtMillis;
        /** {@link #opened} after the last lease opened with this endpoint on either side. */
        long lastOpened;
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
        return openIfUnchanged(Long.MAX_VALUE, requestId, tenant, endpointId, prefillEndpointId, promptTokens,
                predictedCachedTokens);
    }

    /**
     * Opens a lease like {@link #open}, unless a lease was opened on {@code endpointId} or
     * {@code prefillEndpointId} after the lease state of version {@code seenVersion}: then the caller
     * decided on stale counts and gets {@code null}.
     */
    public Lease openIfUnchanged(long seenVersion, String requestId, String tenant, String endpointId,
            String prefillEndpointId, int promptTokens, int predictedCachedTokens) {
        // the id's randomness comes from a shared source: draw it outside the lock
        String leaseId = UUID.randomUUID().toString();
        String prefillSide = prefillEndpointId != null ? prefillEndpointId : endpointId;
        synchronized (this) {
            EndpointLoad decode = load(endpointId);
            EndpointLoad prefill = load(prefillSide);
            if (decode.lastOpened > seenVersion || prefill.lastOpened > seenVersion) {
                return null;
            }
            long now = clock.millis();
            Lease lease = new Lease(leaseId, requestId, tenant, endpointId, prefillEndpointId, promptTokens,
                    predictedCachedTokens, now);
            leases.put(lease.leaseId(), lease);
            decode.outstanding++;
            prefill.backlogTokens = drained(prefill, now) + Math.max(0, promptTokens - predictedCachedTokens);
            prefill.backlogAtMillis = now;
            opened++;
            decode.lastOpened = opened;
            prefill.lastOpened = opened;
            return lease;
        }
    }

    private EndpointLoad load(String endpointId) {
        return loads.computeIfAbsent(endpointId, id -> new EndpointLoad());
    }

    /** Closes a lease; returns it, or {@code null} if it was unknown (already closed or expired). */
    public synchronized Lease close(String leaseId) {
        Lease lease = leases.remove(leaseId);
        if (lease != null) {
            EndpointLoad load = loads.get(lease.endpointId());
            load.outstanding = Math.max(0, load.outstanding - 1);
        }
        return lease;
    }

    /** Drops leases older than the timeout and returns them. */
    public synchronized List<Lease> expire() {
        long cutoff = clock.millis() - timeout.toMillis();
        List<Lease> expired = new ArrayList<>();
        for (Lease lease : List.copyOf(leases.values())) {
            if (lease.openedAtMillis() < cutoff && close(lease.leaseId()) != null) {
                expired.add(lease);
            }
        }
        return expired;
    }

    public synchronized int openLeases() {
        return leases.size();
    }

    /** The snapshot with each endpoint's outstanding count and prefill backlog. */
    public ClusterSnapshot overlay(ClusterSnapshot snapshot) {
        return overlayVersioned(snapshot).snapshot();
    }

    /** {@link #overlay} with the lease-state version it reflects, for {@link #openIfUnchanged}. */
    public Overlay overlayVersioned(ClusterSnapshot snapshot) {
        List<EndpointView> views = snapshot.endpoints();
        int n = views.size();
        int[] outstanding = new int[n];
        long[] backlog = new long[n];
        long version;
        synchronized (this) {
            EndpointLoad[] byPosition = align(views);
            long now = clock.millis();
            for (int i = 0; i < n; i++) {
                EndpointLoad load = byPosition[i];
                if (load != null) {
                    outstanding[i] = load.outstanding;
                    backlog[i] = backlogTokens(load, now);
                }
            }
            version = opened;
        }
        // views are built outside the lock; one whose base view and counts did not change since the last
        // overlay is reused (backlogs move by the millisecond, decisions take microseconds), and if all are,
        // so is the whole snapshot
        Reuse last = reuse;
        boolean comparable = last != null && last.base.length == n;
        boolean allReused = comparable && last.snapshot.version() == snapshot.version();
        EndpointView[] base = new EndpointView[n];
        EndpointView[] overlaid = new EndpointView[n];
        for (int i = 0; i < n; i++) {
            EndpointView e = views.get(i);
            base[i] = e;
            EndpointView previous = comparable && last.base[i] == e ? last.snapshot.endpoints().get(i) : null;
            if (previous != null && previous.outstanding() == outstanding[i] && previous.prefillBacklogTokens() == backlog[i]) {
                overlaid[i] = previous;
            } else {
                allReused = false;
                overlaid[i] = e.outstanding() == outstanding[i] && e.prefillBacklogTokens() == backlog[i] ? e
                        : e.withOutstanding(outstanding[i], backlog[i]);
            }
        }
        if (allReused) {
            return new Overlay(last.snapshot, version);
        }
        ClusterSnapshot result = new ClusterSnapshot(snapshot.version(), Arrays.asList(overlaid));
        reuse = new Reuse(base, result);
        return new Overlay(result, version);
    }

    /** The last overlay and the base views it was made from; a racy cache (a lost update only costs a copy). */
    private record Reuse(EndpointView[] base, ClusterSnapshot snapshot) {
    }

    /**
     * Each endpoint's load in {@code views}' order: snapshots list the same endpoints in the same order
     * until discovery changes, so the map lookups are redone only when an id differs.
     */
    private EndpointLoad[] align(List<EndpointView> views) {
        int n = views.size();
        boolean same = n == alignedIds.length;
        for (int i = 0; same && i < n; i++) {
            String id = views.get(i).id();
            same = id == alignedIds[i] || id.equals(alignedIds[i]);
        }
        if (!same) {
            alignedIds = new String[n];
            aligned = new EndpointLoad[n];
            for (int i = 0; i < n; i++) {
                alignedIds[i] = views.get(i).id();
                aligned[i] = load(alignedIds[i]);
            }
        }
        return aligned;
    }

    private long backlogTokens(EndpointLoad load, long now) {
        return (long) Math.ceil(drained(load, now));
    }

    private double drained(EndpointLoad load, long now) {
        return Math.max(0, load.backlogTokens - (now - load.backlogAtMillis) * prefillTokensPerMilli);
    }
}
