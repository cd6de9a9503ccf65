package dev.switchboard.adapter.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.adapter.support.FakeEngine;
import dev.switchboard.adapter.support.FakeEngine.Reply;
import dev.switchboard.contract.EngineKind;

@Timeout(20)
class EngineProbeTest {
    private final EngineProbe probe = new EngineProbe(WebClient.create(), Duration.ofSeconds(2));
    private FakeEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    static final String VLLM_METRICS = """
            # TYPE vllm:cache_config_info gauge
            vllm:cache_config_info{block_size="16",cache_dtype="auto",engine="0",num_gpu_blocks="573",num_gpu_blocks_override="None"} 1.0
            vllm:cache_config_info{block_size="16",cache_dtype="auto",engine="1",num_gpu_blocks="575",num_gpu_blocks_override="None"} 1.0
            vllm:num_requests_running{engine="0"} 0
            """;

    @Test
    void vllmIsDetectedByVersionAndItsKvShapeReadFromCacheConfigInfo() {
        engine = new FakeEngine()
                .on("GET", "/version", Reply.json(200, "{\"version\":\"0.11.0\"}"))
                .on("GET", "/metrics", Reply.text(200, "text/plain; version=0.0.4", VLLM_METRICS))
                .on("GET", "/v1/models", Reply.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"llama-3-8b\",\"object\":\"model\","
                        + "\"max_model_len\":131072},{\"id\":\"a-lora\",\"max_model_len\":4096}]}"));

        assertThat(probe.detectKind(engine.url()).block()).isEqualTo(EngineKind.VLLM);
        EngineFacts facts = probe.facts(EngineKind.VLLM, engine.url(), "llama-3-8b").block();

        assertThat(facts.kvBlockSize()).isEqualTo(16);
        assertThat(facts.kvCapacityTokens()).as("both data-parallel engines' blocks").isEqualTo(16L * (573 + 575));
        assertThat(facts.maxModelLen()).isEqualTo(131072);
        assertThat(facts.notes()).isEmpty();
    }

    @Test
    void sglangIsDetectedByServerInfoAndItsPagesReadFromIt() {
        engine = new FakeEngine()
                .on("GET", "/server_info", Reply.json(200, "{\"model_path\":\"meta-llama/Llama-3-8B\",\"page_size\":32,"
                        + "\"context_length\":null,\"internal_states\":[{\"max_total_num_tokens\":612345,\"context_length\":8192}],"
                        + "\"version\":\"0.5.20\"}"))
                .on("GET", "/version", Reply.json(200, "{\"version\":\"0.5.20\"}"));

        assertThat(probe.detectKind(engine.url()).block()).isEqualTo(EngineKind.SGLANG);
        EngineFacts facts = probe.facts(EngineKind.SGLANG, engine.url(), "llama-3-8b").block();

        assertThat(facts.kvBlockSize()).isEqualTo(32);
        assertThat(facts.kvCapacityTokens()).isEqualTo(612345);
        assertThat(facts.maxModelLen()).isEqualTo(8192);
    }

    @Test
    void olderSglangAnswersOnlyGetServerInfoAndFallsBackToCacheConfigInfoMetrics() {
        engine = new FakeEngine()
                .on("GET", "/get_server_info", Reply.json(200, "{\"model_path\":\"m\",\"page_size\":null}"))
                .on("GET", "/metrics", Reply.text(200, "text/plain",
                        "sglang:cache_config_info{page_size=\"1\",num_pages=\"400000\"} 1\n"));

        assertThat(probe.detectKind(engine.url()).block()).isEqualTo(EngineKind.SGLANG);
        EngineFacts facts = probe.facts(EngineKind.SGLANG, engine.url(), "m").block();

        assertThat(facts.kvBlockSize()).as("null page_size is SGLang's default of 1").isEqualTo(1);
        assertThat(facts.kvCapacityTokens()).isEqualTo(400000);
    }

    @Test
    void anEngineWithoutMetricsYieldsUnknownFactsWithNotesNotAFailure() {
        // what engine-sim serves today: /version and /v1/models, no /metrics
        engine = new FakeEngine()
                .on("GET", "/version", Reply.json(200, "{\"version\":\"sim\"}"))
                .on("GET", "/v1/models", Reply.json(200, "{\"data\":[{\"id\":\"llama-3-8b\"}]}"));

        EngineFacts facts = probe.facts(EngineKind.VLLM, engine.url(), "llama-3-8b").block();

        assertThat(facts.kvBlockSize()).isZero();
        assertThat(facts.kvCapacityTokens()).isZero();
        assertThat(facts.notes()).anyMatch(n -> n.contains("/metrics answered 404"));
    }

    @Test
    void anEngineThatIsNeitherKindIsReportedPrecisely() {
        engine = new FakeEngine().on("GET", "/version", Reply.status(404));
        assertThatThrownBy(() -> probe.detectKind(engine.url()).block())
                .isInstanceOf(EngineProbe.UnknownEngineException.class)
                .hasMessageContaining("/version answered 404");
    }

    @Test
    void anEngineNotListeningYetIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> probe.detectKind(url).block()).isInstanceOf(EngineProbe.EngineUnreachableException.class);
    }
}
