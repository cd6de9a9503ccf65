package dev.switchboard.gateway.observe;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The gateway's request metrics (names and tags are listed in docs/metrics.md). */
@Component
public class GatewayMetrics {
    private final MeterRegistry meters;
    /** Inter-token timers by model: recorded for every streamed chunk, so looked up once per model. */
    private final java.util.Map<String, Timer> interTokenTimers = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per-request meters by name, tenant and model (tenants come from config; unknown models are not labels). */
    private final java.util.Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, io.micrometer.core.instrument.Counter> tokenCounters =
            new java.util.concurrent.ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** One finished client request (after all retries). */
    public void request(String tenant, String model, int status, boolean stream, long e2eNanos, StreamObserver observer) {
        String statusTag = Integer.toString(status);
        meters.counter("switchboard_gateway_requests", "tenant", tenant, "model", model, "status", statusTag,
                "stream", Boolean.toString(stream)).increment();
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
        return Timer.builder("switchboard_gateway_scheduler_seconds").description("Latency of scheduling calls")
                .tag("outcome", outcome).publishPercentileHistogram().register(meters);
    }

    private void tokens(String tenant, String model, String kind, int count) {
        if (count > 0) {
            tokenCounters.computeIfAbsent(kind + '|' + tenant + '|' + model,
                    key -> meters.counter("switchboard_gateway_tokens", "tenant", tenant, "model", model, "kind", kind))
                    .increment(count);
        }
    }

    private Timer timer(String name, String description, String tenant, String model) {
        return timers.computeIfAbsent(name + '|' + tenant + '|' + model, key -> Timer.builder(name).description(description)
                .tag("tenant", tenant).tag("model", model).publishPercentileHistogram().register(meters));
    }
}
