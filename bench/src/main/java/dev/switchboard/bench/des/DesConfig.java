package dev.switchboard.bench.des;

import java.time.Duration;
import java.util.Objects;

import dev.switchboard.bench.live.LiveConfig.Slo;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.scheduler.admission.AdmissionConfig;

/**
 * How a virtual-time replay runs, apart from the workload and the policy.
 *
 * @param cluster                the simulated engines
 * @param model                  model every request asks for (one of the cluster's)
 * @param slo                    the objective: per request for goodput (TTFT and mean inter-token latency), and
 *                               as run-level p90 bounds for {@link DesOutcome#sloMet()} (the same type as live's)
 * @param reportInterval         virtual time between two load reports of each engine to the scheduler
 *                               (adapters report about every 100 ms)
 * @param kvEvents               feed the engines' KV events (stored / removed blocks) to the scheduler's
 *                               prefix index, as an adapter relaying them does; without them the index
 *                               learns only from the scheduler's own decisions
 * @param maxModelLen            longest prompt + output an engine accepts (longer requests fail with 400,
 *                               as engine-sim answers); published in the descriptors for the context filter
 * @param prefillTokensPerSecond the scheduler's prefill-rate estimate for lease backlogs
 *                               ({@code switchboard.scheduler.prefill-tokens-per-second})
 * @param leaseTimeout           the scheduler's lease timeout (leases are always completed in the replay)
 * @param admission              the admission stage in front of the cycle
 * @param admissionConfig        its settings (the scheduler's defaults: saturation at 3 waiting or 95 % KV,
 *                               30 s queue timeout)
 * @param tenants                tenants' weights, priorities, quotas and queue bounds (admission {@code fair})
 */
public record DesConfig(ClusterSpec cluster, String model, Slo slo, Duration reportInterval, boolean kvEvents,
        int maxModelLen, double prefillTokensPerSecond, Duration leaseTimeout, Admission admission,
        AdmissionConfig admissionConfig, TenantsConfig tenants) {
    /** Default load-report period. */
    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofMillis(100);
    /** Default context length: Llama 3.1's 128k, so that the long Mooncake prompts (up to 126k tokens) fit. */
    public static final int DEFAULT_MAX_MODEL_LEN = 131_072;
    /** The scheduler's default prefill rate estimate. */
    public static final double DEFAULT_PREFILL_TOKENS_PER_SECOND = 30_000;
    /** Tokens per prompt block hash, as the gateway and the scheduler use (vLLM's block size). */
    public static final int BLOCK_TOKENS = 16;

    public DesConfig {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(slo, "slo");
        Objects.requireNonNull(reportInterval, "reportInterval");
        Objects.requireNonNull(leaseTimeout, "leaseTimeout");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(admissionConfig, "admissionConfig");
        Objects.requireNonNull(tenants, "tenants");
        if (!cluster.models().contains(model)) {
            throw new IllegalArgumentException("model '" + model + "' is served by no engine of cluster '" + cluster.text()
                    + "' (it serves " + String.join(", ", cluster.models()) + ")");
        }
        if (reportInterval.isNegative() || reportInterval.isZero()) {
            throw new IllegalArgumentException("report interval must be > 0, but was " + reportInterval);
        }
        if (maxModelLen < 2) {
            throw new IllegalArgumentException("max model length must be >= 2, but was " + maxModelLen);
        }
        if (!(prefillTokensPerSecond > 0) || Double.isInfinite(prefillTokensPerSecond)) {
            throw new IllegalArgumentException("prefill tokens per second must be a positive number, but was "
                    + prefillTokensPerSecond);
        }
    }

    /**
     * Defaults for {@code cluster}: its first model, the default SLO, 100 ms reports, no KV events, fair
     * admission with the scheduler's defaults and no tenants config (every tenant weighs 1).
     */
    public static DesConfig of(ClusterSpec cluster) {
        return new DesConfig(cluster, cluster.models().get(0), Slo.DEFAULT, DEFAULT_REPORT_INTERVAL, false,
                DEFAULT_MAX_MODEL_LEN, DEFAULT_PREFILL_TOKENS_PER_SECOND, Duration.ofMinutes(10), Admission.FAIR,
                AdmissionConfig.defaults(), TenantsConfig.empty());
    }

    /** This configuration with KV events on or off. */
    public DesConfig withKvEvents(boolean on) {
        return new DesConfig(cluster, model, slo, reportInterval, on, maxModelLen, prefillTokensPerSecond, leaseTimeout,
                admission, admissionConfig, tenants);
    }

    /** This configuration with another SLO. */
    public DesConfig withSlo(Slo value) {
        return new DesConfig(cluster, model, value, reportInterval, kvEvents, maxModelLen, prefillTokensPerSecond, leaseTimeout,
                admission, admissionConfig, tenants);
    }

    /** This configuration with another context length. */
    public DesConfig withMaxModelLen(int value) {
        return new DesConfig(cluster, model, slo, reportInterval, kvEvents, value, prefillTokensPerSecond, leaseTimeout,
                admission, admissionConfig, tenants);
    }

    /** This configuration with other admission settings (headroom budgets, thresholds). */
    public DesConfig withAdmissionConfig(AdmissionConfig value) {
        return new DesConfig(cluster, model, slo, reportInterval, kvEvents, maxModelLen, prefillTokensPerSecond, leaseTimeout,
                admission, value, tenants);
    }

    /** This configuration with another admission stage. */
    public DesConfig withAdmission(Admission value, TenantsConfig tenantsConfig) {
        return new DesConfig(cluster, model, slo, reportInterval, kvEvents, maxModelLen, prefillTokensPerSecond, leaseTimeout,
                value, admissionConfig, tenantsConfig);
    }
}
