package dev.switchboard.adapter.proxy.pd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.proxy.EngineListeners;
import dev.switchboard.adapter.support.Engines;
import dev.switchboard.adapter.support.FakeEngine;
import dev.switchboard.adapter.support.FakeEngine.Reply;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.SwitchboardHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.JsonNode;

/**
 * Disaggregated requests through real adapter listeners: two prefill endpoints and two decode
 * endpoints (vLLM/NIXL and SGLang/Mooncake) in one adapter, each in front of a fake engine. Every
 * failure mode of the handshake, and that no leg is left running.
 */
@Timeout(60)
class PdFlowsTest {
    static final String CHAT = "/v1/chat/completions";
    static final String BODY = "{\"model\":\"llama-3-8b\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"max_tokens\":64,\"max_completion_tokens\":64,\"min_tokens\":2,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    static final String PARAMS = "{\"do_remote_prefill\":true,\"do_remote_decode\":false,\"remote_block_ids\":[1,2],"
            + "\"remote_engine_id\":\"P-ENGINE\",\"remote_host\":\"10.0.0.1\",\"remote_port\":5600,\"tp_size\":1}";

    static FakeEngine prefill1;
    static FakeEngine prefill2;
    static FakeEngine nixlDecode;
    static FakeEngine sglangDecode;
    static EngineListeners listeners;
    static int p1Port;
    static int p2Port;
    static int nixlPort;
    static int sglangPort;
    static int deadPort;
    static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws IOException {
        prefill1 = new FakeEngine();
        prefill2 = new FakeEngine();
        nixlDecode = new FakeEngine();
        sglangDecode = new FakeEngine();
        p1Port = freePort();
        p2Port = freePort();
        nixlPort = freePort();
        sglangPort = freePort();
        deadPort = freePort();
        AdapterProperties props = new AdapterProperties("127.0.0.1", "127.0.0.1", Duration.ofSeconds(1), "", true,
                Duration.ofSeconds(5), null, null, null, Engines.pd(Duration.ofMillis(800)), null, List.of(
                        Engines.engine(p1Port, "prefill-1", EngineRole.PREFILL, AdapterProperties.EngineKindSetting.VLLM,
                                prefill1.url(), PdTransferKind.NIXL, ""),
                        Engines.engine(p2Port, "prefill-2", EngineRole.PREFILL, AdapterProperties.EngineKindSetting.VLLM,
                                prefill2.url(), PdTransferKind.NIXL, ""),
                        Engines.engine(nixlPort, "decode-nixl", EngineRole.DECODE, AdapterProperties.EngineKindSetting.VLLM,
                                nixlDecode.url(), PdTransferKind.NIXL, ""),
                        Engines.engine(sglangPort, "decode-sglang", EngineRole.DECODE,
                                AdapterProperties.EngineKindSetting.SGLANG, sglangDecode.url(), PdTransferKind.MOONCAKE, "")));
        listeners = Engines.listen(props, Engines.fleet(props), new AdapterMetrics(registry));
    }

    @AfterAll
    static void stop() {
        listeners.stop();
        List.of(prefill1, prefill2, nixlDecode, sglangDecode).forEach(FakeEngine::close);
    }

    @BeforeEach
    void reset() {
        // every test scripts what it needs; defaults: a normal streamed decode
        for (FakeEngine e : List.of(prefill1, prefill2, nixlDecode, sglangDecode)) {
            e.on("POST", CHAT, Reply.status(599));
        }
        nixlDecode.on("POST", CHAT, Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}"), Duration.ofMillis(5)));
        sglangDecode.on("POST", CHAT, Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}"), Duration.ofMillis(5)));
    }

    // ---------------------------------------------------------------- vLLM / NIXL

    @Test
    void nixlPrefillsWithTheToyProxyShapeThenDecodesWithTheReturnedParams() throws Exception {
        prefill1.on("POST", CHAT, Reply.json(200, "{\"id\":\"p\",\"choices\":[{\"finish_reason\":\"length\"}],"
                + "\"kv_transfer_params\":" + PARAMS + "}"));
        int before = prefill1.seen(CHAT).size();

        HttpResponse<String> response = post(nixlPort, Map.of(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port,
                SwitchboardHeaders.REQUEST_ID, "req-1"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("disaggregated");
        assertThat(response.body()).contains("\"Hi\"").endsWith("data: [DONE]\n\n");
        FakeEngine.Seen prefillLeg = prefill1.seen(CHAT).get(before);
        JsonNode p = json(prefillLeg.body());
        assertThat(p.get("kv_transfer_params").toString()).isEqualTo("{\"do_remote_decode\":true,\"do_remote_prefill\":false,"
                + "\"remote_engine_id\":null,\"remote_block_ids\":null,\"remote_host\":null,\"remote_port\":null}");
        assertThat(p.get("stream").asBoolean()).isFalse();
        assertThat(p.get("max_tokens").asInt()).isEqualTo(1);
        assertThat(p.get("max_completion_tokens").asInt()).isEqualTo(1);
        assertThat(p.has("stream_options")).isFalse();
        assertThat(p.has("min_tokens")).isFalse();
        assertThat(prefillLeg.header("X-Request-Id")).isEqualTo("req-1");
        assertThat(prefillLeg.header(SwitchboardHeaders.PREFILL)).as("internal headers never reach an engine").isNull();

        FakeEngine.Seen decodeLeg = last(nixlDecode);
        JsonNode d = json(decodeLeg.body());
        assertThat(d.get("kv_transfer_params")).isEqualTo(json(PARAMS));
        assertThat(d.get("stream").asBoolean()).isTrue();
        assertThat(d.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(d.get("stream_options").get("include_usage").asBoolean()).isTrue();
        assertThat(decodeLeg.header("X-Request-Id")).isEqualTo("req-1");
    }

    @Test
    void nixlPrefill4xxIsPassedBackAndNoDecodeLegStarts() throws Exception {
        prefill1.on("POST", CHAT, Reply.json(400, "{\"error\":{\"message\":\"prompt too long\",\"type\":\"BadRequestError\","
                + "\"param\":null,\"code\":400}}"));
        int decodes = nixlDecode.seen(CHAT).size();

        HttpResponse<String> response = post(nixlPort, Map.of(SwitchboardHeaders.PREFILL,
                "127.0.0.1:" + p1Port + ",127.0.0.1:" + p2Port));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("prompt too long");
        assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("prefill-rejected");
        assertThat(nixlDecode.seen(CHAT)).hasSize(decodes);
    }

    @Test
    void nixlPrefill5xxRetriesOnceOnTheAlternate() throws Exception {
        prefill1.on("POST", CHAT, Reply.json(503, "{\"error\":\"overloaded\"}"));
        prefill2.on("POST", CHAT, Reply.json(200, "{\"kv_transfer_params\":" + PARAMS.replace("P-ENGINE", "P2") + "}"));

        HttpResponse<String> response = post(nixlPort, Map.of(SwitchboardHeaders.PREFILL,
                "127.0.0.1:" + p1Port + ",127.0.0.1:" + p2Port));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("alternate-prefill");
        assertThat(response.headers().firstValue(PdOutcome.PREFILL_HEADER)).contains("127.0.0.1:" + p2Port);
        assertThat(json(last(nixlDecode).body()).get("kv_transfer_params").get("remote_engine_id").asString()).isEqualTo("P2");
    }

    @Test
    void nixlPrefillFailuresWithoutAlternateAreServedLocallyAndSaySo() throws Exception {
        record Case(String what, Reply prefill, String header) {
        }
        for (Case c : List.of(
                new Case("prefill 500", Reply.json(500, "{}"), "127.0.0.1:" + p1Port),
                new Case("prefill endpoint unreachable", null, "127.0.0.1:" + deadPort),
                new Case("prefill answers without kv_transfer_params", Reply.json(200, "{\"id\":\"x\"}"), "127.0.0.1:" + p1Port),
                new Case("prefill times out", Reply.hang(), "127.0.0.1:" + p1Port),
                new Case("both prefill endpoints fail", Reply.json(502, "{}"), "127.0.0.1:" + p1Port + ",127.0.0.1:" + deadPort))) {
            if (c.prefill() != null) {
                prefill1.on("POST", CHAT, c.prefill());
            }
            int abandonedBefore = prefill1.abandoned();

            HttpResponse<String> response = post(nixlPort, Map.of(SwitchboardHeaders.PREFILL, c.header()));

            assertThat(response.statusCode()).as(c.what()).isEqualTo(200);
            assertThat(response.headers().firstValue(PdOutcome.HEADER)).as(c.what()).contains("local-prefill");
            assertThat(last(nixlDecode).body()).as(c.what() + ": the original body, unchanged").isEqualTo(BODY);
            if (c.what().equals("prefill times out")) {
                FakeEngine.await(() -> prefill1.abandoned() > abandonedBefore, Duration.ofSeconds(5),
                        "the timed-out prefill leg to be closed at the engine");
            }
        }
    }

    @Test
    void aDecodeEngineThatIsDownGivesOneClearError() throws Exception {
        FakeEngine down = new FakeEngine();
        int port = freePort();
        AdapterProperties props = Engines.adapter(Engines.engine(port, "decode-down", EngineRole.DECODE,
                AdapterProperties.EngineKindSetting.VLLM, down.url(), PdTransferKind.NIXL, ""));
        down.close();
        EngineListeners one = Engines.listen(props, Engines.fleet(props), new AdapterMetrics(registry));
        try {
            prefill1.on("POST", CHAT, Reply.json(200, "{\"kv_transfer_params\":" + PARAMS + "}"));
            HttpResponse<String> response = post(port, Map.of(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port));
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("decode-failed");
            assertThat(json(response.body()).get("error").get("code").asString()).isEqualTo("engine_unreachable");
        } finally {
            one.stop();
        }
    }

    // ---------------------------------------------------------------- SGLang / Mooncake

    @Test
    void sglangSendsTheSameBodyWithBootstrapFieldsToBothLegsAndAnswersFromDecode() throws Exception {
        prefill1.on("POST", CHAT, Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"P\"}}]}"), Duration.ofMillis(5)));
        sglangDecode.on("POST", CHAT, Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"D1\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"D2\"}}]}"), Duration.ofMillis(20)));

        HttpResponse<String> response = post(sglangPort, Map.of(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("disaggregated");
        assertThat(response.body()).contains("D1").contains("D2").doesNotContain("\"P\"");
        JsonNode p = json(last(prefill1).body());
        JsonNode d = json(last(sglangDecode).body());
        assertThat(p).isEqualTo(d);
        assertThat(d.get("bootstrap_host").asString()).isEqualTo("127.0.0.1");
        assertThat(d.get("bootstrap_port").asInt()).isEqualTo(8998);
        assertThat(d.get("bootstrap_room").asLong()).isNotNegative();
        assertThat(d.get("stream").asBoolean()).as("everything else is the client's body").isTrue();
    }

    @Test
    void sglangUsesThePrefillEnginesOwnBootstrapPortWhenTheGatewayNamesIt() throws Exception {
        prefill1.on("POST", CHAT, Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"P\"}}]}"), Duration.ofMillis(5)));
        sglangDecode.on("POST", CHAT, Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"D1\"}}]}"),
                Duration.ofMillis(5)));

        HttpResponse<String> response = post(sglangPort,
                Map.of(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port + ";bootstrap-port=9123"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(last(prefill1).body()).get("bootstrap_port").asInt()).isEqualTo(9123);
        assertThat(json(last(sglangDecode).body()).get("bootstrap_port").asInt()).isEqualTo(9123);
    }

    @Test
    void sglangPrefill4xxIsPassedBackAndTheDecodeLegIsCancelled() throws Exception {
        prefill1.on("POST", CHAT, Reply.delayed(Duration.ofMillis(100), Reply.json(422, "{\"error\":{\"message\":\"bad\"}}")));
        sglangDecode.on("POST", CHAT, Reply.hang());
        int abandoned = sglangDecode.abandoned();

        HttpResponse<String> response = post(sglangPort, Map.of(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port));

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("prefill-rejected");
        FakeEngine.await(() -> sglangDecode.abandoned() == abandoned + 1, Duration.ofSeconds(5), "the decode leg to be closed");
    }

    @Test
    void sglangPrefillFailureRetriesThePairOnTheAlternateWithAFreshRoom() throws Exception {
        prefill1.on("POST", CHAT, Reply.delayed(Duration.ofMillis(100), Reply.json(503, "{}")));
        prefill2.on("POST", CHAT, Reply.json(200, "{\"ok\":true}"));
        int before = sglangDecode.seen(CHAT).size();
        // the first decode leg of this test waits for KV that never comes; the second one answers
        sglangDecode.answer("POST", CHAT, s -> sglangDecode.seen(CHAT).size() == before + 1 ? Reply.hang()
                : Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"late\"}}]}"), Duration.ofMillis(50)));
        int p2Before = prefill2.seen(CHAT).size();
        int abandoned = sglangDecode.abandoned();

        HttpResponse<String> response = post(sglangPort, Map.of(SwitchboardHeaders.PREFILL,
                "127.0.0.1:" + p1Port + ",127.0.0.1:" + p2Port));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("alternate-prefill");
        assertThat(response.body()).contains("late");
        List<FakeEngine.Seen> decodes = sglangDecode.seen(CHAT).subList(before, sglangDecode.seen(CHAT).size());
        assertThat(decodes).hasSize(2);
        assertThat(json(decodes.get(0).body()).get("bootstrap_room"))
                .isNotEqualTo(json(decodes.get(1).body()).get("bootstrap_room"));
        assertThat(prefill2.seen(CHAT)).hasSize(p2Before + 1);
        FakeEngine.await(() -> sglangDecode.abandoned() == abandoned + 1, Duration.ofSeconds(5),
                "the first decode leg to be closed");
    }

    @Test
    void sglangPrefillFailureWithoutAlternateIsServedLocallyWithoutBootstrapFields() throws Exception {
        prefill1.on("POST", CHAT, Reply.json(500, "{}"));
        sglangDecode.answer("POST", CHAT, s -> s.body().contains("bootstrap_room") ? Reply.hang()
                : Reply.sse(List.of("{\"choices\":[{\"delta\":{\"content\":\"alone\"}}]}"), Duration.ofMillis(5)));

        HttpResponse<String> response = post(sglangPort, Map.of(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("local-prefill");
        assertThat(response.body()).contains("alone");
        assertThat(last(sglangDecode).body()).isEqualTo(BODY);
    }

    @Test
    void sglangDecodeFailureCancelsThePrefillLeg() throws Exception {
        prefill1.on("POST", CHAT, Reply.hang());
        sglangDecode.on("POST", CHAT, Reply.json(500, "{\"error\":{\"message\":\"decode OOM\"}}"));
        int abandoned = prefill1.abandoned();

        HttpResponse<String> response = post(sglangPort, Map.of(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("decode OOM");
        assertThat(response.headers().firstValue(PdOutcome.HEADER)).contains("decode-failed");
        FakeEngine.await(() -> prefill1.abandoned() == abandoned + 1, Duration.ofSeconds(5),
                "the prefill leg to be closed at the prefill engine (through the prefill adapter)");
    }

    // ---------------------------------------------------------------- both

    @Test
    void aClientThatGoesAwayCancelsEveryLeg() throws Exception {
        prefill1.on("POST", CHAT, Reply.hang());
        sglangDecode.on("POST", CHAT, Reply.hang());
        for (int port : new int[] {nixlPort, sglangPort}) {
            int prefillAbandoned = prefill1.abandoned();
            int decodeAbandoned = sglangDecode.abandoned();
            int prefillSeen = prefill1.seen(CHAT).size();
            try (Socket client = new Socket("127.0.0.1", port)) {
                byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("POST " + CHAT + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + SwitchboardHeaders.PREFILL + ": 127.0.0.1:" + p1Port + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                FakeEngine.await(() -> prefill1.seen(CHAT).size() > prefillSeen, Duration.ofSeconds(5), "the prefill leg");
            }
            FakeEngine.await(() -> prefill1.abandoned() == prefillAbandoned + 1, Duration.ofSeconds(5),
                    "the prefill leg to be cancelled (port " + port + ")");
            if (port == sglangPort) {
                FakeEngine.await(() -> sglangDecode.abandoned() == decodeAbandoned + 1, Duration.ofSeconds(5),
                        "the decode leg to be cancelled");
            }
        }
    }

    @Test
    void malformedInputIsRejectedClearly() throws Exception {
        HttpResponse<String> badHeader = post(nixlPort, Map.of(SwitchboardHeaders.PREFILL, "no-port"));
        assertThat(badHeader.statusCode()).isEqualTo(500);
        assertThat(badHeader.body()).contains("invalid_internal_header");

        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nixlPort + CHAT))
                .header("Content-Type", "application/json").header(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port)
                .POST(HttpRequest.BodyPublishers.ofString("[1,2]")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("invalid_json");
    }

    @Test
    void legOutcomesAreCounted() throws Exception {
        prefill1.on("POST", CHAT, Reply.json(200, "{\"kv_transfer_params\":" + PARAMS + "}"));
        post(nixlPort, Map.of(SwitchboardHeaders.PREFILL, "127.0.0.1:" + p1Port));
        assertThat(registry.get("switchboard.adapter.pd.requests").tag("endpoint", "decode-nixl")
                .tag("outcome", "disaggregated").counter().count()).isPositive();
        assertThat(registry.get("switchboard.adapter.pd.legs").tag("leg", "prefill").tag("result", "ok").counter().count())
                .isPositive();
    }

    private static HttpResponse<String> post(int port, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + CHAT))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static FakeEngine.Seen last(FakeEngine engine) {
        List<FakeEngine.Seen> seen = engine.seen(CHAT);
        return seen.get(seen.size() - 1);
    }

    private static JsonNode json(String s) {
        return AdapterJson.MAPPER.readTree(s);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
