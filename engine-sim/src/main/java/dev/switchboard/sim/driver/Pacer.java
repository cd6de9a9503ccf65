package dev.switchboard.sim.driver;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Maps an engine core's simulated time onto the wall clock. Simulated time starts at 0 when the pacer
 * is created; the core only ever sees simulated nanoseconds, so latency metrics and KV transfer waits are
 * what the modelled GPU would show, whatever the speed.
 *
 * <p>{@link #scaled} runs {@code speed} times faster than real time (a 10 ms step takes 10/speed ms of wall
 * time); {@link #instant} gives steps no wall time at all: simulated time jumps from step to step (for
 * measuring the simulator's own overhead).
 */
public interface Pacer {

    /** Current simulated time. Thread-safe. */
    long now();

    /** Blocks until simulated time reaches {@code simNanos} (instant pacing: moves the clock there). */
    void awaitSim(long simNanos) throws InterruptedException;

    /**
     * Wall nanoseconds from now until simulated time {@code simNanos}; 0 if it has passed, or if the pacer
     * can jump there at once ({@link #instant}).
     */
    long wallNanosUntil(long simNanos);

    /** A pacer running {@code speed} times faster than {@code wallNanos} (normally {@code System::nanoTime}). */
    static Pacer scaled(double speed, LongSupplier wallNanos, Sleeper sleeper) {
        return new Scaled(speed, wallNanos, sleeper);
    }

    /** Real-time pacing at {@code speed} on {@link System#nanoTime()}. */
    static Pacer scaled(double speed) {
        return scaled(speed, System::nanoTime, LockSupport::parkNanos);
    }

    /** Zero-time steps: simulated time only moves when the driver says so. */
    static Pacer instant() {
        return new Instant();
    }

    /** Sleeps about {@code nanos} (may wake early: callers re-check the clock). */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    /** {@link Pacer#scaled}. */
    final class Scaled implements Pacer {
        private final double speed;
        private final LongSupplier wall;
        private final Sleeper sleeper;
        private final long wallBase;

        Scaled(double speed, LongSupplier wall, Sleeper sleeper) {
            if (!(speed > 0) || Double.isInfinite(speed)) {
                throw new IllegalArgumentException("speed must be a finite number > 0, but was " + speed);
            }
            this.speed = speed;
            this.wall = wall;
            this.sleeper = sleeper;
            this.wallBase = wall.getAsLong();
        }

        @Override
        public long now() {
            return (long) ((wall.getAsLong() - wallBase) * speed);
        }

        @Override
        public void awaitSim(long simNanos) throws InterruptedException {
            while (true) {
                long remaining = wallNanosUntil(simNanos);
                if (remaining <= 0) {
                    return;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                sleeper.sleep(remaining);
            }
        }

        @Override
        public long wallNanosUntil(long simNanos) {
            if (simNanos == Long.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
            long target = wallBase + (long) Math.ceil(simNanos / speed);
            return Math.max(0, target - wall.getAsLong());
        }
    }

    /** {@link Pacer#instant}. */
    final class Instant implements Pacer {
        private final AtomicLong virtual = new AtomicLong();

        @Override
        public long now() {
            return virtual.get();
        }

        @Override
        public void awaitSim(long simNanos) {
            if (simNanos != Long.MAX_VALUE) {
                virtual.accumulateAndGet(simNanos, Math::max);
            }
        }

        @Override
        public long wallNanosUntil(long simNanos) {
            return simNanos == Long.MAX_VALUE ? Long.MAX_VALUE : 0;
        }
    }
}
