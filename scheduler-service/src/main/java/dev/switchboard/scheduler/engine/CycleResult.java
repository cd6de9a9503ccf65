package dev.switchboard.scheduler.engine;

import java.util.Objects;

import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.scheduler.framework.EndpointView;

/** The outcome of one scheduling cycle: an endpoint, or a rejection the client will see. */
public sealed interface CycleResult {

    /** The request goes to {@code endpoint}. */
    record Picked(EndpointView endpoint, String reason) implements CycleResult {
        public Picked {
            Objects.requireNonNull(endpoint, "endpoint");
        }
    }

    /** No endpoint can take the request; {@code httpStatus} and {@code error} go back to the client. */
    record Rejected(int httpStatus, ApiError error) implements CycleResult {
        public Rejected {
            Objects.requireNonNull(error, "error");
        }
    }
}
