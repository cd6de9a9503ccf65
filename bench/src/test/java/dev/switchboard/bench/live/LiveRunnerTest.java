package dev.switchboard.bench.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.workload.Prompt;
import dev.switchboard.bench.workload.SyntheticText;
import dev.switchboard.bench.workload.TextSegment;
import dev.switchboard.bench.workload.TraceRequest;
import dev.switchboard.bench.workload.Workload;
import dev.switchboard.contract.prompt.Tokenizer;

@Timeout(30)
class LiveRunnerTest {

    private static Workload workload(long gapMs, int n, int outputTokens, String... tenants) {
        List<TraceRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String tenant = tenants.length == 0 ? null : tenants[i % tenants.length];
            requests.add(TraceRequest.of(i * gapMs * 1_000_000L, tenant, Prompt.user(List.of(new TextSegment(i, 10))),
                    outputTokens, i % 2 == 0 ? "session-" + i : null));
        }
        return new Workload("test", requests);
    }

    private static LiveConfig config(URI url, double speed, Map<String, String> keys) {
        return new LiveConfig(url, "fake-model", "default-key", keys, speed, 64, Duration.ofSeconds(10), null, true,
                LiveConfig.Slo.DEFAULT);
    }

    private static long millisSince(long startNanos, FakeOpenAiServer.Received received) {
        return (received.nanos() - startNanos) / 1_000_000;
    }

    private static RunReport run(LiveConfig config, Workload w) throws InterruptedException {
        try (LiveRunner runner = new LiveRunner(config, new SyntheticText())) {
            return runner.run(w, 1.0, LiveRunner.Listener.NONE).report();
        }
    }

    @Test
    void measuresTtftInterTokenLatencyAndUsageTokensFromTheStream() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(150, 30, 5, 7))) {
            RunReport report = run(config(server.chatUrl(), 1, Map.of()), workload(50, 4, 12));

            assertThat(report.requests()).isEqualTo(4);
            assertThat(report.failed()).isZero();
            assertThat(report.errors()).isEmpty();
            // TTFT: the server waits 150 ms after the empty role chunk; the role chunk does not count
            assertThat(report.ttftMs().p50()).isBetween(150.0, 400.0);
            assertThat(report.ttftMs().count()).isEqualTo(4);
            // 5 content chunks -> 4 gaps of ~30 ms per request
            assertThat(report.itlMs().count()).isEqualTo(16);
            assertThat(report.itlMs().p50()).isBetween(28.0, 90.0);
            // end to end >= first delay + 4 gaps
            assertThat(report.e2eMs().p50()).isGreaterThanOrEqualTo(270.0);
            // output tokens come from usage (7), not from the chunk count (5)
            assertThat(report.outputTokens()).isEqualTo(28);
            assertThat(report.prefixHitActual()).isCloseTo(0.25, within(1e-9));
            assertThat(report.outputTokensPerS()).isPositive();
            // goodput counts requests within the SLO: at most all of them (a loaded machine may stretch a gap past it)
            assertThat(report.goodputRps()).isPositive().isLessThanOrEqualTo(report.requestsPerS() + 1e-9);
        }
    }

    @Test
    void sendsOpenLoopStreamingRequestsWithTraceMaxTokensAndTenantKeys() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(300, 0, 1, 1))) {
            Workload w = workload(20, 5, 33, "alpha", "beta");
            long startNanos = System.nanoTime();
            RunReport report = run(config(server.chatUrl(), 1, Map.of("alpha", "key-a")), w);

            assertThat(report.failed()).isZero();
            // each answer takes >= 300 ms while requests are 20 ms apart: all 5 were open at once
            assertThat(server.maxInFlight()).isEqualTo(5);
            List<FakeOpenAiServer.Received> received = server.received();
            assertThat(received).hasSize(5);
            // paced, not sent at once: the fifth is due 80 ms into the run and never goes early. (Measured from
            // the run's start, not from the first arrival, which a cold HTTP client may delay while the
            // open-loop sender catches up.)
            assertThat(millisSince(startNanos, received.get(4))).isBetween(80L, 1_000L);
            for (FakeOpenAiServer.Received r : received) {
                assertThat(r.body().path("max_tokens").asInt()).isEqualTo(33);
                assertThat(r.body().path("stream").asBoolean()).isTrue();
                assertThat(r.body().path("stream_options").path("include_usage").asBoolean()).isTrue();
                assertThat(r.body().path("ignore_eos").asBoolean()).isTrue();
                assertThat(r.body().path("model").asString()).isEqualTo("fake-model");
                String content = r.body().path("messages").path(0).path("content").asString();
                assertThat(Tokenizer.countTokens(content)).isEqualTo(10);
            }
            assertThat(received).extracting(FakeOpenAiServer.Received::authorization)
                    .containsOnly("Bearer key-a", "Bearer default-key");
            assertThat(received.stream().filter(r -> r.body().has("user")).count()).isEqualTo(3);
            assertThat(report.perTenant()).containsOnlyKeys("alpha", "beta");
            assertThat(report.perTenant().get("alpha").requests()).isEqualTo(3);
        }
    }

    @Test
    void speedCompressesArrivalsAndReportsTraceTime() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(50, 0, 1, 1))) {
            // arrivals 0..400 ms of trace time, sent 4x faster
            long startNanos = System.nanoTime();
            RunReport report = run(config(server.chatUrl(), 4, Map.of()), workload(100, 5, 1));

            List<FakeOpenAiServer.Received> received = server.received();
            // 100 ms apart in the trace, 25 ms apart on the wall clock: the fifth is due 100 ms into the run and
            // never goes early. A starved machine delays sends, but only compression brings the five arrivals
            // within the uncompressed 400 ms of each other
            assertThat(millisSince(startNanos, received.get(4))).isGreaterThanOrEqualTo(100L);
            assertThat((received.get(4).nanos() - received.get(0).nanos()) / 1_000_000).isLessThan(400L);
            // a 50 ms wall TTFT is 200 ms of trace time
            assertThat(report.ttftMs().p50()).isBetween(200.0, 800.0);
            assertThat(report.speed()).isEqualTo(4.0);
        }
    }

    @Test
    void countsErrorsByHttpStatusAndStreamFailure() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> switch (r.body().path("max_tokens").asInt()) {
            case 1 -> FakeOpenAiServer.Script.status(429);
            case 2 -> FakeOpenAiServer.Script.status(503);
            case 3 -> new FakeOpenAiServer.Script(200, 0, 0, 2, 2, true, true);
            case 4 -> new FakeOpenAiServer.Script(200, 0, 0, 2, 2, false, false);
            case 5 -> FakeOpenAiServer.Script.ok(0, 0, 3, -1);
            case 7 -> FakeOpenAiServer.Script.notStreamed();
            default -> FakeOpenAiServer.Script.ok(0, 0, 2, 2);
        })) {
            List<TraceRequest> requests = new ArrayList<>();
            int[] outputs = {1, 1, 2, 3, 4, 5, 6, 7};
            for (int i = 0; i < outputs.length; i++) {
                requests.add(TraceRequest.of(i * 5_000_000L, "t", Prompt.user(List.of(new TextSegment(i, 4))), outputs[i], null));
            }
            LiveRunner.Result result;
            try (LiveRunner runner = new LiveRunner(config(server.chatUrl(), 1, Map.of()), new SyntheticText())) {
                result = runner.run(new Workload("errors", requests), 1.0, LiveRunner.Listener.NONE);
            }
            RunReport report = result.report();

            assertThat(report.requests()).isEqualTo(8);
            assertThat(report.failed()).isEqualTo(6);
            assertThat(report.errors()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("429", 2L, "503", 1L, "stream_error", 1L, "incomplete_stream", 1L, "not_sse", 1L));
            assertThat(result.errorSamples().get("429")).contains("scripted 429");
            assertThat(result.errorSamples().get("not_sse")).contains("application/json");
            // the request without usage counts its 3 content chunks; the last one reports 2
            assertThat(report.outputTokens()).isEqualTo(5);
            assertThat(result.usageMissing()).isEqualTo(1);
            assertThat(report.perTenant().get("t").failed()).isEqualTo(6);
        }
    }

    @Test
    void connectionRefusedIsCountedNotThrown() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RunReport report = run(config(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"), 1, Map.of()),
                workload(0, 2, 1));
        assertThat(report.failed()).isEqualTo(2);
        assertThat(report.errors()).containsOnlyKeys("connect");
    }

    @Test
    void durationStopsSendingButLetsInFlightRequestsFinish() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(200, 0, 1, 1))) {
            LiveConfig config = new LiveConfig(server.chatUrl(), "fake-model", null, Map.of(), 1, 8, Duration.ofSeconds(10),
                    Duration.ofMillis(120), false, LiveConfig.Slo.DEFAULT);
            // arrivals at 0, 50, 100, 150, 200 ms: the last two are past the 120 ms duration
            RunReport report = run(config, workload(50, 5, 1));
            assertThat(report.requests()).isEqualTo(3);
            assertThat(report.notSent()).isEqualTo(2);
            assertThat(report.failed()).isZero();
            assertThat(server.received().get(0).authorization()).isNull();
            assertThat(server.received().get(0).body().has("ignore_eos")).isFalse();
        }
    }

    @Test
    void requestTimeoutCancelsSlowStreams() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(2_000, 0, 1, 1))) {
            LiveConfig config = new LiveConfig(server.chatUrl(), "fake-model", null, Map.of(), 1, 8, Duration.ofMillis(300),
                    null, false, LiveConfig.Slo.DEFAULT);
            long start = System.nanoTime();
            RunReport report = run(config, workload(0, 2, 1));
            assertThat(report.errors()).containsExactlyEntriesOf(Map.of("timeout", 2L));
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_800);
        }
    }

    @Test
    void maxInFlightMakesSendingWaitAndShowsAsSendLag() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(150, 0, 1, 1))) {
            LiveConfig config = new LiveConfig(server.chatUrl(), "fake-model", null, Map.of(), 1, 1, Duration.ofSeconds(10),
                    null, false, LiveConfig.Slo.DEFAULT);
            RunReport report = run(config, workload(0, 3, 1));
            assertThat(server.maxInFlight()).isEqualTo(1);
            assertThat(report.sendLagMs().max()).isGreaterThanOrEqualTo(250.0);
        }
    }

    @Test
    void detectsTheServedModel() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(0, 0, 1, 1))) {
            assertThat(LiveRunner.detectModel(Endpoints.modelsUrl(server.baseUrl()), null)).isEqualTo("fake-model");
        }
    }
}
