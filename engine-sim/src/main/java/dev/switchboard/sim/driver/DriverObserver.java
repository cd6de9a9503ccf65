package dev.switchboard.sim.driver;

import dev.switchboard.sim.core.CoreEvent;
import dev.switchboard.sim.core.StepResult;

/**
 * Engine-wide observations of a driver (metrics, KV-event publishing), called on the driver thread.
 * Times are the core's simulated nanoseconds.
 */
public interface DriverObserver {

    /** A step ran (or an idle step reported aborts / KV events); called before its request events. */
    default void onStep(StepResult step) {
    }

    /** A request's first token, {@code ttftNanos} after it arrived. */
    default void onFirstToken(String requestId, long ttftNanos) {
    }

    /** A further token, {@code itlNanos} after the request's previous one. */
    default void onToken(String requestId, long itlNanos) {
    }

    /** A request finished. */
    default void onFinished(CoreEvent.Finished finished) {
    }

    /** The prefix cache was reset by an operator (the core also reports {@code AllBlocksCleared}). */
    default void onCacheReset() {
    }

    /** Calls every observer in order. */
    static DriverObserver all(DriverObserver... observers) {
        DriverObserver[] list = observers.clone();
        return new DriverObserver() {
            @Override
            public void onStep(StepResult step) {
                for (DriverObserver o : list) {
                    o.onStep(step);
                }
            }

            @Override
            public void onFirstToken(String requestId, long ttftNanos) {
                for (DriverObserver o : list) {
                    o.onFirstToken(requestId, ttftNanos);
                }
            }

            @Override
            public void onToken(String requestId, long itlNanos) {
                for (DriverObserver o : list) {
                    o.onToken(requestId, itlNanos);
                }
            }

            @Override
            public void onFinished(CoreEvent.Finished finished) {
                for (DriverObserver o : list) {
                    o.onFinished(finished);
                }
            }

            @Override
            public void onCacheReset() {
                for (DriverObserver o : list) {
                    o.onCacheReset();
                }
            }
        };
    }
}
