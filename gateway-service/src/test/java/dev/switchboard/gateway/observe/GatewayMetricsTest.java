package dev.switchboard.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The meters and tags of docs/metrics.md, each one series per tag combination however many requests. */
class GatewayMetricsTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(meters);

    private static StreamObserver streamed(String sse, long nowNanos) {
        StreamObserver observer = new StreamObserver(true, 0, (nanos, gap) -> { });
        observer.onBytes(ByteBuffer.wrap(sse.getBytes(StandardCharsets.UTF_8)), nowNanos);
        return observer;
    }

    private Counter requests(String tenant, String model, String status, String stream) {
        return meters.get("switchboard_gateway_requests").tags("tenant", tenant, "model", model, "status", status, "stream", stream)
                .counter();
    }

    private double tokens(String tenant, String model, String kind) {
        return meters.get("switchboard_gateway_tokens").tags("tenant", tenant, "model", model, "kind", kind).counter().count();
    }

    @Test
    void recordsRequestsLatencyAndTokensPerTenantAndModel() {
        StreamObserver withUsage = streamed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2}}\n\n", 7_000_000);
        for (int i = 0; i < 3; i++) {
            metrics.request("acme", "llama", 200, true, 50_000_000, withUsage);
        }
        metrics.request("acme", "llama", 200, false, 10_000_000, null);
        metrics.request("acme", "llama", 503, true, 10_000_000, null);
        metrics.request("beta", "llama", 200, true, 10_000_000, streamed(": nothing yet\n\n", 1));

        assertThat(requests("acme", "llama", "200", "true").count()).isEqualTo(3);
        assertThat(requests("acme", "llama", "200", "false").count()).isEqualTo(1);
        assertThat(requests("acme", "llama", "503", "true").count()).isEqualTo(1);
        assertThat(requests("beta", "llama", "200", "true").count()).isEqualTo(1);
        assertThat(meters.find("switchboard_gateway_requests").counters()).hasSize(4);

        Timer e2e = meters.get("switchboard_gateway_e2e_seconds").tags("tenant", "acme", "model", "llama").timer();
        assertThat(e2e.count()).isEqualTo(5);
        Timer ttft = meters.get("switchboard_gateway_ttft_seconds").tags("tenant", "acme", "model", "llama").timer();
        assertThat(ttft.count()).isEqualTo(3);
        assertThat(ttft.max(TimeUnit.MILLISECONDS)).isEqualTo(7);
        assertThat(meters.find("switchboard_gateway_ttft_seconds").tag("tenant", "beta").timer())
                .as("no first token, no TTFT series").isNull();

        assertThat(tokens("acme", "llama", "prompt")).isEqualTo(30);
        assertThat(tokens("acme", "llama", "completion")).isEqualTo(6);
        assertThat(meters.find("switchboard_gateway_tokens").tag("kind", "cached").counter())
                .as("a kind appears with its first non-zero count").isNull();
        assertThat(meters.find("switchboard_gateway_tokens").tag("tenant", "beta").counter()).isNull();
    }

    @Test
    void interTokenAndSchedulerTimersKeepTheirTags() {
        metrics.interToken("llama", 2_000_000);
        metrics.interToken("llama", 4_000_000);
        metrics.schedulerCalls("decided").record(1, TimeUnit.MILLISECONDS);
        assertThat(metrics.schedulerCalls("decided")).isSameAs(metrics.schedulerCalls("decided"));
        metrics.retry("connect_failed");
        metrics.fallback("scheduler_unavailable");

        assertThat(meters.get("switchboard_gateway_itl_seconds").tags("model", "llama").timer().count()).isEqualTo(2);
        assertThat(meters.get("switchboard_gateway_scheduler_seconds").tags("outcome", "decided").timer().count()).isEqualTo(1);
        assertThat(meters.get("switchboard_gateway_retries").tags("reason", "connect_failed").counter().count()).isEqualTo(1);
        assertThat(meters.get("switchboard_gateway_scheduler_fallbacks").tags("reason", "scheduler_unavailable").counter()
                .count()).isEqualTo(1);
    }
}
