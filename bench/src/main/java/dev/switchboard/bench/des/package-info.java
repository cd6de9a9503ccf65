/**
 * The {@code des} mode: discrete-event, virtual-time replay of a workload against engine-sim's
 * {@link dev.switchboard.sim.core.EngineCore}s scheduled by the scheduler's own
 * {@link dev.switchboard.scheduler.engine.DecisionEngine} ({@link dev.switchboard.bench.des.DesSimulation}),
 * with the workload's prompts hashed once as the gateway would ({@link dev.switchboard.bench.des.PreparedWorkload}).
 */
package dev.switchboard.bench.des;
