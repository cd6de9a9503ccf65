package dev.switchboard.gateway;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Gateway settings ({@code switchboard.gateway.*}), validated at startup.
 *
 * @param maxBodySize       largest accepted request body; larger gets 413
 * @param promptBlockTokens tokens per prompt block hash (must match the engines' KV block size)
 * @param schedulerTimeout  how long to wait for a scheduling decision
 * @param leaseBatchSize    lease completions sent to the scheduler in one call, at most
 * @param leaseFlushInterval how long a lease completion may wait for its batch to fill
 * @param idleStreamTimeout longest gap in a streamed answer, once it started, before the gateway ends the
 *                          stream with an error event (and abandons the engine request)
 * @param schedulerConnections connections to the scheduler at most, per event loop; each decision in flight holds one
 *                          (HTTP/1.1), including every request waiting in the scheduler's admission queue,
 *                          so this bounds the queue the gateway can feed. Beyond it, calls wait up to
 *                          {@code scheduler-timeout} for a connection.
 */
@ConfigurationProperties(GatewayProperties.PREFIX)
public record GatewayProperties(
        @DefaultValue("8MB") DataSize maxBodySize,
        @DefaultValue("16") int promptBlockTokens,
        @DefaultValue("30s") Duration schedulerTimeout,
        @DefaultValue("64") int leaseBatchSize,
        @DefaultValue("20ms") Duration leaseFlushInterval,
        @DefaultValue("60s") Duration idleStreamTimeout,
        @DefaultValue("4096") int schedulerConnections) {
    public static final String PREFIX = "switchboard.gateway";

    public GatewayProperties {
        if (maxBodySize.toBytes() < 1 || maxBodySize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(PREFIX + ".max-body-size must be in [1B, 2GB), but was " + maxBodySize);
        }
        if (promptBlockTokens < 1) {
            throw new IllegalArgumentException(PREFIX + ".prompt-block-tokens must be >= 1, but was " + promptBlockTokens);
        }
        if (schedulerTimeout.isNegative() || schedulerTimeout.isZero()) {
            throw new IllegalArgumentException(PREFIX + ".scheduler-timeout must be > 0, but was " + schedulerTimeout);
        }
        if (leaseBatchSize < 1) {
            throw new IllegalArgumentException(PREFIX + ".lease-batch-size must be >= 1, but was " + leaseBatchSize);
        }
        if (leaseFlushInterval.isNegative() || leaseFlushInterval.isZero()) {
            throw new IllegalArgumentException(PREFIX + ".lease-flush-interval must be > 0, but was " + leaseFlushInterval);
        }
        if (schedulerConnections < 1) {
            throw new IllegalArgumentException(PREFIX + ".scheduler-connections must be >= 1, but was " + schedulerConnections);
        }
        if (idleStreamTimeout.toMillis() < 1) {
            throw new IllegalArgumentException(PREFIX + ".idle-stream-timeout must be >= 1ms, but was " + idleStreamTimeout);
        }
    }
}
