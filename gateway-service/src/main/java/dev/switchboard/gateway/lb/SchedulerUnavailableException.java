package dev.switchboard.gateway.lb;

/** The scheduler could not be asked (unreachable, timed out, or failed without an answer). */
public class SchedulerUnavailableException extends RuntimeException {
    public SchedulerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
