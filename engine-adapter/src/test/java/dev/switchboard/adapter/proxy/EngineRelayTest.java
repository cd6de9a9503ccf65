package dev.switchboard.adapter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.support.Engines;
import dev.switchboard.adapter.support.FakeEngine;
import dev.switchboard.adapter.support.FakeEngine.Reply;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The plain data path through a real adapter listener in front of a fake engine: what the client sends
 * reaches the engine (minus internal and hop-by-hop headers), what the engine answers reaches the client
 * unchanged and unbuffered, and every way the exchange can break ends cleanly on both sides.
 */
@Timeout(60)
class EngineRelayTest {
    static final String CHAT = "/v1/chat/completions";

    static FakeEngine engine;
    static EngineListeners listeners;
    static EngineEndpoint endpoint;
    static int port;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws IOException {
        engine = new FakeEngine();
        port = freePort();
        AdapterProperties props = Engines.adapter(Engines.engine(port, "unified-1", EngineRole.UNIFIED,
                AdapterProperties.EngineKindSetting.VLLM, engine.url(), PdTransferKind.NONE, ""));
        EngineFleet fleet = Engines.fleet(props);
        endpoint = fleet.endpoints().get(0);
        listeners = Engines.listen(props, fleet, new AdapterMetrics(new SimpleMeterRegistry()));
    }

    @AfterAll
    static void stop() {
        listeners.stop();
        engine.close();
    }

    @Test
    void streamedTokensReachTheClientAsTheEngineWritesThem() throws Exception {
        engine.on("POST", CHAT, Reply.sse(List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}"), Duration.ofMillis(300)));
        long start = System.nanoTime();
        HttpResponse<InputStream> response = http.send(chat("{\"stream\":true}").build(), HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<Long> dataLineMillis = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("data:")) {
                    dataLineMillis.add((System.nanoTime() - start) / 1_000_000);
                    lines.add(line);
                }
            }
        }
        assertThat(lines).containsExactly("data: {\"n\":1}", "data: {\"n\":2}", "data: {\"n\":3}", "data: [DONE]");
        // the engine writes a chunk every 300 ms: a buffering relay would deliver all four at the end
        assertThat(dataLineMillis.get(2) - dataLineMillis.get(0)).isGreaterThanOrEqualTo(450);
        FakeEngine.await(() -> endpoint.inFlight() == 0, Duration.ofSeconds(5), "no request left in flight");
    }

    @Test
    void theRequestReachesTheEngineByteForByteWithoutInternalHeaders() throws Exception {
        engine.on("POST", "/v1/completions", Reply.json(200, "{\"ok\":true}"));
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            prompt.append("tok").append(i).append(' ');
        }
        String body = "{\"model\":\"m\",\"prompt\":\"" + prompt + "\",\"note\":\"\u00e9\u4e2d\"}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/completions?trace=1"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer engine-key")
                .header("x-switchboard-lease", "L-1")
                .header("X-Switchboard-Request-Id", "req-42")
                .header("X-Request-Id", "client-chosen")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"ok\":true}");
        FakeEngine.Seen seen = engine.seen("/v1/completions").get(engine.seen("/v1/completions").size() - 1);
        assertThat(seen.body()).isEqualTo(body);
        assertThat(seen.header("Authorization")).isEqualTo("Bearer engine-key");
        assertThat(seen.header("X-Request-Id")).isEqualTo("req-42");
        assertThat(seen.headers().names()).noneMatch(name -> name.toLowerCase().startsWith("x-switchboard-"));
    }

    @Test
    void engineErrorsPassThroughWithTheirStatusHeadersAndBody() throws Exception {
        String error = "{\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"BadRequestError\",\"code\":400}}";
        engine.on("POST", CHAT, r -> r.status(400).header("Content-Type", "application/json").header("X-Engine", "vllm")
                .sendString(Mono.just(error)).then());

        HttpResponse<String> response = http.send(chat("{}").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo(error);
        assertThat(response.headers().firstValue("X-Engine")).contains("vllm");
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
    }

    @Test
    void modelsAndHealthAreRelayedWithTheirQuery() throws Exception {
        engine.on("GET", "/v1/models", Reply.json(200, "{\"data\":[{\"id\":\"llama\"}]}"));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/models?limit=5")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("llama");
        assertThat(engine.seen("/v1/models")).isNotEmpty();

        // a GET is not a request in flight: hold one open at the engine and look
        FakeEngine.await(() -> endpoint.inFlight() == 0, Duration.ofSeconds(5), "earlier tests' requests done");
        engine.on("GET", "/health", Reply.hang());
        int seenBefore = engine.seen("/health").size();
        CompletableFuture<HttpResponse<String>> health = http.sendAsync(
                HttpRequest.newBuilder(URI.create(base() + "/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        FakeEngine.await(() -> engine.seen("/health").size() > seenBefore, Duration.ofSeconds(5), "the engine got the GET");
        assertThat(endpoint.inFlight()).isZero();
        health.cancel(true);
    }

    @Test
    void anUnreachableEngineIsAnOpenAiStyle502() throws Exception {
        FakeEngine gone = new FakeEngine();
        int listen = freePort();
        AdapterProperties props = Engines.adapter(Engines.engine(listen, "gone-1", EngineRole.UNIFIED,
                AdapterProperties.EngineKindSetting.VLLM, gone.url(), PdTransferKind.NONE, ""));
        gone.close();
        EngineFleet fleet = Engines.fleet(props);
        EngineListeners one = Engines.listen(props, fleet, new AdapterMetrics(new SimpleMeterRegistry()));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen + CHAT))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.headers().firstValue("content-type")).contains("application/json");
            var error = AdapterJson.MAPPER.readTree(response.body()).get("error");
            assertThat(error.get("code").asString()).isEqualTo("engine_unreachable");
            assertThat(error.get("type").asString()).isEqualTo("server_error");
            assertThat(error.get("message").asString()).contains("gone-1");
            // the count drops when the adapter's side of the exchange completes, just after the client has read it
            FakeEngine.await(() -> fleet.endpoints().get(0).inFlight() == 0, Duration.ofSeconds(5), "no request left in flight");
        } finally {
            one.stop();
        }
    }

    @Test
    void aClientThatGoesAwayCancelsTheEngineRequest() throws Exception {
        FakeEngine.await(() -> endpoint.inFlight() == 0, Duration.ofSeconds(5), "earlier tests' requests done");
        engine.on("POST", CHAT, Reply.hang());
        int abandonedBefore = engine.abandoned();
        int seenBefore = engine.seen(CHAT).size();

        CompletableFuture<HttpResponse<String>> call = http.sendAsync(chat("{\"stream\":true}").build(),
                HttpResponse.BodyHandlers.ofString());
        FakeEngine.await(() -> engine.seen(CHAT).size() > seenBefore, Duration.ofSeconds(5), "the engine got the request");
        assertThat(endpoint.inFlight()).isEqualTo(1);
        call.cancel(true);

        FakeEngine.await(() -> engine.abandoned() > abandonedBefore, Duration.ofSeconds(10), "the engine saw the request abandoned");
        FakeEngine.await(() -> endpoint.inFlight() == 0, Duration.ofSeconds(5), "no request left in flight");
    }

    @Test
    void anEngineThatFailsMidStreamBreaksTheClientsStreamInsteadOfEndingIt() {
        engine.on("POST", CHAT, r -> r.status(200).header("Content-Type", "text/event-stream")
                .sendString(Flux.concat(Mono.just("data: {\"n\":1}\n\n"),
                        Mono.delay(Duration.ofMillis(100)).then(Mono.error(new IOException("engine crashed")))))
                .then());

        assertThatThrownBy(() -> {
            HttpResponse<InputStream> response = http.send(chat("{\"stream\":true}").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                body.readAllBytes();
            }
        }).isInstanceOf(IOException.class);
        FakeEngine.await(() -> endpoint.inFlight() == 0, Duration.ofSeconds(5), "no request left in flight");
    }

    private static HttpRequest.Builder chat(String body) {
        return HttpRequest.newBuilder(URI.create(base() + CHAT)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String base() {
        return "http://127.0.0.1:" + port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
