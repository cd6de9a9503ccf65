package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;

/**
 * The application as it is launched (Spring wiring, property binding of the end-to-end suite's keys, the admin
 * API on the process's own port), not just the classes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineSimApplicationTest {
    private final int adminPort = SimFixture.freePort();
    private final int enginePort = SimFixture.freePort();
    private ConfigurableApplicationContext context;

    @BeforeAll
    void start() {
        context = SpringApplication.run(EngineSimApplication.class,
                "--server.port=" + adminPort,
                "--switchboard.sim.speed=10",
                "--switchboard.sim.engines[0].id=decode-1",
                "--switchboard.sim.engines[0].port=" + enginePort,
                "--switchboard.sim.engines[0].role=decode",
                "--switchboard.sim.engines[0].model=llama-3-8b",
                "--switchboard.sim.engines[0].token-delay=15ms",
                "--switchboard.sim.engines[0].output-tokens=8-24");
    }

    @AfterAll
    void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void theEngineServesAndTheAdminPortListsIt() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var chat = client.send(SimFixture.request("http://127.0.0.1:" + enginePort + "/v1/chat/completions",
                SimFixture.chat("hello", 3, false, null), java.time.Duration.ofSeconds(10)),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(SimFixture.json(chat).at("/usage/completion_tokens").asInt()).isEqualTo(3);
        JsonNode engines = SimFixture.JSON.readTree(client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + adminPort + "/sim/engines")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        assertThat(engines.get(0).get("engine").asString()).isEqualTo("decode-1");
        assertThat(engines.get(0).at("/core/generationTokens").asInt()).isEqualTo(3);
        var actuator = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort
                + "/actuator/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(actuator.statusCode()).isEqualTo(200);
    }
}
