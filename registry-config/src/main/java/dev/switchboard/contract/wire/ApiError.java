package dev.switchboard.contract.wire;

import java.util.Objects;

/**
 * The OpenAI error object. Every Switchboard HTTP error body is {@code {"error": ApiError}}
 * ({@link Body}), so OpenAI clients surface the message.
 *
 * @param message human-readable description of what was wrong and how to fix it
 * @param type    OpenAI error type, e.g. {@code invalid_request_error}
 * @param param   the offending request field, or {@code null}
 * @param code    machine-readable code, e.g. {@code model_not_found}, or {@code null}
 */
public record ApiError(String message, String type, String param, String code) {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String AUTHENTICATION = "authentication_error";
    public static final String NOT_FOUND = "not_found_error";
    public static final String RATE_LIMIT = "rate_limit_error";
    public static final String SERVER_ERROR = "server_error";
    public static final String UNAVAILABLE = "service_unavailable_error";

    public ApiError {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(type, "type");
    }

    /** Wraps this error in the OpenAI envelope. */
    public Body body() {
        return new Body(this);
    }

    /** The OpenAI envelope {@code {"error": {...}}}. */
    public record Body(ApiError error) {
        public Body {
            Objects.requireNonNull(error, "error");
        }
    }

    /** The error type OpenAI uses for an HTTP status. */
    public static String typeForStatus(int status) {
        return switch (status) {
            case 401, 403 -> AUTHENTICATION;
            case 404 -> NOT_FOUND;
            case 429 -> RATE_LIMIT;
            case 503 -> UNAVAILABLE;
            default -> status >= 500 ? SERVER_ERROR : INVALID_REQUEST;
        };
    }
}
