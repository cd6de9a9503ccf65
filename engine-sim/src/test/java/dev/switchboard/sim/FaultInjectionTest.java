package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import tools.jackson.databind.JsonNode;

/** Faults set at runtime on the engine's port (and the admin port): error rate, slowdown, hang, crash. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectionTest {
    private SimFixture sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    private void start() {
        sim = SimFixture.start(20, SimFixture.engine("f", EngineKind.VLLM, EngineRole.UNIFIED,
                e -> e.withOutput("1000-2000", 32768)));
    }

    private JsonNode setFaults(String json) throws Exception {
        HttpResponse<String> r = sim.post(sim.url(0, "/sim/faults"), json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return SimFixture.json(r);
    }

    @Test
    void anErrorRateAnswersWithVllmsErrorEnvelopeAndStatus503() throws Exception {
        start();
        assertThat(setFaults("{\"error_rate\":1.0}").get("error_rate").asDouble()).isEqualTo(1.0);
        HttpResponse<String> failed = sim.post(sim.url(0, "/v1/chat/completions"), SimFixture.chat("hi", 2, false, null));
        assertThat(failed.statusCode()).isEqualTo(503);
        JsonNode error = SimFixture.json(failed).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(503);
        assertThat(error.get("type").asString()).isEqualTo("ServiceUnavailableError");
        assertThat(error.get("message").asString()).isNotBlank();
        setFaults("{\"error_rate\":0}");
        assertThat(sim.post(sim.url(0, "/v1/chat/completions"), SimFixture.chat("hi", 2, false, null)).statusCode())
                .isEqualTo(200);
        assertThat(sim.post(sim.url(0, "/sim/faults"), "{\"error_rate\":2}").statusCode()).isEqualTo(400);
        assertThat(sim.post(sim.url(0, "/sim/faults"), "{\"melt\":true}").statusCode()).isEqualTo(400);
    }

    @Test
    void aSlowdownMultipliesStepTimes() throws Exception {
        start();
        long normal = busyNanosOf("{\"model\":\"llama-3-8b\",\"max_tokens\":20,\"prompt\":\"slow test one\"}");
        setFaults("{\"slowdown\":4}");
        long slowed = busyNanosOf("{\"model\":\"llama-3-8b\",\"max_tokens\":20,\"prompt\":\"slow test two\"}");
        assertThat((double) slowed).isCloseTo(4.0 * normal, withPercentage(10));
    }

    private long busyNanosOf(String body) throws Exception {
        long before = sim.engine(0).driver().stats().busyNanos();
        assertThat(sim.post(sim.url(0, "/v1/completions"), body).statusCode()).isEqualTo(200);
        return sim.engine(0).driver().stats().busyNanos() - before;
    }

    @Test
    void aHungEngineAcceptsButNeverAnswersUntilReleased() throws Exception {
        start();
        setFaults("{\"hang\":true}");
        assertThatThrownBy(() -> sim.http.send(SimFixture.request(sim.url(0, "/v1/completions"),
                "{\"model\":\"llama-3-8b\",\"max_tokens\":2,\"prompt\":\"x\"}", Duration.ofMillis(500)),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
        assertThatThrownBy(() -> sim.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                sim.url(0, "/health"))).timeout(Duration.ofMillis(300)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(sim.get(sim.url(0, "/metrics")).statusCode()).isEqualTo(200);
        assertThat(SimFixture.json(sim.get(sim.url(0, "/sim/faults"))).get("hang").asBoolean()).isTrue();
        setFaults("{\"hang\":false}");
        assertThat(sim.post(sim.url(0, "/v1/completions"), "{\"model\":\"llama-3-8b\",\"max_tokens\":2,\"prompt\":\"x\"}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void aCrashCutsStreamsClosesThePortAndTheAdminPortBringsItBackWithAnEmptyCache() throws Exception {
        start();
        String repeated = "{\"model\":\"llama-3-8b\",\"max_tokens\":1,\"prompt\":\"" + "cached before the crash ".repeat(10)
                + "\"}";
        sim.post(sim.url(0, "/v1/completions"), repeated);
        assertThat(SimFixture.json(sim.post(sim.url(0, "/v1/completions"), repeated))
                .at("/usage/prompt_tokens_details/cached_tokens").asInt()).isPositive();

        HttpResponse<Stream<String>> streaming = sim.postLines(sim.url(0, "/v1/chat/completions"),
                SimFixture.chat("a long answer", 1800, true, null));
        boolean sawDone = false;
        try (Stream<String> lines = streaming.body()) {
            Iterator<String> it = lines.iterator();
            it.next(); // the stream is running
            setFaults("{\"crash\":true}");
            while (it.hasNext()) {
                if (it.next().equals("data: [DONE]")) {
                    sawDone = true;
                }
            }
        } catch (UncheckedIOException cut) {
            // the connection was reset: also a cut stream
        }
        assertThat(sawDone).as("a crashed engine does not finish its streams").isFalse();
        SimFixture.await(Duration.ofSeconds(5), "the port to close", () -> {
            try {
                sim.get(sim.url(0, "/health"));
                return false;
            } catch (ConnectException refused) {
                return true;
            } catch (IOException | InterruptedException other) {
                return false;
            }
        });
        assertThat(sim.engine(0).driver().stats().running()).isZero();

        WebTestClient admin = WebTestClient.bindToRouterFunction(new AdminRoutes().simAdminRoutes(sim.servers,
                SimFixture.JSON)).build();
        admin.get().uri("/sim/engines/f/faults").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.crash").isEqualTo(true);
        admin.post().uri("/sim/engines/f/faults").bodyValue("{\"crash\":false}").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.crash").isEqualTo(false);
        admin.post().uri("/sim/engines/nope/faults").bodyValue("{}").exchange().expectStatus().isNotFound();
        admin.get().uri("/sim/engines").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$[0].engine").isEqualTo("f");

        JsonNode after = SimFixture.json(sim.post(sim.url(0, "/v1/completions"), repeated));
        assertThat(after.at("/usage/prompt_tokens_details/cached_tokens").asInt()).as("a restarted engine's cache is empty")
                .isZero();
    }

    @Test
    void faultsCanBeSetAtStartup() throws Exception {
        SimProperties.Engine config = SimFixture.engine("g", EngineKind.VLLM, EngineRole.UNIFIED);
        config = new SimProperties.Engine(config.id(), config.port(), config.kind(), config.role(), config.model(),
                config.calibrationModel(), config.gpu(), config.maxModelLen(), config.tokenDelay(), config.outputTokens(),
                null, null, 0.9, null, 16, true, 25, Duration.ofMillis(1), Duration.ofSeconds(480), 5600, 8998,
                Duration.ofSeconds(30), null, null, "", SimProperties.KvEventsFormat.ARRAY,
                new SimProperties.Faults(false, false, 1.0, 1.0));
        sim = SimFixture.start(20, config);
        assertThat(sim.post(sim.url(0, "/v1/completions"), "{\"model\":\"llama-3-8b\",\"prompt\":\"x\"}").statusCode())
                .isEqualTo(503);
    }
}
