package dev.switchboard.scheduler.admission;

import java.time.Duration;

/**
 * Admission settings.
 *
 * @param saturationWaiting       an endpoint whose engine queue reaches this is saturated (default 3,
 *                                about where vLLM's waiting queue starts to add TTFT)
 * @param saturationKvUsage       an endpoint at or above this KV usage is saturated (default 0.95)
 * @param headroomPrefillTokens   an endpoint whose pending prefill (uncached prompt tokens the scheduler
 *                                sent that the engine has likely not prefilled yet) reaches this has no
 *                                headroom; 0 turns the bound off (default 8192, one vLLM step's token
 *                                budget with chunked prefill)
 * @param headroomRunning         an endpoint with this many requests in flight (the scheduler's open
 *                                leases on it) has no headroom; 0 turns the bound off (default 0: the
 *                                engine's own {@code max_num_seqs} bounds the batch)
 * @param queueTimeout            a queued request gets 429 after waiting this long
 * @param agingInterval           every this much waiting raises a request's effective priority band by one
 * @param defaultOutputTokens     output estimate for requests without max_tokens (quota and fairness)
 * @param defaultMaxQueued        queue bound for tenants not in the tenants config
 */
public record AdmissionConfig(int saturationWaiting, double saturationKvUsage, long headroomPrefillTokens,
        int headroomRunning, Duration queueTimeout, Duration agingInterval, int defaultOutputTokens, int defaultMaxQueued) {

    /** Default {@link #headroomPrefillTokens}: one step of vLLM's default chunked-prefill token budget. */
    public static final long DEFAULT_HEADROOM_PREFILL_TOKENS = 8192;

    public static AdmissionConfig defaults() {
        return new AdmissionConfig(3, 0.95, DEFAULT_HEADROOM_PREFILL_TOKENS, 0, Duration.ofSeconds(30),
                Duration.ofSeconds(10), 256, 100);
    }

    public AdmissionConfig {
        if (saturationWaiting < 1) {
            throw new IllegalArgumentException("saturation-waiting must be >= 1, but was " + saturationWaiting);
        }
        if (!(saturationKvUsage > 0 && saturationKvUsage <= 1)) {
            throw new IllegalArgumentException("saturation-kv-usage must be in (0, 1], but was " + saturationKvUsage);
        }
        if (headroomPrefillTokens < 0) {
            throw new IllegalArgumentException("headroom-prefill-tokens must be >= 0 (0: no bound), but was "
                    + headroomPrefillTokens);
        }
        if (headroomRunning < 0) {
            throw new IllegalArgumentException("headroom-running must be >= 0 (0: no bound), but was " + headroomRunning);
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

    /** These settings with other headroom bounds (0 turns a bound off). */
    public AdmissionConfig withHeadroom(long prefillTokens, int running) {
        return new AdmissionConfig(saturationWaiting, saturationKvUsage, prefillTokens, running, queueTimeout, agingInterval,
                defaultOutputTokens, defaultMaxQueued);
    }
}
