package dev.switchboard.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.engine.EngineMonitors;
import dev.switchboard.adapter.engine.ShutdownDrain;
import dev.switchboard.adapter.proxy.EngineListeners;
import dev.switchboard.adapter.registry.NacosEngineRegistrar;
import dev.switchboard.adapter.support.FakeEngine;
import dev.switchboard.adapter.support.FakeEngine.Reply;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.LifecycleEvent;

/** What SIGTERM does: report DRAINING, let the in-flight request finish, deregister, then close. */
@Timeout(60)
class GracefulShutdownTest {

    @Test
    void shutdownPhasesDrainBeforeAnythingCloses() {
        // SmartLifecycle stops the highest phase first; DEFAULT_PHASE is Integer.MAX_VALUE, so "+ n" overflows
        assertThat(ShutdownDrain.PHASE).isEqualTo(SmartLifecycle.DEFAULT_PHASE);
        assertThat(ShutdownDrain.PHASE).isGreaterThan(NacosEngineRegistrar.PHASE);
        assertThat(NacosEngineRegistrar.PHASE).isGreaterThan(EngineMonitors.PHASE);
        assertThat(EngineMonitors.PHASE).isGreaterThan(EngineListeners.PHASE);
        // Spring Boot's web server stops at DEFAULT_PHASE - 1024 (start/stop) and - 2048 (graceful)
        assertThat(EngineListeners.PHASE).isGreaterThan(SmartLifecycle.DEFAULT_PHASE - 1024);
    }

    @Test
    void anInFlightStreamFinishesWhileTheEndpointDrainsAndDeregisters() throws Exception {
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            chunks.add("{\"choices\":[{\"delta\":{\"content\":\"t" + i + "\"}}]}");
        }
        FakeEngine engine = new FakeEngine()
                .on("GET", "/version", Reply.json(200, "{\"version\":\"x\"}"))
                .on("GET", "/health", Reply.status(200))
                .on("POST", "/v1/chat/completions", Reply.sse(chunks, Duration.ofMillis(100)));
        int listen;
        try (ServerSocket s = new ServerSocket(0)) {
            listen = s.getLocalPort();
        }
        // command-line arguments, like SPRING_APPLICATION_JSON in the end-to-end tests, outrank application.yml
        ConfigurableApplicationContext context = new SpringApplicationBuilder(EngineAdapterApplication.class).run(
                "--server.port=0",
                "--switchboard.adapter.engines[0].listen-port=" + listen,
                "--switchboard.adapter.engines[0].endpoint-id=decode-1",
                "--switchboard.adapter.engines[0].engine-kind=vllm",
                "--switchboard.adapter.engines[0].model=llama-3-8b",
                "--switchboard.adapter.engines[0].engine-url=" + engine.url(),
                "--switchboard.adapter.health.interval=100ms",
                "--switchboard.adapter.gpu.detect=false");
        try {
            var endpoint = context.getBean(EngineFleet.class).endpoint("decode-1").orElseThrow();
            FakeEngine.await(() -> endpoint.lifecycle().state() == LifecycleEvent.State.READY, Duration.ofSeconds(10), "READY");
            assertThat(((WebServerApplicationContext) context).getWebServer().getPort()).isPositive();
            List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
            WebClient.create().get().uri("http://127.0.0.1:" + listen + AdapterEvents.PATH).retrieve()
                    .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { }).subscribe(events::add);
            FakeEngine.await(() -> !events.isEmpty(), Duration.ofSeconds(5), "the state event");

            CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen + "/v1/chat/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama-3-8b\",\"stream\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            FakeEngine.await(() -> endpoint.inFlight() == 1, Duration.ofSeconds(5), "the request in flight");

            long start = System.nanoTime();
            context.close(); // what SIGTERM triggers
            long closedAfterMillis = (System.nanoTime() - start) / 1_000_000;

            HttpResponse<String> response = inFlight.get();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("t14").contains("[DONE]");
            assertThat(closedAfterMillis).as("close waited for the stream (about 1.5 s)").isGreaterThan(1000);
            List<String> states = events.stream().filter(e -> AdapterEvents.LIFECYCLE.equals(e.event()))
                    .map(e -> AdapterJson.MAPPER.readValue(e.data(), LifecycleEvent.class).state().name()).toList();
            assertThat(states).containsSubsequence("DRAINING", "DEREGISTERED");
        } finally {
            context.close();
            engine.close();
        }
    }
}
