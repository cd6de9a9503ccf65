package dev.switchboard.scheduler.engine;

import java.util.List;
import java.util.Objects;

import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.datalayer.LeaseRegistry;
import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.datalayer.SessionTable;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

/**
 * The scheduler's state machine without any framework: runs a {@link SchedulingCycle} over a
 * snapshot, and on a pick opens the lease, teaches the prefix index what the chosen engines will
 * cache and remembers the session's endpoint. The service wraps it with HTTP, metrics and history;
 * bench's virtual-time replay drives the very same object with a virtual clock.
 *
 * <p>Not thread-safe: callers serialise access (the service holds one lock around each call).
 */
public final class DecisionEngine {
    private final PrefixIndex prefixIndex;
    private final LeaseRegistry leases;
    private final SessionTable sessions;
    private final int blockTokens;

    /** A decision: the cycle's result and, when it picked, the lease opened for it. */
    public record Outcome(CycleResult result, LeaseRegistry.Lease lease) {
    }

    public DecisionEngine(PrefixIndex prefixIndex, LeaseRegistry leases, SessionTable sessions, int blockTokens) {
        this.prefixIndex = Objects.requireNonNull(prefixIndex, "prefixIndex");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        if (blockTokens < 1) {
            throw new IllegalArgumentException("blockTokens must be >= 1, but was " + blockTokens);
        }
        this.blockTokens = blockTokens;
    }

    /**
     * Decides where {@code request} goes.
     *
     * @param reported the cluster with adapter reports applied (outstanding counts are added here)
     */
    public Outcome decide(SchedulingCycle cycle, ScheduleRequest request, ClusterSnapshot reported) {
        long[] hashes = request.blockHashes();
        CycleResult result = cycle.decide(request, leases.overlay(reported), prefixIndex.matchesFor(hashes),
                sessions.lastEndpoint(request.sessionId()), blockTokens);
        if (!(result instanceof CycleResult.Picked picked)) {
            return new Outcome(result, null);
        }
        String decodeId = picked.decode().endpoint().id();
        String prefillId = picked.prefill() == null ? null : picked.prefill().endpoint().id();
        LeaseRegistry.Lease lease = leases.open(request.requestId(), request.tenant(), decodeId, prefillId,
                request.promptTokens(), picked.predictedCachedTokens());
        // both sides end up holding the prompt's KV (decode receives it from prefill)
        prefixIndex.stored(decodeId, hashes);
        if (prefillId != null) {
            prefixIndex.stored(prefillId, hashes);
        }
        sessions.served(request.sessionId(), decodeId);
        return new Outcome(result, lease);
    }

    /** Closes a lease; returns it, or {@code null} if it was unknown (already closed or expired). */
    public LeaseRegistry.Lease complete(String leaseId) {
        return leases.close(leaseId);
    }

    /** Drops leases never completed within the lease timeout. */
    public List<LeaseRegistry.Lease> expireLeases() {
        return leases.expire();
    }

    /** Makes sure the prefix index tracks the endpoints of {@code snapshot} (and only those). */
    public void track(ClusterSnapshot snapshot) {
        prefixIndex.retain(snapshot.endpoints().stream().map(EndpointView::id).collect(java.util.stream.Collectors.toSet()));
        for (EndpointView e : snapshot.endpoints()) {
            prefixIndex.track(e.id(), e.descriptor().kvCapacityTokens() / Math.max(1, e.descriptor().kvBlockSize()));
        }
    }

    /** {@code reported} with outstanding counts and prefill backlogs. */
    public ClusterSnapshot overlay(ClusterSnapshot reported) {
        return leases.overlay(reported);
    }

    public int openLeases() {
        return leases.openLeases();
    }

    public PrefixIndex prefixIndex() {
        return prefixIndex;
    }
}
