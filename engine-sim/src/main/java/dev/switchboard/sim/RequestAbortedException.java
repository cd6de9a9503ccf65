package dev.switchboard.sim;

/**
 * A running request was cut off by the engine (crash fault): the HTTP layer lets the connection break
 * instead of answering, as a dying engine would.
 */
final class RequestAbortedException extends RuntimeException {
    RequestAbortedException(String message) {
        super(message, null, false, false);
    }
}
