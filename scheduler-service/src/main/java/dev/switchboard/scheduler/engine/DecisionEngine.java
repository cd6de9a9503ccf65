package dev.switchboard.scheduler.engine;

import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

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
 *
 * <p><b>Learning after answering.</b> Teaching the index a long prompt touches every block of it (3,200 for a
 * 200 KB prompt: most of a decision's time), and the answer does not depend on it. A caller may hand
 * {@link #decide(SchedulingCycle, ScheduleRequest, ClusterSnapshot, Executor)} an executor that runs the lesson
 * once the answer is written. Every decision first applies the lessons still pending, so a decision made after
 * another one was answered always sees what it taught.
 */
public final class DecisionEngine {
    private final PrefixIndex prefixIndex;
    private final LeaseRegistry leases;
    private final SessionTable sessions;
    private final int blockTokens;
    private final Queue<Lesson> lessons = new ConcurrentLinkedQueue<>();
    /** Lessons queued and not yet fully applied (applying holds the queue's lock). */
    private final AtomicInteger pendingLessons = new AtomicInteger();

    /** What a pick teaches the prefix index: the endpoints that will hold the prompt's blocks. */
    private record Lesson(String decodeId, String prefillId, long[] hashes) {
    }

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
     * Decides where {@code request} goes, and teaches the prefix index at once.
     *
     * @param reported the cluster with adapter reports applied (outstanding counts are added here)
     */
    public Outcome decide(SchedulingCycle cycle, ScheduleRequest request, ClusterSnapshot reported) {
        return decide(cycle, request, reported, Runnable::run);
    }

    /**
     * Decides where {@code request} goes; {@code learning} runs the prefix index's lesson (see the class comment).
     *
     * @param reported the cluster with adapter reports applied (outstanding counts are added here)
     * @param learning runs the lesson of a pick, e.g. after the answer is written
     */
    public Outcome decide(SchedulingCycle cycle, ScheduleRequest request, ClusterSnapshot reported, Executor learning) {
        learnPending();
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
        pendingLessons.incrementAndGet();
        lessons.add(new Lesson(decodeId, picked.prefill() == null ? null : picked.prefill().endpoint().id(), hashes));
        learning.execute(this::learnPending);
        sessions.served(request.sessionId(), decodeId);
        return new Outcome(result, lease);
    }

    /** Applies every lesson queued so far, waiting for one another thread is applying. */
    private void learnPending() {
        if (pendingLessons.get() == 0) {
            return;
        }
        synchronized (lessons) {
            Lesson lesson;
            while ((lesson = lessons.poll()) != null) {
                try {
                    prefixIndex.stored(lesson.decodeId(), lesson.hashes());
                    if (lesson.prefillId() != null) {
                        prefixIndex.stored(lesson.prefillId(), lesson.hashes());
                    }
                } finally {
                    pendingLessons.decrementAndGet();
                }
            }
        }
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
