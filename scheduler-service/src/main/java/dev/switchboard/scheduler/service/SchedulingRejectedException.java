package dev.switchboard.scheduler.service;

import dev.switchboard.contract.wire.ApiError;

/** A request the scheduler will not place; carries the status, OpenAI error and Retry-After the client gets. */
public class SchedulingRejectedException extends RuntimeException {
    private final int httpStatus;
    private final ApiError error;
    private final long retryAfterSeconds;

    public SchedulingRejectedException(int httpStatus, ApiError error) {
        this(httpStatus, error, 0);
    }

    /** @param retryAfterSeconds value of {@code Retry-After}, 0 for none */
    public SchedulingRejectedException(int httpStatus, ApiError error, long retryAfterSeconds) {
        super(error.message());
        this.httpStatus = httpStatus;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public ApiError error() {
        return error;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
