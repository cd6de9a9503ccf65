package dev.switchboard.gateway.lb;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;

/**
 * The open lease of one exchange. A request can end through several paths (load-balancer lifecycle
 * success or failure, client cancel); the tracker makes sure exactly one completion is sent.
 */
public final class LeaseTracker {
    /** Exchange attribute holding the tracker. */
    public static final String ATTRIBUTE = LeaseTracker.class.getName();

    private final ScheduleDecision decision;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();

    LeaseTracker(ScheduleDecision decision) {
        this.decision = decision;
    }

    /** The tracker of an exchange, created on first use. */
    public static LeaseTracker of(Map<String, Object> exchangeAttributes, ScheduleDecision decision) {
        return (LeaseTracker) exchangeAttributes.computeIfAbsent(ATTRIBUTE, key -> new LeaseTracker(decision));
    }

    public ScheduleDecision decision() {
        return decision;
    }

    /** Sends the completion unless one was already sent. */
    public void close(LeaseReporter reporter, LeaseCompletion.Outcome outcome, int httpStatus) {
        if (closed.compareAndSet(false, true)) {
            long durationMillis = (System.nanoTime() - startNanos) / 1_000_000;
            reporter.report(new LeaseCompletion(decision.leaseId(), outcome, httpStatus, -1, -1, -1, -1, durationMillis));
        }
    }
}
