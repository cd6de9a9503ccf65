package dev.switchboard.sim;

/**
 * A request the simulated engine refuses, rendered in vLLM's error envelope
 * {@code {"error": {"message", "type", "param", "code": <http status>}}}.
 */
final class EngineApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;

    EngineApiException(int status, String type, String message, String param) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    static EngineApiException badRequest(String message, String param) {
        return new EngineApiException(400, "BadRequestError", message, param);
    }

    static EngineApiException notFound(String message, String param) {
        return new EngineApiException(404, "NotFoundError", message, param);
    }

    /** 503: the engine is overloaded or failing (fault injection). */
    static EngineApiException unavailable(String message) {
        return new EngineApiException(503, "ServiceUnavailableError", message, null);
    }

    /** 500: the engine failed the request. */
    static EngineApiException internal(String message) {
        return new EngineApiException(500, "InternalServerError", message, null);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }
}
