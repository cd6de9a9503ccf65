package dev.switchboard.scheduler.admission;

import java.util.Objects;

import dev.switchboard.contract.wire.ApiError;

/** What admission says to a new request. */
public sealed interface Verdict {

    /** Go: schedule it now. */
    record Admit() implements Verdict {
    }

    /** Wait: every endpoint that could serve it is saturated; it is in the queue. */
    record Queued(QueuedRequest ticket) implements Verdict {
        public Queued {
            Objects.requireNonNull(ticket, "ticket");
        }
    }

    /**
     * No: over quota or over the tenant's queue bound.
     *
     * @param retryAfterSeconds when to try again ({@code Retry-After})
     */
    record Rejected(int httpStatus, ApiError error, long retryAfterSeconds) implements Verdict {
        public Rejected {
            Objects.requireNonNull(error, "error");
        }
    }
}
