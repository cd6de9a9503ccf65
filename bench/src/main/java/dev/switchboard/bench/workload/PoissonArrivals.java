package dev.switchboard.bench.workload;

import java.util.SplittableRandom;

/**
 * A Poisson arrival process: exponentially distributed gaps with mean {@code 1 / rate}, reproducible
 * per seed. Not thread-safe.
 */
public final class PoissonArrivals {
    private final double ratePerNano;
    private final SplittableRandom random;
    private double nowNanos;

    /**
     * @param ratePerSecond mean arrivals per second, positive
     * @param seed          seed of the gaps
     */
    public PoissonArrivals(double ratePerSecond, long seed) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("arrival rate must be a positive finite number of requests/s, but was "
                    + ratePerSecond);
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.random = new SplittableRandom(Seeds.mix(Seeds.DRAWS, seed));
    }

    /** The next arrival time in nanoseconds from the start (the first is one gap after 0). */
    public long next() {
        // 1 - U is in (0, 1], so the log is finite
        nowNanos += -Math.log(1.0 - random.nextDouble()) / ratePerNano;
        return Math.round(nowNanos);
    }
}
