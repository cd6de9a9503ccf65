/**
 * Results shared by every bench mode: per-request results folded into per-run latency summaries
 * ({@link dev.switchboard.bench.report.RunStats}, HdrHistogram), the JSON document
 * ({@code runs}, {@code capacity}) others script against, and the printed summary table.
 */
package dev.switchboard.bench.report;
