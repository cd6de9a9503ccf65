package dev.switchboard.scheduler;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Scheduler settings ({@code switchboard.scheduler.*}), validated at startup.
 *
 * @param discoveryRefresh       how often the engine list is re-read from discovery
 * @param leaseTimeout           a lease never completed (gateway crash) is dropped after this long
 * @param stalenessBound         an endpoint whose adapter stream is silent for longer (no report, no heartbeat) is not chosen
 * @param blockTokens            tokens per prompt block hash (must match the gateway's)
 * @param prefillTokensPerSecond engine prefill rate used for the prefill backlog estimate
 * @param policyPreset           built-in policy loaded at startup when no policy file is given
 * @param policyFile             YAML policy file, hot-reloaded when it changes (empty: none)
 * @param policyFileCheck        how often the policy file is checked for changes
 * @param adminToken             bearer token for {@code /admin/**} (empty: admin API closed unless admin-open)
 * @param adminOpen              serve {@code /admin/**} without a token (local runs only)
 * @param decisionHistory        recent decisions kept for {@code GET /admin/decisions}
 * @param sessionCapacity        sessions remembered for session affinity
 * @param tenantsFile            tenants YAML file, watched (empty: none; Nacos can provide them too)
 * @param saturationWaiting      admission: engine queue length at which an endpoint is saturated
 * @param saturationKvUsage      admission: KV usage at which an endpoint is saturated
 * @param headroomPrefillTokens  admission: pending prefill tokens (sent, likely not prefilled yet) at which an
 *                               endpoint has no headroom; 0: no bound
 * @param headroomRunning        admission: open leases at which an endpoint has no headroom; 0: no bound
 * @param queueTimeout           admission: a request waiting longer gets 429
 * @param agingInterval          admission: waiting this long raises a request's priority band by one
 * @param defaultOutputTokens    admission: output estimate for requests without max_tokens
 */
@ConfigurationProperties(SchedulerProperties.PREFIX)
public record SchedulerProperties(
        @DefaultValue("1s") Duration discoveryRefresh,
        @DefaultValue("10m") Duration leaseTimeout,
        @DefaultValue("10s") Duration stalenessBound,
        @DefaultValue("16") int blockTokens,
        @DefaultValue("30000") double prefillTokensPerSecond,
        @DefaultValue("switchboard-default") String policyPreset,
        @DefaultValue("") String policyFile,
        @DefaultValue("2s") Duration policyFileCheck,
        @DefaultValue("") String adminToken,
        @DefaultValue("false") boolean adminOpen,
        @DefaultValue("256") int decisionHistory,
        @DefaultValue("100000") int sessionCapacity,
        @DefaultValue("") String tenantsFile,
        @DefaultValue("3") int saturationWaiting,
        @DefaultValue("0.95") double saturationKvUsage,
        @DefaultValue("8192") long headroomPrefillTokens,
        @DefaultValue("0") int headroomRunning,
        @DefaultValue("30s") Duration queueTimeout,
        @DefaultValue("10s") Duration agingInterval,
        @DefaultValue("256") int defaultOutputTokens) {
    public static final String PREFIX = "switchboard.scheduler";

    public SchedulerProperties {
        positive("discovery-refresh", discoveryRefresh);
        positive("staleness-bound", stalenessBound);
        positive("policy-file-check", policyFileCheck);
        if (leaseTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(PREFIX + ".lease-timeout must be >= 1s, but was " + leaseTimeout);
        }
        if (blockTokens < 1) {
            throw new IllegalArgumentException(PREFIX + ".block-tokens must be >= 1, but was " + blockTokens);
        }
        if (!(prefillTokensPerSecond > 0)) {
            throw new IllegalArgumentException(PREFIX + ".prefill-tokens-per-second must be > 0, but was " + prefillTokensPerSecond);
        }
        if (decisionHistory < 0 || sessionCapacity < 0) {
            throw new IllegalArgumentException(PREFIX + ".decision-history and session-capacity must be >= 0");
        }
        try {
            // the parameters, not admission(): fields are assigned only after this compact constructor
            new dev.switchboard.scheduler.admission.AdmissionConfig(saturationWaiting, saturationKvUsage, headroomPrefillTokens,
                    headroomRunning, queueTimeout, agingInterval, defaultOutputTokens, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + "." + e.getMessage(), e);
        }
    }

    /** The admission settings (validated there). */
    public dev.switchboard.scheduler.admission.AdmissionConfig admission() {
        return new dev.switchboard.scheduler.admission.AdmissionConfig(saturationWaiting, saturationKvUsage,
                headroomPrefillTokens, headroomRunning, queueTimeout, agingInterval, defaultOutputTokens,
                dev.switchboard.contract.tenants.TenantsConfig.DEFAULT_MAX_QUEUED);
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(PREFIX + "." + name + " must be > 0, but was " + value);
        }
    }
}
