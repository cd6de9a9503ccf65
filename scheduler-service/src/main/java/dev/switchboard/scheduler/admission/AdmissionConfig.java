package dev.switchboard.scheduler.admission;

import java.time.Duration;

/**
 * Admission settings.
 *
 * @param saturationWaiting       an endpoint whose engine queue (plus requests sent since its last
 *                                report) reaches this is saturated (default 3, about where vLLM's
 *                                waiting queue starts to add TTFT)
 * @param saturationKvUsage       an endpoint at or above this KV usage is saturated (default 0.95)
 * @param queueTimeout            a queued request gets 429 after waiting this long
 * @param agingInterval           every this much waiting raises a request's effective priority band by one
 * @param defaultOutputTokens     output estimate for requests without max_tokens (quota and fairness)
 * @param defaultMaxQueued        queue bound for tenants not in the tenants config
 */
public record AdmissionConfig(int saturationWaiting, double saturationKvUsage, Duration queueTimeout, Duration agingInterval,
        int defaultOutputTokens, int defaultMaxQueued) {

    public static AdmissionConfig defaults() {
        return new AdmissionConfig(3, 0.95, Duration.ofSeconds(30), Duration.ofSeconds(10), 256, 100);
    }

    public AdmissionConfig {
        if (saturationWaiting < 1) {
            throw new IllegalArgumentException("saturation-waiting must be >= 1, but was " + saturationWaiting);
        }
        if (!(saturationKvUsage > 0 && saturationKvUsage <= 1)) {
            throw new IllegalArgumentException("saturation-kv-usage must be in (0, 1], but was " + saturationKvUsage);
        }
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queue-timeout must be > 0, but was " + queueTimeout);
        }
        if (agingInterval.isNegative() || agingInterval.isZero()) {
            throw new IllegalArgumentException("aging-interval must be > 0, but was " + agingInterval);
        }
        if (defaultOutputTokens < 1 || defaultMaxQueued < 0) {
            throw new IllegalArgumentException("default-output-tokens must be >= 1 and default-max-queued >= 0");
        }
    }
}
