package dev.switchboard.scheduler;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Scheduler settings ({@code switchboard.scheduler.*}), validated at startup.
 *
 * @param discoveryRefresh how often the engine list is re-read from discovery
 * @param leaseTimeout     a lease never completed (gateway crash) is dropped after this long
 */
@ConfigurationProperties(SchedulerProperties.PREFIX)
public record SchedulerProperties(
        @DefaultValue("1s") Duration discoveryRefresh,
        @DefaultValue("10m") Duration leaseTimeout) {
    public static final String PREFIX = "switchboard.scheduler";

    public SchedulerProperties {
        if (discoveryRefresh.isNegative() || discoveryRefresh.isZero()) {
            throw new IllegalArgumentException(PREFIX + ".discovery-refresh must be > 0, but was " + discoveryRefresh);
        }
        if (leaseTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(PREFIX + ".lease-timeout must be >= 1s, but was " + leaseTimeout);
        }
    }
}
