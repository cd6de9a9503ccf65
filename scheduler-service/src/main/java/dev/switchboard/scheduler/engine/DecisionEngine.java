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
 * <p>Thread-safe, without serialising decisions: the cycle runs on the caller's thread against an
 * overlay of the lease state, and only opening the lease is atomic. If another decision opened a
 * lease on the same pick in between (the pick was judged on stale counts), the decision is made
 * again while holding the lease registry's lock, on current counts. With one caller at a time
 * nothing changes between overlay and lease, so results are exactly those of a serial scheduler;
 * with concurrent callers a decision may not yet see the prefix blocks of one finishing at the same
 * moment (index and session updates are atomic per endpoint and per session, not per decision).
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
        String sessionEndpoint = sessions.lastEndpoint(request.sessionId());
        LeaseRegistry.Overlay seen = leases.overlayVersioned(reported);
        CycleResult result = cycle.decide(request, seen.snapshot(), prefixIndex.matchesFor(hashes), sessionEndpoint,
                blockTokens);
        LeaseRegistry.Lease lease = result instanceof CycleResult.Picked picked ? open(request, picked, seen.version()) : null;
        if (result instanceof CycleResult.Picked && lease == null) {
            // a concurrent decision took our pick meanwhile: decide again with the leases held (rare, short)
            synchronized (leases) {
                seen = leases.overlayVersioned(reported);
                result = cycle.decide(request, seen.snapshot(), prefixIndex.matchesFor(hashes), sessionEndpoint,
                        blockTokens);
                lease = result instanceof CycleResult.Picked picked ? open(request, picked, Long.MAX_VALUE) : null;
            }
        }
        if (!(result instanceof CycleResult.Picked picked)) {
            return new Outcome(result, null);
        }
        String decodeId = picked.decode().endpoint().id();
        // both sides end up holding the prompt's KV (decode receives it from prefill)
        prefixIndex.stored(decodeId, hashes);
        if (picked.prefill() != null) {
            prefixIndex.stored(picked.prefill().endpoint().id(), hashes);
        }
        sessions.served(request.sessionId(), decodeId);
        return new Outcome(result, lease);
    }

    private LeaseRegistry.Lease open(ScheduleRequest request, CycleResult.Picked picked, long seenVersion) {
        String prefillId = picked.prefill() == null ? null : picked.prefill().endpoint().id();
        return leases.openIfUnchanged(seenVersion, request.requestId(), request.tenant(), picked.decode().endpoint().id(),
                prefillId, request.promptTokens(), picked.predictedCachedTokens());
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
