package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.sim.pd.PdDirectory;
import tools.jackson.databind.json.JsonMapper;

/** Parsing and planning: vLLM's refusals, answer lengths, P/D and SGLang fields. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GenerationRequestTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private SimEngine engine;

    @BeforeAll
    void start() {
        SimProperties.Engine config = SimProperties.Engine.of("e", 8001, EngineKind.VLLM, EngineRole.UNIFIED, "llama-3-8b")
                .withOutput("10-20", 64).withKv(null, Duration.ZERO);
        engine = SimEngine.start(new SimProperties("127.0.0.1", 1, true, List.of(config)), config, new PdDirectory(),
                Clock.systemUTC(), () -> 0.5);
    }

    @AfterAll
    void stop() {
        engine.close();
    }

    private static GenerationRequest parse(String body, boolean chat) {
        return GenerationRequest.parse(JSON, body.getBytes(StandardCharsets.UTF_8), chat);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"model\":", true, 400, null),
                Arguments.of("no model", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", true, 400, "model"),
                Arguments.of("no messages", "{\"model\":\"llama-3-8b\"}", true, 400, "messages"),
                Arguments.of("max_tokens zero", "{\"model\":\"llama-3-8b\",\"max_tokens\":0,\"prompt\":\"x\"}", false, 400,
                        "max_tokens"),
                Arguments.of("stream_options without stream",
                        "{\"model\":\"llama-3-8b\",\"prompt\":\"x\",\"stream_options\":{\"include_usage\":true}}", false, 400,
                        "stream_options"),
                Arguments.of("unknown model", "{\"model\":\"other\",\"prompt\":\"x\"}", false, 404, "model"),
                Arguments.of("prompt plus output over max-model-len",
                        "{\"model\":\"llama-3-8b\",\"max_tokens\":40,\"prompt\":\"" + "word".repeat(30) + "\"}", false, 400,
                        "prompt"),
                Arguments.of("empty cache_salt", "{\"model\":\"llama-3-8b\",\"prompt\":\"x\",\"cache_salt\":\"\"}", false,
                        400, "cache_salt"),
                Arguments.of("both P/D directions", "{\"model\":\"llama-3-8b\",\"prompt\":\"x\",\"kv_transfer_params\":"
                        + "{\"do_remote_decode\":true,\"do_remote_prefill\":true}}", false, 400, "kv_transfer_params"),
                Arguments.of("streamed prefill leg", "{\"model\":\"llama-3-8b\",\"prompt\":\"x\",\"stream\":true,"
                        + "\"kv_transfer_params\":{\"do_remote_decode\":true}}", false, 400, "stream"),
                Arguments.of("empty prompt", "{\"model\":\"llama-3-8b\",\"prompt\":\"\"}", false, 400, "prompt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesLikeVllm(String name, String body, boolean chat, int status, String param) {
        assertThatThrownBy(() -> engine.plan(parse(body, chat)))
                .isInstanceOfSatisfying(EngineApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.param()).isEqualTo(param);
                });
    }

    @Test
    void contextOverflowMessageNamesTheLimitAndTheCounts() {
        assertThatThrownBy(() -> engine.plan(parse("{\"model\":\"llama-3-8b\",\"max_tokens\":40,\"prompt\":\""
                + "word".repeat(30) + "\"}", false)))
                .hasMessage("This model's maximum context length is 64 tokens. However, you requested 40 output tokens and "
                        + "your prompt contains at least 30 input tokens, for a total of at least 70 tokens.");
    }

    @Test
    void answerLengthIsCappedByMaxTokensAndIsDeterministicPerPrompt() {
        SimEngine.Plan capped = engine.plan(parse("{\"model\":\"llama-3-8b\",\"max_tokens\":3,\"prompt\":\"abc\"}", false));
        assertThat(capped.completionTokens()).isEqualTo(3);
        assertThat(capped.finishReason()).isEqualTo("length");
        assertThat(capped.core().maxOutputTokens()).isEqualTo(3);
        assertThat(capped.core().stopAfterTokens()).isZero();

        GenerationRequest free = parse("{\"model\":\"llama-3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true);
        SimEngine.Plan first = engine.plan(free);
        SimEngine.Plan second = engine.plan(free);
        assertThat(first.completionTokens()).isBetween(10, 20).isEqualTo(second.completionTokens());
        assertThat(first.finishReason()).isEqualTo("stop");
        assertThat(first.core().stopAfterTokens()).isEqualTo(first.completionTokens());
        assertThat(first.id()).isNotEqualTo(second.id());
        assertThat(tokens(first)).hasSize(first.completionTokens()).isEqualTo(tokens(second));
    }

    static Stream<Arguments> ignoreEos() {
        return Stream.of(
                Arguments.of("vLLM chat, past the natural length", "{\"model\":\"llama-3-8b\",\"max_tokens\":30,"
                        + "\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true, 30),
                Arguments.of("vLLM completion, under the natural length", "{\"model\":\"llama-3-8b\",\"max_tokens\":5,"
                        + "\"ignore_eos\":true,\"prompt\":\"hi\"}", false, 5),
                Arguments.of("vLLM, no max_tokens: up to the context", "{\"model\":\"llama-3-8b\",\"ignore_eos\":true,"
                        + "\"prompt\":\"hi\"}", false, 63));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ignoreEos")
    void ignoreEosGeneratesExactlyUpToTheCap(String name, String body, boolean chat, int expected) {
        SimEngine.Plan plan = engine.plan(parse(body, chat));
        assertThat(plan.completionTokens()).isEqualTo(expected);
        assertThat(plan.finishReason()).isEqualTo("length");
        assertThat(plan.core().stopAfterTokens()).isZero();
        assertThat(tokens(plan)).hasSize(expected);
    }

    @Test
    void sglangTakesIgnoreEosFromSamplingParams() {
        GenerationRequest r = GenerationRequest.parseGenerate(JSON, ("{\"text\":\"hi\",\"sampling_params\":"
                + "{\"max_new_tokens\":40,\"ignore_eos\":true}}").getBytes(StandardCharsets.UTF_8));
        assertThat(r.ignoreEos()).isTrue();
        assertThat(engine.plan(r).completionTokens()).isEqualTo(40);
        assertThatThrownBy(() -> parse("{\"model\":\"llama-3-8b\",\"ignore_eos\":\"yes\",\"prompt\":\"hi\"}", false))
                .isInstanceOfSatisfying(EngineApiException.class, e -> assertThat(e.param()).isEqualTo("ignore_eos"));
    }

    private List<String> tokens(SimEngine.Plan plan) {
        return engine.run(plan).ofType(SimEngine.Token.class).map(SimEngine.Token::text).collectList()
                .block(Duration.ofSeconds(10));
    }

    @Test
    void cacheSaltSeedsTheBlockHashesSoTenantsDoNotShare() {
        String prompt = "\"" + "shared system prompt ".repeat(4) + "\"";
        SimEngine.Plan plain = engine.plan(parse("{\"model\":\"llama-3-8b\",\"max_tokens\":1,\"prompt\":" + prompt + "}",
                false));
        SimEngine.Plan salted = engine.plan(parse("{\"model\":\"llama-3-8b\",\"max_tokens\":1,\"prompt\":" + prompt
                + ",\"cache_salt\":\"tenant-a\"}", false));
        assertThat(plain.core().promptBlockHashes()).hasSize(1);
        assertThat(salted.core().promptBlockHashes()[0]).isNotEqualTo(plain.core().promptBlockHashes()[0]);
        assertThat(plain.core().promptBlockHashes()).containsExactly(dev.switchboard.contract.prompt.PromptBlocks.hash(
                "llama-3-8b", null, plain.request().canonicalText()));
    }

    @Test
    void kvTransferParamsChooseTheLeg() {
        SimEngine.Plan prefill = engine.plan(parse("{\"model\":\"llama-3-8b\",\"max_tokens\":5,\"prompt\":\"abc\","
                + "\"kv_transfer_params\":{\"do_remote_decode\":true,\"do_remote_prefill\":false,\"remote_engine_id\":null}}",
                false));
        assertThat(prefill.leg()).isEqualTo(SimEngine.Leg.VLLM_PREFILL);
        assertThat(prefill.core().remoteDecode()).isTrue();
        assertThat(prefill.completionTokens()).isEqualTo(1);
        assertThat(prefill.finishReason()).isEqualTo("length");
        SimEngine.Plan decode = engine.plan(parse("{\"model\":\"llama-3-8b\",\"max_tokens\":5,\"prompt\":\"abc\","
                + "\"kv_transfer_params\":{\"do_remote_prefill\":true,\"remote_engine_id\":\"p\",\"remote_request_id\":\"p-1\"}}",
                false));
        assertThat(decode.leg()).isEqualTo(SimEngine.Leg.VLLM_DECODE);
        assertThat(decode.core().prefilledRemotely()).isTrue();
        assertThat(decode.request().kvTransfer().remoteRequestId()).isEqualTo("p-1");
    }

    @Test
    void sglangGenerateTakesTextOrInputIdsAndSamplingParams() {
        GenerationRequest text = GenerationRequest.parseGenerate(JSON, ("{\"text\":\"hello\",\"sampling_params\":"
                + "{\"max_new_tokens\":7},\"stream\":true,\"bootstrap_host\":\"10.0.0.1\",\"bootstrap_port\":8998,"
                + "\"bootstrap_room\":42}").getBytes(StandardCharsets.UTF_8));
        assertThat(text.maxTokens()).isEqualTo(7);
        assertThat(text.stream()).isTrue();
        assertThat(text.bootstrap()).isEqualTo(new GenerationRequest.Bootstrap("10.0.0.1", 8998, 42));
        GenerationRequest ids = GenerationRequest.parseGenerate(JSON, "{\"input_ids\":[1,2,3]}".getBytes(StandardCharsets.UTF_8));
        assertThat(ids.inputIds()).containsExactly(1, 2, 3);
        assertThat(ids.maxTokens()).isEqualTo(GenerationRequest.SGLANG_DEFAULT_MAX_NEW_TOKENS);
        assertThatThrownBy(() -> GenerationRequest.parseGenerate(JSON, "{\"text\":\"a\",\"input_ids\":[1]}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(EngineApiException.class);
    }

    @Test
    void includeUsageOnlyWithStreaming() {
        GenerationRequest r = parse("{\"model\":\"llama-3-8b\",\"prompt\":\"x\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}", false);
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
    }
}
