package dev.switchboard.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.support.FakeEngine;
import dev.switchboard.adapter.support.FakeEngine.Reply;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.EndpointState;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import reactor.core.Disposable;

/**
 * The packaged application with its real configuration binding, in front of two fake engines: one
 * shaped like today's engine-sim (configured as in the end-to-end tests: vLLM, no /metrics) and one
 * vLLM with metrics whose kind and KV shape are detected.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(60)
class EngineAdapterApplicationTest {
    static final String TOKEN = "test-admin-token";
    static final AtomicReference<Reply> HEALTH = new AtomicReference<>(Reply.status(200));
    static final AtomicReference<Integer> RUNNING = new AtomicReference<>(2);
    static final FakeEngine SIM = new FakeEngine()
            .on("GET", "/version", Reply.json(200, "{\"version\":\"sim\"}"))
            .on("GET", "/v1/models", Reply.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"llama-3-8b\"}]}"))
            .answer("GET", "/health", s -> HEALTH.get())
            .on("POST", "/v1/chat/completions", Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}"),
                    Duration.ofMillis(1)));
    static final FakeEngine VLLM = new FakeEngine()
            .on("GET", "/version", Reply.json(200, "{\"version\":\"0.11.0\"}"))
            .on("GET", "/health", Reply.status(200))
            .on("GET", "/v1/models", Reply.json(200, "{\"data\":[{\"id\":\"llama-3-8b\",\"max_model_len\":32768}]}"))
            .answer("GET", "/metrics", s -> Reply.text(200, "text/plain; version=0.0.4",
                    "vllm:cache_config_info{block_size=\"32\",num_gpu_blocks=\"1000\"} 1\n"
                            + "vllm:num_requests_running{engine=\"0\"} " + RUNNING.get() + "\n"
                            + "vllm:num_requests_waiting{engine=\"0\"} 0\nvllm:kv_cache_usage_perc{engine=\"0\"} 0.25\n"));
    static final int SIM_PORT = freePort();
    static final int VLLM_PORT = freePort();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // exactly the keys the end-to-end tests pass for each engine
        registry.add("switchboard.adapter.engines[0].listen-port", () -> SIM_PORT);
        registry.add("switchboard.adapter.engines[0].endpoint-id", () -> "decode-1");
        registry.add("switchboard.adapter.engines[0].role", () -> "decode");
        registry.add("switchboard.adapter.engines[0].engine-kind", () -> "vllm");
        registry.add("switchboard.adapter.engines[0].model", () -> "llama-3-8b");
        registry.add("switchboard.adapter.engines[0].engine-url", SIM::url);
        registry.add("switchboard.adapter.engines[1].listen-port", () -> VLLM_PORT);
        registry.add("switchboard.adapter.engines[1].endpoint-id", () -> "unified-1");
        registry.add("switchboard.adapter.engines[1].model", () -> "llama-3-8b");
        registry.add("switchboard.adapter.engines[1].engine-url", VLLM::url);
        registry.add("switchboard.adapter.admin-token", () -> TOKEN);
        registry.add("switchboard.adapter.health.interval", () -> "100ms");
        registry.add("switchboard.adapter.drain-timeout", () -> "2s");
        registry.add("switchboard.adapter.gpu.command", () -> "/nonexistent/nvidia-smi");
    }

    @AfterAll
    static void stopEngines() {
        SIM.close();
        VLLM.close();
    }

    @LocalServerPort
    int adminPort;

    @Autowired
    EngineFleet fleet;

    private final WebClient client = WebClient.create();

    @Test
    void simShapedEngineIsReadyAndProxiedWhileItsMissingMetricsAreReportedNotZeroed() {
        var sim = fleet.endpoint("decode-1").orElseThrow();
        FakeEngine.await(() -> sim.lifecycle().state() == LifecycleEvent.State.READY, Duration.ofSeconds(10), "decode-1 READY");
        EngineDescriptor d = sim.descriptor();
        assertThat(d.engineKind()).isEqualTo(EngineKind.VLLM);
        assertThat(d.kvBlockSize()).as("default when the engine does not say").isEqualTo(16);
        assertThat(d.gpuType()).isEqualTo("unknown");
        FakeEngine.await(() -> sim.status().scrape.errorCount("http_error") > 0, Duration.ofSeconds(5), "scrape errors");
        assertThat(sim.lastLoad()).isNull();

        String body = client.post().uri("http://127.0.0.1:" + SIM_PORT + "/v1/chat/completions")
                .header("Content-Type", "application/json").bodyValue("{\"model\":\"llama-3-8b\",\"stream\":true}")
                .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5));
        assertThat(body).contains("hi").contains("[DONE]");
        // the adapter counts the request done when its side of the exchange completes, which can be just
        // after the client has read the last bytes
        FakeEngine.await(() -> sim.inFlight() == 0, Duration.ofSeconds(5), "no request left in flight");
    }

    @Test
    void vllmKindAndKvShapeAreDetectedAndLoadStreamsToSubscribers() {
        var vllm = fleet.endpoint("unified-1").orElseThrow();
        FakeEngine.await(() -> vllm.descriptor() != null, Duration.ofSeconds(10), "unified-1 resolved");
        assertThat(vllm.descriptor().engineKind()).isEqualTo(EngineKind.VLLM);
        assertThat(vllm.descriptor().kvBlockSize()).isEqualTo(32);
        assertThat(vllm.descriptor().kvCapacityTokens()).isEqualTo(32_000);
        assertThat(vllm.descriptor().maxModelLen()).isEqualTo(32768);

        List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
        Disposable stream = subscribe(VLLM_PORT, events);
        try {
            FakeEngine.await(() -> events.stream().anyMatch(e -> AdapterEvents.LOAD.equals(e.event())), Duration.ofSeconds(5),
                    "a load event");
            assertThat(events.get(0).event()).isEqualTo(AdapterEvents.STATE);
            EndpointState state = AdapterJson.MAPPER.readValue(events.get(0).data(), EndpointState.class);
            assertThat(state.descriptor()).isEqualTo(vllm.descriptor());
            RUNNING.set(9);
            FakeEngine.await(() -> events.stream().filter(e -> AdapterEvents.LOAD.equals(e.event()))
                    .map(e -> AdapterJson.MAPPER.readValue(e.data(), LoadReport.class)).anyMatch(r -> r.running() == 9),
                    Duration.ofSeconds(5), "the engine's new running count on the stream");
        } finally {
            stream.dispose();
        }
    }

    @Test
    void anUnhealthyEngineIsReportedAtOnceAndComesBack() {
        var sim = fleet.endpoint("decode-1").orElseThrow();
        FakeEngine.await(() -> sim.lifecycle().state() == LifecycleEvent.State.READY, Duration.ofSeconds(10), "READY");
        List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
        Disposable stream = subscribe(SIM_PORT, events);
        try {
            FakeEngine.await(() -> !events.isEmpty(), Duration.ofSeconds(5), "the state event");
            HEALTH.set(Reply.status(503));
            FakeEngine.await(() -> lifecycles(events).contains(LifecycleEvent.State.UNHEALTHY), Duration.ofSeconds(5),
                    "UNHEALTHY on the stream");
            HEALTH.set(Reply.status(200));
            FakeEngine.await(() -> lifecycles(events).contains(LifecycleEvent.State.READY), Duration.ofSeconds(5),
                    "READY again on the stream");
        } finally {
            HEALTH.set(Reply.status(200));
            stream.dispose();
        }
    }

    @Test
    void adminNeedsTheTokenAndDrainReportsDrainingThenDeregisters() {
        String base = "http://127.0.0.1:" + adminPort;
        var noToken = client.get().uri(base + "/admin/status").exchangeToMono(r -> r.toEntity(String.class))
                .block(Duration.ofSeconds(5));
        assertThat(noToken.getStatusCode().value()).isEqualTo(401);
        assertThat(noToken.getBody()).contains("\"type\":\"authentication_error\"");
        var wrongToken = client.post().uri(base + "/admin/drain").header("Authorization", "Bearer nope")
                .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));
        assertThat(wrongToken.getStatusCode().value()).isEqualTo(401);

        var sim = fleet.endpoint("decode-1").orElseThrow();
        FakeEngine.await(() -> sim.lifecycle().state() == LifecycleEvent.State.READY, Duration.ofSeconds(10), "READY");
        List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
        Disposable stream = subscribe(SIM_PORT, events);
        try {
            FakeEngine.await(() -> !events.isEmpty(), Duration.ofSeconds(5), "the state event");
            var drain = client.post().uri(base + "/admin/drain?endpoint=decode-1").header("Authorization", "Bearer " + TOKEN)
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));
            assertThat(drain.getStatusCode().value()).isEqualTo(202);
            FakeEngine.await(() -> lifecycles(events).contains(LifecycleEvent.State.DEREGISTERED), Duration.ofSeconds(5),
                    "DEREGISTERED on the stream");
            assertThat(lifecycles(events)).containsSubsequence(LifecycleEvent.State.DRAINING, LifecycleEvent.State.DEREGISTERED);
            assertThat(fleet.endpoint("unified-1").orElseThrow().draining()).as("only the named endpoint").isFalse();

            String status = client.get().uri(base + "/admin/status").header("Authorization", "Bearer " + TOKEN)
                    .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5));
            assertThat(status).contains("\"endpointId\":\"decode-1\"").contains("\"DEREGISTERED\"")
                    .contains("\"scrape\"").contains("\"kvEvents\"");

            client.post().uri(base + "/admin/undrain?endpoint=decode-1").header("Authorization", "Bearer " + TOKEN)
                    .retrieve().toBodilessEntity().block(Duration.ofSeconds(5));
            FakeEngine.await(() -> sim.lifecycle().state() == LifecycleEvent.State.READY, Duration.ofSeconds(5), "READY again");

            var unknown = client.post().uri(base + "/admin/drain?endpoint=nope").header("Authorization", "Bearer " + TOKEN)
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));
            assertThat(unknown.getStatusCode().value()).isEqualTo(404);
        } finally {
            stream.dispose();
        }
    }

    @Test
    void prometheusShowsTheAdaptersMetrics() {
        var vllm = fleet.endpoint("unified-1").orElseThrow();
        FakeEngine.await(() -> vllm.lastLoad() != null, Duration.ofSeconds(10), "a load report");
        String text = client.get().uri("http://127.0.0.1:" + adminPort + "/actuator/prometheus").retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(5));
        assertThat(text).contains("switchboard_adapter_engine_running{").contains("switchboard_adapter_scrape_latency_seconds")
                .contains("switchboard_adapter_scrape_errors_total{").contains("switchboard_adapter_events_subscribers{")
                .contains("switchboard_adapter_engine_metric_missing{").contains("switchboard_adapter_kv_seq_gaps_total{");
    }

    private Disposable subscribe(int port, List<ServerSentEvent<String>> into) {
        return client.get().uri("http://127.0.0.1:" + port + AdapterEvents.PATH).retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .subscribe(into::add);
    }

    private static List<LifecycleEvent.State> lifecycles(List<ServerSentEvent<String>> events) {
        return events.stream().filter(e -> AdapterEvents.LIFECYCLE.equals(e.event()))
                .map(e -> AdapterJson.MAPPER.readValue(e.data(), LifecycleEvent.class).state()).toList();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
