package dev.switchboard.gateway.observe;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The gateway's request metrics (names and tags are listed in docs/metrics.md). Meters recorded on
 * every request are looked up once per tag combination and kept: building and registering a meter
 * per request costs more than the recording itself.
 */
@Component
public class GatewayMetrics {
    private final MeterRegistry meters;
    /** Inter-token timers by model: recorded for every streamed chunk. */
    private final Map<String, Timer> interTokenTimers = new ConcurrentHashMap<>();
    /** Per-request meters by name, tenant and model (tenants come from config; unknown models are not labels). */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** One finished client request (after all retries). */
    public void request(String tenant, String model, int status, boolean stream, long e2eNanos, StreamObserver observer) {
        String statusTag = Integer.toString(status);
        counters.computeIfAbsent("requests|" + tenant + '|' + model + '|' + statusTag + '|' + stream,
                key -> meters.counter("switchboard_gateway_requests", "tenant", tenant, "model", model, "status", statusTag,
                        "stream", Boolean.toString(stream))).increment();
        timer("switchboard_gateway_e2e_seconds", "End-to-end request latency at the gateway", tenant, model)
                .record(e2eNanos, TimeUnit.NANOSECONDS);
        if (observer == null) {
            return;
        }
        if (observer.ttftMillis() >= 0) {
            timer("switchboard_gateway_ttft_seconds", "Time to first token seen at the gateway", tenant, model)
                    .record(Duration.ofMillis(observer.ttftMillis()));
        }
        tokens(tenant, model, "prompt", observer.promptTokens());
        tokens(tenant, model, "completion", observer.completionTokens());
        tokens(tenant, model, "cached", observer.cachedTokens());
    }

    /** One inter-token gap of a stream. */
    public void interToken(String model, long gapNanos) {
        interTokenTimers.computeIfAbsent(model, m -> Timer.builder("switchboard_gateway_itl_seconds")
                .description("Gap between content chunks of a stream").tag("model", m).publishPercentileHistogram()
                .register(meters)).record(gapNanos, TimeUnit.NANOSECONDS);
    }

    public void retry(String reason) {
        meters.counter("switchboard_gateway_retries", "reason", reason).increment();
    }

    public void fallback(String reason) {
        meters.counter("switchboard_gateway_scheduler_fallbacks", "reason", reason).increment();
    }

    public Timer schedulerCalls(String outcome) {
        return timers.computeIfAbsent("scheduler|" + outcome, key -> Timer.builder("switchboard_gateway_scheduler_seconds")
                .description("Latency of scheduling calls").tag("outcome", outcome).publishPercentileHistogram()
                .register(meters));
    }

    private void tokens(String tenant, String model, String kind, int count) {
        if (count > 0) {
            counters.computeIfAbsent("tokens|" + kind + '|' + tenant + '|' + model,
                    key -> meters.counter("switchboard_gateway_tokens", "tenant", tenant, "model", model, "kind", kind))
                    .increment(count);
        }
    }

    private Timer timer(String name, String description, String tenant, String model) {
        return timers.computeIfAbsent(name + '|' + tenant + '|' + model, key -> Timer.builder(name).description(description)
                .tag("tenant", tenant).tag("model", model).publishPercentileHistogram().register(meters));
    }
}
