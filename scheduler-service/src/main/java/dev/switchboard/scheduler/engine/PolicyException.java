package dev.switchboard.scheduler.engine;

/** A scheduling policy that cannot be used; the message says exactly what and where. */
public class PolicyException extends RuntimeException {
    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
