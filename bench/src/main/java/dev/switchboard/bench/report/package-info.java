/**
 * Results shared by every bench mode: per-run latency summaries from HdrHistogram, the JSON document
 * ({@code runs}, {@code capacity}) others script against, and the printed summary table.
 */
package dev.switchboard.bench.report;
