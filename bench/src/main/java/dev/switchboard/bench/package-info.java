/**
 * The Switchboard bench: a picocli CLI ({@link dev.switchboard.bench.BenchCli}) over workloads
 * ({@code workload}), load modes ({@code live}) and reports ({@code report}).
 */
package dev.switchboard.bench;
