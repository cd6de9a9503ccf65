package dev.switchboard.gateway.routing;

import dev.switchboard.contract.wire.ApiError;

/** A client request the gateway refuses before routing; carries the HTTP status and OpenAI error. */
public class InvalidRequestException extends RuntimeException {
    private final int httpStatus;
    private final ApiError error;

    public InvalidRequestException(int httpStatus, ApiError error) {
        super(error.message());
        this.httpStatus = httpStatus;
        this.error = error;
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
