package dev.switchboard.bench.live;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a live run sends its requests.
 *
 * @param chatUrl        the {@code /v1/chat/completions} URL
 * @param model          model name sent in every request
 * @param apiKey         bearer key for tenants without their own, or {@code null} for none
 * @param tenantKeys     bearer key per tenant (overrides {@code apiKey})
 * @param speed          arrival times are divided by it, and measured durations multiplied by it, so
 *                       a run against an engine simulator running {@code speed} times faster reports
 *                       trace-time numbers
 * @param maxInFlight    most requests outstanding at once; when reached, sending waits (and the wait
 *                       shows as send lag)
 * @param requestTimeout longest a request may take from send to end of stream
 * @param maxWall        stop sending new requests after this much wall time, or {@code null}
 * @param ignoreEos      add {@code "ignore_eos": true} (vLLM/SGLang) so that engines generate exactly
 *                       {@code max_tokens}
 * @param slo            per-request latency objective for goodput
 */
public record LiveConfig(URI chatUrl, String model, String apiKey, Map<String, String> tenantKeys, double speed,
        int maxInFlight, Duration requestTimeout, Duration maxWall, boolean ignoreEos, Slo slo) {
    public LiveConfig {
        Objects.requireNonNull(chatUrl, "chatUrl");
        Objects.requireNonNull(model, "model");
        tenantKeys = Map.copyOf(tenantKeys);
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a positive finite number, but was " + speed);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in-flight must be >= 1, but was " + maxInFlight);
        }
        if (requestTimeout.isZero() || requestTimeout.isNegative()) {
            throw new IllegalArgumentException("request timeout must be > 0, but was " + requestTimeout);
        }
        if (maxWall != null && (maxWall.isZero() || maxWall.isNegative())) {
            throw new IllegalArgumentException("duration must be > 0, but was " + maxWall);
        }
        Objects.requireNonNull(slo, "slo");
    }

    /** The bearer key for {@code tenant}, or {@code null}. */
    public String keyOf(String tenant) {
        return tenantKeys.getOrDefault(tenant, apiKey);
    }

    /**
     * A per-request service level objective: a request is "good" when its TTFT and its mean
     * inter-token latency are both within bounds (as in DistServe's goodput).
     *
     * @param ttft most time to first token
     * @param itl  most mean inter-token latency
     */
    public record Slo(Duration ttft, Duration itl) {
        /** TTFT <= 2 s and inter-token <= 50 ms, the bench's default objective. */
        public static final Slo DEFAULT = new Slo(Duration.ofSeconds(2), Duration.ofMillis(50));

        public Slo {
            if (ttft.isNegative() || ttft.isZero() || itl.isNegative() || itl.isZero()) {
                throw new IllegalArgumentException("SLO bounds must be > 0, but were ttft " + ttft + ", itl " + itl);
            }
        }
    }
}
