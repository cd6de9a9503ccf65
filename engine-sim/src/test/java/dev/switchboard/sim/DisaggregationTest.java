package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.prompt.Tokenizer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Prefill/decode disaggregation between engines of one simulator process: vLLM's kv_transfer_params round trip
 * (NIXL shape) and SGLang's bootstrap-room rendezvous, including the prefill engine freeing its pinned KV once
 * the decode engine has it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DisaggregationTest {
    private static final int P = 0;
    private static final int D = 1;
    private static final int SP = 2;
    private static final int SD = 3;
    private SimFixture sim;

    @BeforeAll
    void start() {
        sim = SimFixture.start(20,
                SimFixture.engine("p", EngineKind.VLLM, EngineRole.PREFILL),
                SimFixture.engine("d", EngineKind.VLLM, EngineRole.DECODE),
                SimFixture.engine("sp", EngineKind.SGLANG, EngineRole.PREFILL),
                SimFixture.engine("sd", EngineKind.SGLANG, EngineRole.DECODE,
                        e -> e.withBootstrapTimeout(Duration.ofMillis(500))));
    }

    @AfterAll
    void stop() {
        sim.close();
    }

    private static String prompt(String tag) {
        return "Disaggregated prompt " + tag + " " + "with a long shared context. ".repeat(40);
    }

    @Test
    void vllmPrefillLegReturnsKvTransferParamsAndTheDecodeLegTakesTheKvInstead() throws Exception {
        String prompt = prompt("vllm-" + System.nanoTime());
        int promptTokens = Tokenizer.countTokens(prompt);
        String prefillBody = "{\"model\":\"llama-3-8b\",\"max_tokens\":1,\"stream\":false,\"prompt\":"
                + SimFixture.JSON.writeValueAsString(prompt) + ",\"kv_transfer_params\":{\"do_remote_decode\":true,"
                + "\"do_remote_prefill\":false,\"remote_engine_id\":null,\"remote_block_ids\":null,\"remote_host\":null,"
                + "\"remote_port\":null}}";
        JsonNode prefill = SimFixture.json(sim.post(sim.url(P, "/v1/completions"), prefillBody));
        assertThat(prefill.at("/choices/0/finish_reason").asString()).isEqualTo("length");
        assertThat(prefill.at("/usage/completion_tokens").asInt()).isEqualTo(1);
        JsonNode kv = prefill.get("kv_transfer_params");
        assertThat(kv.get("do_remote_prefill").asBoolean()).isTrue();
        assertThat(kv.get("do_remote_decode").asBoolean()).isFalse();
        assertThat(kv.get("remote_engine_id").asString()).isEqualTo("p");
        assertThat(kv.get("remote_block_ids")).hasSize((promptTokens + 15) / 16);
        assertThat(kv.get("remote_request_id").asString()).isNotBlank();
        assertThat(kv.get("remote_host").asString()).isEqualTo("127.0.0.1");
        assertThat(kv.get("remote_port").asInt()).isEqualTo(5600);
        assertThat(kv.get("tp_size").asInt()).isEqualTo(1);
        assertThat(sim.engine(P).driver().stats().pinned()).isEqualTo(1);

        ObjectNode decodeBody = (ObjectNode) SimFixture.JSON.readTree("{\"model\":\"llama-3-8b\",\"max_tokens\":8,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        decodeBody.put("prompt", prompt);
        decodeBody.set("kv_transfer_params", kv);
        HttpResponse<String> decode = sim.post(sim.url(D, "/v1/completions"), decodeBody.toString());
        List<JsonNode> frames = SimFixture.sseFrames(decode.body());
        JsonNode usage = frames.get(frames.size() - 1).get("usage");
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(8);
        // the decode engine computed only the last prompt token; the rest came over the (simulated) link
        assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(promptTokens - 1);
        SimFixture.await(Duration.ofSeconds(5), "the prefill engine to free the picked-up KV",
                () -> sim.engine(P).driver().stats().pinned() == 0);
        assertThat(sim.engine(P).driver().stats().kvUsage()).isZero();
    }

    @Test
    void aStreamedPrefillLegIsRefused() throws Exception {
        HttpResponse<String> r = sim.post(sim.url(P, "/v1/chat/completions"), SimFixture.chat("x", 1, true,
                "\"kv_transfer_params\":{\"do_remote_decode\":true}"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(SimFixture.json(r).at("/error/param").asString()).isEqualTo("stream");
        assertThat(SimFixture.json(r).at("/error/code").asInt()).isEqualTo(400);
    }

    @Test
    void aDecodeLegFromAnUnknownPrefillEngineStillDecodesAfterTheTransfer() throws Exception {
        JsonNode r = SimFixture.json(sim.post(sim.url(D, "/v1/chat/completions"), SimFixture.chat(prompt("far"), 3, false,
                "\"kv_transfer_params\":{\"do_remote_prefill\":true,\"remote_engine_id\":\"elsewhere\","
                        + "\"remote_request_id\":\"x-1\",\"remote_block_ids\":[1,2,3]}")));
        assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(r.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                .isEqualTo(r.at("/usage/prompt_tokens").asInt() - 1);
    }

    @Test
    void aPrefillEngineAnswersAPlainRequestInFullLikeVllmWithKvBoth() throws Exception {
        JsonNode r = SimFixture.json(sim.post(sim.url(P, "/v1/chat/completions"), SimFixture.chat("plain", 4, false, null)));
        assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(4);
        assertThat(r.has("kv_transfer_params")).isFalse();
    }

    private String generateBody(String prompt, long room, boolean stream) throws Exception {
        return "{\"text\":" + SimFixture.JSON.writeValueAsString(prompt) + ",\"sampling_params\":{\"max_new_tokens\":6},"
                + "\"stream\":" + stream + ",\"bootstrap_host\":\"127.0.0.1\",\"bootstrap_port\":8998,\"bootstrap_room\":"
                + room + "}";
    }

    @Test
    void sglangLegsMeetOnTheBootstrapRoomInEitherOrder() throws Exception {
        for (boolean decodeFirst : new boolean[] {false, true}) {
            String prompt = prompt("sglang-" + decodeFirst + System.nanoTime());
            long room = System.nanoTime() & Long.MAX_VALUE;
            String body = generateBody(prompt, room, false);
            CompletableFuture<HttpResponse<String>> decode;
            CompletableFuture<HttpResponse<String>> prefill;
            if (decodeFirst) {
                decode = sim.http.sendAsync(SimFixture.request(sim.url(SD, "/generate"), body, Duration.ofSeconds(20)),
                        HttpResponse.BodyHandlers.ofString());
                Thread.sleep(100);
                prefill = sim.http.sendAsync(SimFixture.request(sim.url(SP, "/generate"), body, Duration.ofSeconds(20)),
                        HttpResponse.BodyHandlers.ofString());
            } else {
                prefill = sim.http.sendAsync(SimFixture.request(sim.url(SP, "/generate"), body, Duration.ofSeconds(20)),
                        HttpResponse.BodyHandlers.ofString());
                decode = sim.http.sendAsync(SimFixture.request(sim.url(SD, "/generate"), body, Duration.ofSeconds(20)),
                        HttpResponse.BodyHandlers.ofString());
            }
            JsonNode d = SimFixture.json(decode.get(20, TimeUnit.SECONDS));
            JsonNode p = SimFixture.json(prefill.get(20, TimeUnit.SECONDS));
            assertThat(p.at("/meta_info/completion_tokens").asInt()).isEqualTo(1);
            assertThat(d.at("/meta_info/completion_tokens").asInt()).isEqualTo(6);
            assertThat(d.at("/meta_info/finish_reason/type").asString()).isEqualTo("length");
            assertThat(d.at("/meta_info/cached_tokens").asInt()).isEqualTo(Tokenizer.countTokens(prompt) - 1);
            assertThat(d.get("text").asString()).hasSize(6 * 4);
            SimFixture.await(Duration.ofSeconds(5), "the SGLang prefill engine to free the KV",
                    () -> sim.engine(SP).driver().stats().pinned() == 0);
        }
    }

    @Test
    void anSglangDecodeLegWhosePrefillNeverComesFailsAfterTheBootstrapTimeout() throws Exception {
        HttpResponse<String> r = sim.post(sim.url(SD, "/generate"), generateBody("lonely", 7, false));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(SimFixture.json(r).at("/error/message").asString()).contains("bootstrap room 7");
        assertThat(sim.engine(SD).driver().stats().running()).isZero();
    }

    @Test
    void sglangServerInfoReportsEachEnginesDisaggregationMode() throws Exception {
        JsonNode info = SimFixture.json(sim.get(sim.url(SP, "/server_info")));
        assertThat(info.get("disaggregation_mode").asString()).isEqualTo("prefill");
        assertThat(info.get("disaggregation_bootstrap_port").asInt()).isEqualTo(8998);
        assertThat(SimFixture.json(sim.get(sim.url(SD, "/get_server_info"))).get("disaggregation_mode").asString())
                .isEqualTo("decode");
    }
}
