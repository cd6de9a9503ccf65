package dev.switchboard.sim.core;

/**
 * Prices an engine step. Implementations are pure functions of the batch, so the same core runs in
 * wall-clock time (the caller sleeps for the duration) and in virtual time (the caller advances its
 * clock).
 */
public interface StepCostModel {

    /** Duration of a step computing {@code batch}, in nanoseconds; 0 for an empty batch. */
    long stepNanos(StepBatch batch);

    /** KV-cache bytes per token of the served model (sizes P/D transfers). */
    long kvBytesPerToken();
}
