/**
 * The Switchboard bench: a picocli CLI ({@link dev.switchboard.bench.BenchCli}) over workloads
 * ({@code workload}), load modes ({@code live}, {@code des}, {@code capacity}, {@code overhead}) and
 * reports ({@code report}, {@code chart}).
 */
package dev.switchboard.bench;
