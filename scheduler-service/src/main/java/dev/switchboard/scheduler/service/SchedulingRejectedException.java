package dev.switchboard.scheduler.service;

import dev.switchboard.contract.wire.ApiError;

/** No endpoint can take a request; carries the status and OpenAI error the client gets. */
public class SchedulingRejectedException extends RuntimeException {
    private final int httpStatus;
    private final ApiError error;

    public SchedulingRejectedException(int httpStatus, ApiError error) {
        super(error.message());
        this.httpStatus = httpStatus;
        this.error = error;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public ApiError error() {
        return error;
    }
}
