package dev.switchboard.contract.wire;

import java.util.Objects;

/**
 * One engine's live load as its adapter last observed it (sent about every 100 ms).
 *
 * @param endpointId         the endpoint id from the engine descriptor
 * @param observedAtMillis   epoch millis at which the adapter read the engine
 * @param running            requests in the running batch
 * @param waiting            requests in the engine's waiting queue
 * @param kvUsage            fraction of KV cache blocks in use, in [0, 1]
 * @param prefixHitRate      recent prefix-cache hit rate in tokens, in [0, 1]
 * @param recentTtftMillis   recent mean time to first token, 0 if none
 * @param recentItlMillis    recent mean inter-token latency, 0 if none
 * @param tokensPerSecond    recent generation throughput
 * @param healthy            whether the engine's health check passes
 * @param draining           whether the endpoint is draining (takes no new requests)
 */
public record LoadReport(
        String endpointId,
        long observedAtMillis,
        int running,
        int waiting,
        double kvUsage,
        double prefixHitRate,
        double recentTtftMillis,
        double recentItlMillis,
        double tokensPerSecond,
        boolean healthy,
        boolean draining) {

    public LoadReport {
        Objects.requireNonNull(endpointId, "endpointId");
        if (running < 0 || waiting < 0) {
            throw new IllegalArgumentException("running and waiting must be >= 0, but were " + running + " and " + waiting);
        }
        if (!(kvUsage >= 0 && kvUsage <= 1)) {
            throw new IllegalArgumentException("kvUsage must be in [0, 1], but was " + kvUsage);
        }
        if (!(prefixHitRate >= 0 && prefixHitRate <= 1)) {
            throw new IllegalArgumentException("prefixHitRate must be in [0, 1], but was " + prefixHitRate);
        }
    }
}
