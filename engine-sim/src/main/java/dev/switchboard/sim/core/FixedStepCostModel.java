package dev.switchboard.sim.core;

/**
 * Every non-empty step lasts the same time, whatever its batch: the legacy fixed-delay mode
 * ({@code token-delay}). Time to first token and inter-token latency both come out near that delay;
 * batching limits, the KV cache and preemption still work as in the calibrated model.
 */
public final class FixedStepCostModel implements StepCostModel {
    private final long stepNanos;
    private final long kvBytesPerToken;

    /**
     * @param stepNanos       duration of every non-empty step, &gt;= 0 (0 is priced as 1 ns: a step always ends
     *                        after it starts)
     * @param kvBytesPerToken KV bytes per token of the served model (P/D transfer sizes)
     */
    public FixedStepCostModel(long stepNanos, long kvBytesPerToken) {
        if (stepNanos < 0) {
            throw new IllegalArgumentException("stepNanos must be >= 0, but was " + stepNanos);
        }
        if (kvBytesPerToken < 1) {
            throw new IllegalArgumentException("kvBytesPerToken must be >= 1, but was " + kvBytesPerToken);
        }
        this.stepNanos = stepNanos;
        this.kvBytesPerToken = kvBytesPerToken;
    }

    @Override
    public long stepNanos(StepBatch batch) {
        return batch.isEmpty() ? 0 : Math.max(1, stepNanos);
    }

    @Override
    public long kvBytesPerToken() {
        return kvBytesPerToken;
    }

    @Override
    public String toString() {
        return "FixedStepCostModel[" + stepNanos + " ns per step]";
    }
}
