package dev.switchboard.gateway.lb;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.gateway.observe.StreamObserver;

/**
 * The lease of one attempt. An attempt can end through several paths (load-balancer lifecycle
 * success or failure, client cancel); the tracker makes sure exactly one completion is sent, with
 * the tokens and TTFT observed on the stream. A retried request has one tracker per decision.
 */
public final class LeaseTracker {
    /** Exchange attribute holding the trackers of a request, by lease id. */
    public static final String ATTRIBUTE = LeaseTracker.class.getName();

    private final ScheduleDecision decision;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StreamObserver observer;

    LeaseTracker(ScheduleDecision decision) {
        this.decision = decision;
    }

    /**
     * Ends every attempt of an exchange still open (called once the response has been written in full,
     * or the client went away), so the completion carries the usage the engine sent last.
     */
    @SuppressWarnings("unchecked")
    public static void closeAll(Map<String, Object> exchangeAttributes, LeaseReporter reporter, LocalFallback fallback,
            LeaseCompletion.Outcome outcome, int httpStatus) {
        Object trackers = exchangeAttributes.get(ATTRIBUTE);
        if (trackers instanceof Map<?, ?> map) {
            ((Map<String, LeaseTracker>) map).values().forEach(t -> t.close(reporter, fallback, outcome, httpStatus));
        }
    }

    /** The tracker of {@code decision} in an exchange, created on first use. */
    @SuppressWarnings("unchecked")
    public static LeaseTracker of(Map<String, Object> exchangeAttributes, ScheduleDecision decision) {
        Map<String, LeaseTracker> trackers = (Map<String, LeaseTracker>) exchangeAttributes
                .computeIfAbsent(ATTRIBUTE, key -> new ConcurrentHashMap<String, LeaseTracker>());
        return trackers.computeIfAbsent(decision.leaseId(), id -> new LeaseTracker(decision));
    }

    public ScheduleDecision decision() {
        return decision;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** The observer of this attempt's response, once the response is being relayed. */
    public void observer(StreamObserver value) {
        observer = value;
    }

    /**
     * Ends the attempt once: releases the local in-flight count and, for a scheduler lease, queues
     * the completion. Returns false if it was already closed.
     */
    public boolean close(LeaseReporter reporter, LocalFallback fallback, LeaseCompletion.Outcome outcome, int httpStatus) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        fallback.inFlight(decision.decode().id()).decrementAndGet();
        if (decision.leaseId().startsWith(LocalFallback.LEASE_PREFIX)) {
            return true;
        }
        StreamObserver o = observer;
        reporter.report(new LeaseCompletion(decision.leaseId(), outcome, httpStatus,
                o == null ? -1 : o.promptTokens(), o == null ? -1 : o.cachedTokens(), o == null ? -1 : o.completionTokens(),
                o == null ? -1 : o.ttftMillis(), elapsedNanos() / 1_000_000));
        return true;
    }
}
