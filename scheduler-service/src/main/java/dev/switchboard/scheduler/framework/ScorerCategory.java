package dev.switchboard.scheduler.framework;

/** What a scorer optimises, for explanation and for checking that a profile is balanced. */
public enum ScorerCategory {
    /** Prefer endpoints that already hold the request's state (cache, session). */
    AFFINITY,
    /** Prefer less loaded endpoints. */
    BALANCE,
    /** Prefer endpoints predicted to answer fastest. */
    LATENCY
}
