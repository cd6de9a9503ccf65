package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import tools.jackson.databind.JsonNode;

/** SGLang's native endpoints over HTTP: /generate, /server_info, /v1/loads, /health_generate, /flush_cache. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SglangSurfaceTest {
    private SimFixture sim;

    @BeforeAll
    void start() {
        sim = SimFixture.start(20, SimFixture.engine("s", EngineKind.SGLANG, EngineRole.UNIFIED,
                e -> e.withOutput("1000-2000", 32768)));
    }

    @AfterAll
    void stop() {
        sim.close();
    }

    @Test
    void generateAnswersTextWithMetaInfo() throws Exception {
        String body = "{\"text\":\"" + "The capital of France is ".repeat(8) + "\",\"sampling_params\":{\"max_new_tokens\":5},"
                + "\"rid\":\"r-1\"}";
        JsonNode first = SimFixture.json(sim.post(sim.url(0, "/generate"), body));
        assertThat(first.get("text").asString()).hasSize(20);
        JsonNode meta = first.get("meta_info");
        assertThat(meta.get("id").asString()).isEqualTo("r-1");
        assertThat(meta.get("completion_tokens").asInt()).isEqualTo(5);
        assertThat(meta.get("prompt_tokens").asInt()).isEqualTo(50);
        assertThat(meta.at("/finish_reason/type").asString()).isEqualTo("length");
        assertThat(meta.at("/finish_reason/length").asInt()).isEqualTo(5);
        assertThat(meta.get("cached_tokens").asInt()).isZero();
        assertThat(meta.get("e2e_latency").asDouble()).isPositive();
        JsonNode second = SimFixture.json(sim.post(sim.url(0, "/generate"), body));
        assertThat(second.at("/meta_info/cached_tokens").asInt()).isEqualTo(48);
    }

    @Test
    void generateStreamsCumulativeTextAndEndsWithDone() throws Exception {
        HttpResponse<String> r = sim.post(sim.url(0, "/generate"),
                "{\"text\":\"stream me\",\"sampling_params\":{\"max_new_tokens\":3},\"stream\":true}");
        List<JsonNode> frames = SimFixture.sseFrames(r.body());
        assertThat(frames).hasSize(4);
        assertThat(frames.get(0).get("text").asString()).hasSize(4);
        assertThat(frames.get(1).get("text").asString()).hasSize(8).startsWith(frames.get(0).get("text").asString());
        assertThat(frames.get(2).at("/meta_info/finish_reason").isNull()).isTrue();
        assertThat(frames.get(3).get("text").asString()).isEqualTo(frames.get(2).get("text").asString());
        assertThat(frames.get(3).at("/meta_info/finish_reason/type").asString()).isEqualTo("length");
    }

    @Test
    void generateTakesInputIds() throws Exception {
        JsonNode r = SimFixture.json(sim.post(sim.url(0, "/generate"),
                "{\"input_ids\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],\"sampling_params\":{\"max_new_tokens\":2}}"));
        assertThat(r.at("/meta_info/prompt_tokens").asInt()).isEqualTo(17);
        assertThat(r.at("/meta_info/completion_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void theModelIsNotValidatedOnOpenAiEndpoints() throws Exception {
        HttpResponse<String> r = sim.post(sim.url(0, "/v1/chat/completions"),
                "{\"model\":\"anything\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(SimFixture.json(sim.get(sim.url(0, "/v1/models"))).at("/data/0/owned_by").asString()).isEqualTo("sglang");
    }

    @Test
    void serverInfoAndLoadsDescribeTheEngine() throws Exception {
        JsonNode info = SimFixture.json(sim.get(sim.url(0, "/server_info")));
        assertThat(info.get("page_size").asInt()).isEqualTo(16);
        assertThat(info.get("max_total_num_tokens").asLong())
                .isEqualTo((long) sim.engine(0).driver().config().usableBlocks() * 16);
        assertThat(info.get("disaggregation_mode").asString()).isEqualTo("null");
        assertThat(info.get("chunked_prefill_size").asInt()).isEqualTo(8192);
        assertThat(info.get("version").asString()).isNotBlank();
        assertThat(SimFixture.json(sim.get(sim.url(0, "/get_server_info")))).isNotNull();
        JsonNode loads = SimFixture.json(sim.get(sim.url(0, "/v1/loads")));
        assertThat(loads).hasSize(1);
        assertThat(loads.get(0).get("dp_rank").asInt()).isZero();
        assertThat(loads.get(0).has("num_waiting_reqs")).isTrue();
        assertThat(SimFixture.json(sim.get(sim.url(0, "/get_load"))).get(0).has("num_reqs")).isTrue();
        assertThat(sim.get(sim.url(0, "/health_generate")).statusCode()).isEqualTo(200);
        assertThat(SimFixture.json(sim.get(sim.url(0, "/model_info"))).get("is_generation").asBoolean()).isTrue();
    }

    @Test
    void flushCacheIsRefusedWhileRequestsRunAndWorksWhenIdle() throws Exception {
        HttpResponse<Stream<String>> running = sim.postLines(sim.url(0, "/generate"),
                "{\"text\":\"keep running " + System.nanoTime() + "\",\"sampling_params\":{\"max_new_tokens\":1500},"
                        + "\"stream\":true}");
        try (Stream<String> lines = running.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext() && !it.next().startsWith("data: ")) {
                // wait for the first token
            }
            HttpResponse<String> refused = sim.post(sim.url(0, "/flush_cache"), "");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).startsWith("Cache not flushed");
        }
        SimFixture.await(Duration.ofSeconds(10), "the stream to be aborted", () -> sim.engine(0).driver().stats().running() == 0);
        HttpResponse<String> flushed = sim.get(sim.url(0, "/flush_cache"));
        assertThat(flushed.statusCode()).isEqualTo(200);
        assertThat(flushed.body()).startsWith("Cache flushed.");
    }
}
