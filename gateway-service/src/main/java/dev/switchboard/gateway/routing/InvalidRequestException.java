package dev.switchboard.gateway.routing;

import dev.switchboard.contract.wire.ApiError;

/** A client request the gateway refuses before routing; carries the HTTP status and OpenAI error. */
public class InvalidRequestException extends RuntimeException {
    private final int httpStatus;
    private final ApiError error;
    private final String retryAfter;

    public InvalidRequestException(int httpStatus, ApiError error) {
        this(httpStatus, error, null);
    }

    /** @param retryAfter value of the {@code Retry-After} header to send (429/503), or {@code null} */
    public InvalidRequestException(int httpStatus, ApiError error, String retryAfter) {
        super(error.message());
        this.httpStatus = httpStatus;
        this.error = error;
        this.retryAfter = retryAfter;
    }

    public String retryAfter() {
        return retryAfter;
    }

    public static InvalidRequestException badRequest(String message, String param) {
        return new InvalidRequestException(400, new ApiError(message, ApiError.INVALID_REQUEST, param, null));
    }

    public int httpStatus() {
        return httpStatus;
    }

    public ApiError error() {
        return error;
    }
}
