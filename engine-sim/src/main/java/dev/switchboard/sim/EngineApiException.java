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
