package dev.switchboard.bench.des;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The replay's clock, in nanoseconds from the workload's start, handed to the scheduler's
 * {@code LeaseRegistry} (lease ages, prefill backlog drain) so it runs on virtual time. Moved only
 * forward, by the event loop. Not thread-safe (the replay is single-threaded).
 */
public final class VirtualClock extends Clock {
    private long nanos;

    /** The current virtual time in nanoseconds. */
    public long nanos() {
        return nanos;
    }

    /** Moves the clock to {@code value}; it never goes back. */
    public void set(long value) {
        if (value < nanos) {
            throw new IllegalArgumentException("virtual time must not go backwards: " + value + " after " + nanos);
        }
        nanos = value;
    }

    @Override
    public long millis() {
        return nanos / 1_000_000;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(nanos / 1_000_000_000, nanos % 1_000_000_000);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the virtual clock is always UTC");
    }
}
