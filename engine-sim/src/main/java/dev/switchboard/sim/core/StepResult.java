package dev.switchboard.sim.core;

import java.util.List;

/**
 * What one call of {@link EngineCore#step(long)} did.
 *
 * <p>A wall-clock driver sleeps {@code durationNanos} (or until {@code nextWakeNanos} when idle) and
 * then delivers the events; a virtual-time driver advances its clock by the same amount.
 *
 * @param startNanos     the {@code now} the step was called with
 * @param durationNanos  how long the step takes on the GPU; 0 when idle
 * @param decodeTokens   decode sequences in the step (one token each)
 * @param prefillSeqs    prefill chunks in the step
 * @param prefillTokens  tokens of those chunks
 * @param events         request events, in order
 * @param kvEvents       prefix-cache events, in order
 * @param nextWakeNanos  when to call {@code step} next: {@link #endNanos()} after work; when idle, the
 *                       earliest time something becomes runnable (a future arrival, a finished KV
 *                       transfer, a pickup timeout), or {@link #NEVER} if only a new submit can
 */
public record StepResult(long startNanos, long durationNanos, int decodeTokens, int prefillSeqs, int prefillTokens,
                         List<CoreEvent> events, List<KvEvent> kvEvents, long nextWakeNanos) {

    /** No wake-up needed until a new request is submitted. */
    public static final long NEVER = Long.MAX_VALUE;

    /** Validates and copies. */
    public StepResult {
        if (durationNanos < 0) {
            throw new IllegalArgumentException("durationNanos must be >= 0, but was " + durationNanos);
        }
        events = List.copyOf(events);
        kvEvents = List.copyOf(kvEvents);
    }

    /** When the step's tokens are out. */
    public long endNanos() {
        return startNanos + durationNanos;
    }

    /** Tokens computed: decode tokens plus prefill tokens (never above the token budget). */
    public int scheduledTokens() {
        return decodeTokens + prefillTokens;
    }

    /** Sequences in the step (never above the sequence cap). */
    public int scheduledSeqs() {
        return decodeTokens + prefillSeqs;
    }

    /** Whether nothing was computed. */
    public boolean idle() {
        return scheduledSeqs() == 0;
    }
}
