/**
 * The simulated engine's core: a single-threaded, clock-driven model of a continuous-batching
 * inference engine ({@link dev.switchboard.sim.core.EngineCore}) with a paged, prefix-caching KV cache,
 * and a step-time model calibrated on measured H100 operator timings
 * ({@link dev.switchboard.sim.core.CalibratedStepCostModel}, {@link dev.switchboard.sim.core.GpuProfiles}).
 *
 * <p>Framework-free and clock-free: nothing here reads the wall clock, sleeps or starts threads, so the
 * same core runs behind HTTP servers in real time and inside the benchmark in virtual time. Jackson is
 * used only by {@link dev.switchboard.sim.core.GpuProfiles} to read the calibration JSON.
 */
package dev.switchboard.sim.core;
