package dev.switchboard.contract.wire;

/** The scheduler's HTTP paths that gateways call, defined once for both sides. */
public final class SchedulerPaths {
    /** {@code POST} a {@link ScheduleRequest}, answered with a {@link ScheduleDecision} ({@code ?explain=true} adds scores). */
    public static final String SCHEDULE = "/v1/schedule";
    /** {@code POST} a JSON list of {@link LeaseCompletion}s, answered with 202. */
    public static final String COMPLETE_LEASES = "/v1/leases/complete";
    /** {@code GET} the models healthy engines serve, in the OpenAI list shape. */
    public static final String MODELS = "/v1/models";

    private SchedulerPaths() {
    }
}
