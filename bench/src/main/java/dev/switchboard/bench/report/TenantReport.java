package dev.switchboard.bench.report;

/**
 * One tenant's share of a run.
 *
 * @param requests          requests sent
 * @param failed            requests that failed
 * @param ttftMs            time to first token
 * @param itlMs             inter-token latency (gaps between content chunks)
 * @param e2eMs             end-to-end latency
 * @param outputTokensPerS  output tokens per second over the run
 */
public record TenantReport(long requests, long failed, LatencySummary ttftMs, LatencySummary itlMs,
        LatencySummary e2eMs, double outputTokensPerS) {
}
