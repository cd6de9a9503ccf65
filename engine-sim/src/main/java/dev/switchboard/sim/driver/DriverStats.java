package dev.switchboard.sim.driver;

/**
 * How well a driver keeps pace with its simulated GPU. Consecutive busy steps chain in simulated time, so
 * when this thread cannot deliver a step's tokens within the next step's modelled duration, the modelled clock
 * falls behind the wall-derived one: that gap is the lag. A lag that stays near zero (well under one step)
 * means the simulator is not the bottleneck; a growing lag means it is.
 *
 * @param steps        non-idle steps run
 * @param busySimNanos simulated time of those steps
 * @param lagNanos     the lag when the latest busy step started (simulated nanoseconds; wall nanoseconds at speed 1)
 * @param maxLagNanos  the largest lag seen
 * @param liveRequests requests the driver is delivering
 */
public record DriverStats(long steps, long busySimNanos, long lagNanos, long maxLagNanos, int liveRequests) {
}
